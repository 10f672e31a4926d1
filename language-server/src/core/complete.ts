/** Completion: keys and enum values from the schema, and names defined elsewhere in the file. */
import { isMap } from 'yaml';
import { type ParsedYaml } from './parse';
import { cursorContext, type CursorContext } from './context';
import { keyString, locate } from '../../../shared/src/yaml-nodes';
import { enumValues, expectedText, kindOf, objectFields, schemaAt, unwrap, type SchemaNode } from './schema-info';
import { type PathSegment, type Position, type TextEdit } from './types';

/** LSP CompletionItemKind values used here. */
const Kind = { Property: 10, Value: 12, EnumMember: 20, Reference: 18 } as const;

export interface CompletionEntry {
  label: string;
  kind: (typeof Kind)[keyof typeof Kind];
  detail?: string;
  documentation?: string;
  textEdit?: TextEdit;
  sortText?: string;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

function matches(path: PathSegment[], pattern: (string | null)[]): boolean {
  return path.length === pattern.length && pattern.every((p, i) => p === null || p === path[i] || (p === '#' && typeof path[i] === 'number'));
}

function paramKeys(v: unknown, prefix = '', out: string[] = [], depth = 0): string[] {
  if (depth > 16) return out;
  for (const [k, child] of Object.entries(obj(v))) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (child !== null && typeof child === 'object' && !Array.isArray(child)) paramKeys(child, key, out, depth + 1);
    else out.push(key);
  }
  return out;
}

/** Names the value at `target` may refer to: models, stages, params, datasets, produced files. */
function referenceValues(parsed: ParsedYaml, target: PathSegment[]): { values: string[]; what: string } | undefined {
  const root = obj(parsed.value);
  const stages = obj(obj(root['pipeline'])['stages']);
  if (matches(target, ['deployments', null, 'model'])) return { values: Object.keys(obj(root['models'])), what: 'model' };
  if (matches(target, ['pipeline', 'stages', null, 'after', '#'])) {
    return { values: Object.keys(stages).filter((s) => s !== target[2]), what: 'stage' };
  }
  if (matches(target, ['pipeline', 'stages', null, 'params', '#'])) return { values: paramKeys(root['params']), what: 'parameter' };
  if (matches(target, ['pipeline', 'stages', null, 'deps', '#'])) {
    const outs = Object.entries(stages).flatMap(([n, s]) => (n === target[2] ? [] : (obj(s)['outs'] as unknown[] | undefined) ?? []));
    return { values: outs.filter((o): o is string => typeof o === 'string'), what: 'output of a stage' };
  }
  const datasetRef =
    matches(target, ['pipeline', 'triggers', '#', 'dataset']) ||
    matches(target, ['models', null, 'gates', 'holdout', 'dataset']) ||
    matches(target, ['data', null, 'reference']);
  if (datasetRef) return { values: Object.keys(obj(root['data'])), what: 'dataset' };
  return undefined;
}

function docOf(schema: SchemaNode): string | undefined {
  const u = unwrap(schema);
  const dflt = u.hasDefault && u.defaultValue !== undefined ? `\n\nDefault: \`${JSON.stringify(u.defaultValue)}\`` : '';
  return u.description ? u.description + dflt : dflt.trim() || undefined;
}

function keyItems(parsed: ParsedYaml, ctx: CursorContext, schema: SchemaNode, edit: (t: string) => TextEdit): CompletionEntry[] {
  const at = locate(parsed.root, ctx.path);
  const present = new Set(isMap(at.node) ? at.node.items.map((p) => keyString(p.key)) : []);
  return objectFields(schema)
    .filter((f) => !present.has(f.name) || f.name === ctx.prefix)
    .map((f) => {
      const nested = ['object', 'record', 'array'].includes(kindOf(f.schema));
      const entry: CompletionEntry = {
        label: f.name,
        kind: Kind.Property,
        detail: `${f.required ? 'required' : 'optional'}: ${expectedText(f.schema)}`,
        textEdit: edit(nested ? `${f.name}:` : `${f.name}: `),
        sortText: `${f.required ? 0 : 1}${f.name}`,
      };
      const doc = docOf(f.schema);
      if (doc) entry.documentation = doc;
      return entry;
    });
}

function valueItems(parsed: ParsedYaml, target: PathSegment[], edit: (t: string) => TextEdit): CompletionEntry[] {
  const refs = referenceValues(parsed, target);
  if (refs) {
    return [...new Set(refs.values)].map((v) => ({ label: v, kind: Kind.Reference, detail: refs.what, textEdit: edit(v) }));
  }
  const schema = schemaAt(target);
  if (!schema) return [];
  const values = kindOf(schema) === 'boolean' ? [true, false] : enumValues(schema);
  const u = unwrap(schema);
  return (values ?? []).map((v) => {
    const entry: CompletionEntry = { label: String(v), kind: Kind.EnumMember, textEdit: edit(String(v)) };
    if (u.hasDefault && u.defaultValue === v) entry.detail = 'default';
    if (u.description) entry.documentation = u.description;
    return entry;
  });
}

export function complete(parsed: ParsedYaml, pos: Position): CompletionEntry[] {
  const ctx = cursorContext(parsed.index, pos.line, pos.character);
  if (ctx.at === 'none') return [];
  const start = parsed.index.position(ctx.prefixStart);
  const edit = (newText: string): TextEdit => ({ range: { start, end: pos }, newText });
  if (ctx.at === 'value' && ctx.key !== undefined) return valueItems(parsed, [...ctx.path, ctx.key], edit);
  const schema = schemaAt(ctx.path);
  if (!schema) return [];
  if (kindOf(schema) === 'object') return keyItems(parsed, ctx, schema, edit);
  return ctx.at === 'item' ? valueItems(parsed, ctx.path, edit) : [];
}
