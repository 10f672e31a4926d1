/** Hover (documentation and default of the field under the cursor) and document symbols. */
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { type ParsedYaml } from './parse';
import { keyString } from '../../../shared/src/yaml-nodes';
import { expectedText, schemaAt, unwrap } from './schema-info';
import { formatPath } from './text';
import { type PathSegment, type Position, type Range } from './types';

export interface HoverResult {
  markdown: string;
  range: Range;
}

function contains(node: unknown, offset: number): boolean {
  const r = (node as Node | null)?.range;
  return !!r && offset >= r[0] && offset <= r[1];
}

/** Path of the key or value under `offset`, and the node itself. */
export function pathAt(root: Node | null, offset: number): { path: PathSegment[]; node: Node } | undefined {
  const path: PathSegment[] = [];
  let cur: unknown = root;
  let hit: Node | undefined;
  for (let depth = 0; depth < 128; depth++) {
    let next: unknown;
    if (isMap(cur)) {
      for (const pair of cur.items) {
        const key = keyString(pair.key);
        if (key === undefined) continue;
        if (contains(pair.key, offset)) return { path: [...path, key], node: pair.key as Node };
        if (contains(pair.value, offset)) {
          path.push(key);
          next = pair.value;
          break;
        }
      }
    } else if (isSeq(cur)) {
      const i = cur.items.findIndex((item) => contains(item, offset));
      if (i >= 0) {
        path.push(i);
        next = cur.items[i];
      }
    }
    if (next === undefined) break;
    cur = next;
    hit = next as Node;
  }
  return hit ? { path, node: hit } : undefined;
}

export function hover(parsed: ParsedYaml, pos: Position): HoverResult | undefined {
  const found = pathAt(parsed.root, parsed.index.offset(pos));
  if (!found) return undefined;
  let path = found.path;
  let schema = schemaAt(path);
  // A scalar inside a list of scalars documents the list.
  while (!schema && path.length && typeof path[path.length - 1] === 'number') {
    path = path.slice(0, -1);
    schema = schemaAt(path);
  }
  if (!schema || !path.length) return undefined;
  const u = unwrap(schema);
  const parts = [`**\`${formatPath(path)}\`**: ${expectedText(schema)}`];
  if (u.description) parts.push(u.description);
  if (u.hasDefault && u.defaultValue !== undefined) parts.push(`Default: \`${JSON.stringify(u.defaultValue)}\``);
  else if (!u.optional && !u.hasDefault) parts.push('Required.');
  const r = found.node.range ?? [0, 0, 0];
  return { markdown: parts.join('\n\n'), range: parsed.index.range(r[0], r[1]) };
}

/** LSP SymbolKind values used here. */
const SymbolKind = { Module: 2, Property: 7, Array: 18, Object: 19 } as const;
type SymbolKindValue = (typeof SymbolKind)[keyof typeof SymbolKind];

export interface SymbolEntry {
  name: string;
  detail?: string;
  kind: SymbolKindValue;
  range: Range;
  selectionRange: Range;
  children?: SymbolEntry[];
}

function symbolKind(value: unknown, depth: number): SymbolKindValue {
  if (depth === 0) return SymbolKind.Module;
  if (isMap(value)) return SymbolKind.Object;
  if (isSeq(value)) return SymbolKind.Array;
  return SymbolKind.Property;
}

function children(parsed: ParsedYaml, node: unknown, depth: number): SymbolEntry[] | undefined {
  if (depth > 4) return undefined;
  if (isMap(node)) {
    const out: SymbolEntry[] = [];
    for (const pair of node.items) {
      const key = pair.key as Node | null;
      const name = keyString(key);
      if (name === undefined || !key?.range) continue;
      const value = pair.value as Node | null;
      const end = value?.range?.[1] ?? key.range[1];
      const entry: SymbolEntry = {
        name,
        kind: symbolKind(value, depth),
        range: parsed.index.range(key.range[0], Math.max(end, key.range[1])),
        selectionRange: parsed.index.range(key.range[0], key.range[1]),
      };
      if (isScalar(value) && value.value !== null) entry.detail = String(value.value).slice(0, 60);
      const kids = children(parsed, value, depth + 1);
      if (kids?.length) entry.children = kids;
      out.push(entry);
    }
    return out;
  }
  if (isSeq(node)) {
    return node.items.flatMap((item, i) => {
      const n = item as Node | null;
      if (!n?.range || !isMap(n)) return [];
      const named = n.get('name');
      const range = parsed.index.range(n.range[0], n.range[1]);
      const entry: SymbolEntry = { name: typeof named === 'string' ? named : `[${i}]`, kind: SymbolKind.Object, range, selectionRange: range };
      const kids = children(parsed, n, depth + 1);
      if (kids?.length) entry.children = kids;
      return [entry];
    });
  }
  return undefined;
}

export function documentSymbols(parsed: ParsedYaml): SymbolEntry[] {
  return children(parsed, parsed.root, 0) ?? [];
}
