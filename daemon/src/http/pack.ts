/**
 * Moving a validated body from the body worker to the event loop cheaply. Structured clone copies a
 * JavaScript array element by element (a million-point batch took seconds to deserialize), so long
 * arrays travel packed: numbers (null kept as NaN, which JSON cannot hold) in a transferred
 * Float64Array, strings as a dictionary and a transferred Uint32Array of indices. The rest of the
 * value is cloned as is, the packed arrays' places left null and listed by path.
 */
const MIN_PACKED = 1024;

type Path = (string | number)[];
export type PackedArray =
  | { path: Path; kind: 'numbers'; data: Float64Array; nulls: boolean }
  | { path: Path; kind: 'strings'; dict: string[]; index: Uint32Array };

export interface Packed {
  value: unknown;
  arrays: PackedArray[];
}

function packArray(a: unknown[], path: Path): PackedArray | undefined {
  if (a.length < MIN_PACKED) return undefined;
  if (typeof a[0] === 'string') {
    const ids = new Map<string, number>();
    const index = new Uint32Array(a.length);
    for (let i = 0; i < a.length; i++) {
      const s = a[i];
      if (typeof s !== 'string') return undefined;
      let id = ids.get(s);
      if (id === undefined) ids.set(s, (id = ids.size));
      index[i] = id;
    }
    return { path, kind: 'strings', dict: [...ids.keys()], index };
  }
  const data = new Float64Array(a.length);
  let nulls = false;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (typeof v === 'number') data[i] = v;
    else if (v === null) {
      data[i] = NaN;
      nulls = true;
    } else return undefined;
  }
  return { path, kind: 'numbers', data, nulls };
}

/** Replaces long arrays of numbers or of strings in `value` (in place) by nulls, listing them packed. */
export function pack(value: unknown): { packed: Packed; transfer: ArrayBuffer[] } {
  const arrays: PackedArray[] = [];
  const visit = (v: unknown, path: Path, set: (x: unknown) => void): void => {
    if (Array.isArray(v)) {
      const p = packArray(v, path);
      if (p) {
        arrays.push(p);
        set(null);
      } else v.forEach((x, i) => visit(x, [...path, i], (y) => (v[i] = y)));
    } else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      for (const k of Object.keys(o)) visit(o[k], [...path, k], (y) => (o[k] = y));
    }
  };
  const root = { v: value };
  visit(value, [], (y) => (root.v = y));
  const transfer = arrays.map((a) => (a.kind === 'numbers' ? a.data.buffer : a.index.buffer) as ArrayBuffer);
  return { packed: { value: root.v, arrays }, transfer };
}

/** Elements rebuilt between two turns of the event loop. */
const UNPACK_SLICE = 50_000;
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** One packed array as a plain array, built in slices so the event loop turns in between. */
async function unpackArray(a: PackedArray): Promise<unknown[]> {
  // Grown by push: `new Array(n)` of a million is a slow dictionary-mode array.
  const out: unknown[] = [];
  const n = a.kind === 'numbers' ? a.data.length : a.index.length;
  for (let start = 0; start < n; start += UNPACK_SLICE) {
    if (start) await turn();
    const end = Math.min(n, start + UNPACK_SLICE);
    if (a.kind === 'strings') for (let i = start; i < end; i++) out.push(a.dict[a.index[i] as number]);
    else if (!a.nulls) for (let i = start; i < end; i++) out.push(a.data[i]);
    else {
      for (let i = start; i < end; i++) {
        const x = a.data[i] as number;
        out.push(Number.isNaN(x) ? null : x);
      }
    }
  }
  return out;
}

/** The value `pack` was given, rebuilt. */
export async function unpack(p: Packed): Promise<unknown> {
  let value = p.value;
  for (const a of p.arrays) {
    const out = await unpackArray(a);
    if (!a.path.length) {
      value = out;
      continue;
    }
    let at = value as Record<string | number, unknown>;
    for (const k of a.path.slice(0, -1)) at = at[k] as Record<string | number, unknown>;
    at[a.path[a.path.length - 1] as string | number] = out;
  }
  return value;
}
