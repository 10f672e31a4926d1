/** Quick fixes that insert YAML: skeletons of missing required keys, built from the schema. */
import { isMap, isScalar, type Node, type YAMLMap } from 'yaml';
import { type ParsedYaml } from './parse';
import { locate } from '../../../shared/src/yaml-nodes';
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

/** A placeholder safe inside a flow collection: quoted when it holds flow or comment indicators. */
function flowScalar(schema: SchemaNode): string {
  const v = scalarPlaceholder(schema);
  return /[,[\]{}#:"']|^\s|\s$|^$/.test(v) ? JSON.stringify(v) : v;
}

/** The flow-style value of a key: required keys of mappings, one item of lists of mappings. */
export function flowSkeleton(schema: SchemaNode, depth = 0): string {
  const kind = kindOf(schema);
  const entries = (s: SchemaNode): string =>
    objectFields(s)
      .filter((f) => f.required)
      .map((f) => `${f.name}: ${flowSkeleton(f.schema, depth + 1)}`)
      .join(', ');
  if (kind === 'object') return depth < 6 ? `{${entries(schema)}}` : '{}';
  if (kind === 'array') {
    const element = unwrap(schema).core._zod.def.element;
    const inner = element && kindOf(element) === 'object' && depth < 6 ? entries(element) : '';
    return inner ? `[{${inner}}]` : '[]';
  }
  if (kind === 'record') return '{}';
  return flowScalar(schema);
}

/** Inserts `key: value` as the last entry of a flow mapping, before its closing brace. */
function flowInsert(parsed: ParsedYaml, map: YAMLMap<unknown, unknown>, key: string, schema: SchemaNode, title: string): Fix | undefined {
  if (!map.range) return undefined;
  const entry = `${key}: ${flowSkeleton(schema)}`;
  const last = map.items[map.items.length - 1];
  const lastNode = (last?.value ?? last?.key) as Node | null | undefined;
  let offset: number;
  let newText: string;
  if (lastNode?.range) {
    offset = lastNode.range[1];
    newText = `, ${entry}`;
  } else {
    offset = parsed.text.lastIndexOf('}', map.range[1] - 1);
    if (offset < map.range[0]) return undefined;
    newText = entry;
  }
  const pos = parsed.index.position(offset);
  return { title, edits: [{ range: { start: pos, end: pos }, newText }], preferred: true };
}

/**
 * Turns an empty value (`churn:` or `churn: ~`) that must be a mapping into a block mapping holding
 * the required keys with their defaults, indented under the key.
 */
export function fillMappingFix(parsed: ParsedYaml, path: (string | number)[], schema: SchemaNode): Fix | undefined {
  const at = locate(parsed.root, path);
  const keyNode = at.pair?.key;
  const value = at.node;
  if (!isScalar(keyNode) || !keyNode.range || (value != null && !(isScalar(value) && value.value === null))) return undefined;
  const required = objectFields(schema).filter((f) => f.required);
  const names = required.map((f) => `"${f.name}"`).join(', ');
  const title = required.length ? `Add required key${required.length > 1 ? 's' : ''} ${names}` : 'Make it an empty mapping';
  const indent = ' '.repeat(column(parsed, keyNode.range[0]) + 2);
  const lines = required.flatMap((f) => skeleton(f.name, f.schema)).map((l) => `\n${indent}${l}`);
  const explicit = isScalar(value) && value.range && value.range[1] > value.range[0];
  // `key: ~` / `key: null`: the null is replaced; a bare `key:` gets the keys after its line.
  const start = explicit && value.range ? parsed.index.position(keyNode.range[1]) : parsed.index.position(parsed.index.lineEnd(parsed.index.position(keyNode.range[0]).line));
  const end = explicit && value.range ? parsed.index.position(value.range[1]) : start;
  const newText = (explicit ? ':' : '') + (lines.length ? lines.join('') : ' {}');
  return { title, edits: [{ range: { start, end }, newText }], preferred: true };
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
  if (isMap(node) && node.flow) return flowInsert(parsed, node, key, schema, title);
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
