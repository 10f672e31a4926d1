/** Quick fixes that insert YAML: skeletons of missing required keys, built from the schema. */
import { isMap, isScalar, type Node } from 'yaml';
import { type ParsedYaml } from './parse';
import { locate } from './nodes';
import { enumValues, kindOf, objectFields, unwrap, type SchemaNode } from './schema-info';
import { type Fix } from './types';

const PLACEHOLDER = 'change-me';

function scalarPlaceholder(schema: SchemaNode): string {
  const u = unwrap(schema);
  if (u.hasDefault && u.defaultValue !== undefined && typeof u.defaultValue !== 'object') return String(u.defaultValue);
  const values = enumValues(schema);
  if (values?.length) return String(values[0]);
  switch (u.core._zod.def.type) {
    case 'number':
      return '1';
    case 'boolean':
      return 'false';
    default:
      return PLACEHOLDER;
  }
}

/** `key: value` lines for a key and, for mappings, its own required keys (relative indentation). */
export function skeleton(key: string, schema: SchemaNode, depth = 0): string[] {
  const kind = kindOf(schema);
  if (kind === 'object' && depth < 6) {
    const inner = objectFields(schema).filter((f) => f.required);
    return [`${key}:`, ...inner.flatMap((f) => skeleton(f.name, f.schema, depth + 1).map((l) => `  ${l}`))];
  }
  if (kind === 'array') {
    const element = unwrap(schema).core._zod.def.element;
    if (element && kindOf(element) === 'object') {
      const lines = objectFields(element)
        .filter((f) => f.required)
        .flatMap((f) => skeleton(f.name, f.schema, depth + 1));
      if (lines.length) return [`${key}:`, ...lines.map((l, i) => (i === 0 ? `  - ${l}` : `    ${l}`))];
    }
    return [`${key}: []`];
  }
  if (kind === 'record') return [`${key}: {}`];
  return [`${key}: ${scalarPlaceholder(schema)}`];
}

function column(parsed: ParsedYaml, offset: number): number {
  return parsed.index.position(offset).character;
}

/** Inserts the missing key at the end of its parent mapping, indented like its siblings. */
export function missingKeyFix(parsed: ParsedYaml, parent: (string | number)[], key: string, schema: SchemaNode): Fix | undefined {
  const lines = skeleton(key, schema);
  const title = `Add required key "${key}"`;
  const at = locate(parsed.root, parent);
  const node: Node | null | undefined = parent.length ? at.node : parsed.root;
  if (isMap(node) && node.items.length && !node.flow) {
    const first = node.items[0]?.key;
    const last = node.items[node.items.length - 1];
    const lastNode = (last?.value ?? last?.key) as Node | undefined;
    if (!isScalar(first) || !first.range || !lastNode?.range) return undefined;
    const indent = ' '.repeat(column(parsed, first.range[0]));
    const endLine = parsed.index.position(Math.max(first.range[0], lastNode.range[1] - 1)).line;
    const pos = parsed.index.position(parsed.index.lineEnd(endLine));
    const newText = lines.map((l) => `\n${indent}${l}`).join('');
    return { title, edits: [{ range: { start: pos, end: pos }, newText }], preferred: true };
  }
  const empty = node == null || (isScalar(node) && node.value === null);
  if (!empty) return undefined;
  if (!parent.length) {
    const pos = { line: 0, character: 0 };
    return { title, edits: [{ range: { start: pos, end: pos }, newText: lines.join('\n') + '\n' }], preferred: true };
  }
  const keyNode = at.pair?.key;
  if (!isScalar(keyNode) || !keyNode.range) return undefined;
  const indent = ' '.repeat(column(parsed, keyNode.range[0]) + 2);
  const line = parsed.index.position(keyNode.range[0]).line;
  const pos = parsed.index.position(parsed.index.lineEnd(line));
  return { title, edits: [{ range: { start: pos, end: pos }, newText: lines.map((l) => `\n${indent}${l}`).join('') }], preferred: true };
}
