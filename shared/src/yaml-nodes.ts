/** Helpers over `yaml` nodes. */
import { isAlias, isMap, isPair, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';

/** Moves a subtree's source ranges by `delta` characters (a cached block reused at a new offset). */
export function shiftNode(node: unknown, delta: number): void {
  if (delta === 0 || node == null) return;
  if (isPair(node)) {
    shiftNode(node.key, delta);
    shiftNode(node.value, delta);
    return;
  }
  const n = node as Node;
  if (n.range) n.range = [n.range[0] + delta, n.range[1] + delta, n.range[2] + delta];
  if (isMap(n) || isSeq(n)) for (const item of n.items) shiftNode(item, delta);
}

export interface Located {
  /** The node at the path, when every segment exists in the source. */
  node?: Node | null;
  /** The map entry holding it (absent for list items and the root). */
  pair?: Pair<unknown, unknown>;
  /** How many segments were found: less than the path length when a key is missing or merged in. */
  found: number;
  /** The deepest node that exists along the path. */
  deepest: Node | null;
  deepestPair?: Pair<unknown, unknown>;
}

export function keyString(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

export function findPair(map: YAMLMap<unknown, unknown>, key: string): Pair<unknown, unknown> | undefined {
  for (let i = map.items.length - 1; i >= 0; i--) {
    const p = map.items[i];
    if (p && keyString(p.key) === key) return p;
  }
  return undefined;
}

/** Follows a zod-style path through the source tree. */
export function locate(root: Node | null, path: readonly PropertyKey[]): Located {
  let cur: Node | null = root;
  let pair: Pair<unknown, unknown> | undefined;
  const out: Located = { found: 0, deepest: root };
  for (const seg of path) {
    let next: unknown;
    pair = undefined;
    if (isMap(cur)) {
      pair = findPair(cur, String(seg));
      if (!pair) return out;
      next = pair.value;
    } else if (isSeq(cur) && typeof seg === 'number') {
      if (seg >= cur.items.length) return out;
      next = cur.items[seg];
    } else return out;
    if (isAlias(next)) return out;
    cur = (next ?? null) as Node | null;
    out.found++;
    out.deepest = cur ?? out.deepest;
    out.deepestPair = pair ?? out.deepestPair;
    if (cur === null && out.found < path.length) return out;
  }
  out.node = cur;
  out.pair = pair;
  return out;
}

/** Value at a path of plain JS data. */
export function valueAt(value: unknown, path: readonly PropertyKey[]): { exists: boolean; value: unknown } {
  let cur = value;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return { exists: false, value: undefined };
    if (!Object.hasOwn(cur, seg)) return { exists: false, value: undefined };
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return { exists: true, value: cur };
}
