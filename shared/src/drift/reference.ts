/**
 * The reference profile: everything about the reference sample that the tests need, computed once
 * per dataset version — sorted finite values, PSI decile edges and bin counts, the standard
 * deviation, category counts — so that each new window costs only its own side. Profiles serialise
 * to a compact binary (JSON header + raw float64 arrays) for a disk cache.
 */
import { type Column } from './csv';
import { binCountsSorted, populationStd, psiEdges } from './distances';

export interface Dropped {
  missing: number;
  nan: number;
  infinite: number;
}

export interface NumericProfile {
  kind: 'numeric';
  name: string;
  /** Finite values, ascending. */
  sorted: Float64Array;
  dropped: Dropped;
  edges: Float64Array;
  binCounts: Float64Array;
  std: number;
}

export interface CategoricalProfile {
  kind: 'categorical';
  name: string;
  categories: string[];
  counts: Float64Array;
  dropped: Dropped;
}

export type FeatureProfile = NumericProfile | CategoricalProfile;

export interface ReferenceProfile {
  version: 1;
  rows: number;
  features: FeatureProfile[];
}

/** Finite values of a numeric column, with the NaN and ±inf it dropped counted. */
export function finiteValues(values: Float64Array): { finite: Float64Array; nan: number; infinite: number } {
  let nan = 0;
  let infinite = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v !== v) nan++;
    else if (v === Infinity || v === -Infinity) infinite++;
  }
  if (nan + infinite === 0) return { finite: values.slice(), nan, infinite };
  const finite = new Float64Array(values.length - nan - infinite);
  let k = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (Number.isFinite(v)) finite[k++] = v;
  }
  return { finite, nan, infinite };
}

function profileColumn(col: Column): FeatureProfile {
  if (col.kind === 'categorical') {
    const counts = new Float64Array(col.categories.length);
    for (let i = 0; i < col.codes.length; i++) counts[col.codes[i] as number] = (counts[col.codes[i] as number] ?? 0) + 1;
    return { kind: 'categorical', name: col.name, categories: [...col.categories], counts, dropped: { missing: col.missing, nan: 0, infinite: 0 } };
  }
  const { finite, nan, infinite } = finiteValues(col.values);
  finite.sort();
  const empty = finite.length === 0;
  const edges = empty ? new Float64Array(0) : psiEdges(finite);
  return {
    kind: 'numeric',
    name: col.name,
    sorted: finite,
    dropped: { missing: col.missing, nan, infinite },
    edges,
    binCounts: empty ? new Float64Array(1) : binCountsSorted(finite, edges),
    std: empty ? 0 : populationStd(finite),
  };
}

/** Builds the cacheable reference side from columns (e.g. from readCsv). */
export function prepareReference(columns: Column[], rows?: number): ReferenceProfile {
  const inferred = columns.reduce((m, c) => Math.max(m, (c.kind === 'numeric' ? c.values.length : c.codes.length) + c.missing), 0);
  return { version: 1, rows: rows ?? inferred, features: columns.map(profileColumn) };
}

const MAGIC = 'MLOPSDRIFT1\n';

interface HeaderEntry {
  kind: 'numeric' | 'categorical';
  name: string;
  dropped: Dropped;
  std?: number;
  categories?: string[];
  arrays: number[];
}

/** Binary form: magic, header length, JSON header, then 8-byte aligned float64 arrays. */
export function serializeProfile(p: ReferenceProfile): Buffer {
  const arrays: Float64Array[] = [];
  const add = (a: Float64Array): number => arrays.push(a) - 1;
  const entries: HeaderEntry[] = p.features.map((f) =>
    f.kind === 'numeric'
      ? { kind: f.kind, name: f.name, dropped: f.dropped, std: f.std, arrays: [add(f.sorted), add(f.edges), add(f.binCounts)] }
      : { kind: f.kind, name: f.name, dropped: f.dropped, categories: f.categories, arrays: [add(f.counts)] },
  );
  const lengths = arrays.map((a) => a.length);
  let header = Buffer.from(JSON.stringify({ version: p.version, rows: p.rows, entries, lengths }), 'utf8');
  const pad = (8 - ((MAGIC.length + 4 + header.length) % 8)) % 8;
  header = Buffer.concat([header, Buffer.alloc(pad, 32)]);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(header.length);
  return Buffer.concat([Buffer.from(MAGIC, 'latin1'), len, header, ...arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength))]);
}

export function deserializeProfile(buf: Buffer): ReferenceProfile {
  if (buf.toString('latin1', 0, MAGIC.length) !== MAGIC) throw new Error('not a drift reference profile');
  const hlen = buf.readUInt32LE(MAGIC.length);
  const start = MAGIC.length + 4;
  const head = JSON.parse(buf.toString('utf8', start, start + hlen)) as { version: 1; rows: number; entries: HeaderEntry[]; lengths: number[] };
  const arrays: Float64Array[] = [];
  let off = start + hlen;
  for (const n of head.lengths) {
    const copy = new Float64Array(n);
    new Uint8Array(copy.buffer).set(buf.subarray(off, off + n * 8));
    arrays.push(copy);
    off += n * 8;
  }
  const arr = (i: number | undefined): Float64Array => arrays[i ?? -1] ?? new Float64Array(0);
  const features: FeatureProfile[] = head.entries.map((e) =>
    e.kind === 'numeric'
      ? { kind: 'numeric', name: e.name, dropped: e.dropped, std: e.std ?? 0, sorted: arr(e.arrays[0]), edges: arr(e.arrays[1]), binCounts: arr(e.arrays[2]) }
      : { kind: 'categorical', name: e.name, dropped: e.dropped, categories: e.categories ?? [], counts: arr(e.arrays[0]) },
  );
  return { version: 1, rows: head.rows, features };
}

/** A small in-memory cache of profiles by key (e.g. dataset name + version), least recently used out. */
export class ReferenceCache {
  private readonly map = new Map<string, ReferenceProfile>();
  constructor(private readonly capacity = 8) {}

  get(key: string, build: () => ReferenceProfile): ReferenceProfile {
    const hit = this.map.get(key);
    if (hit) {
      this.map.delete(key);
      this.map.set(key, hit);
      return hit;
    }
    const made = build();
    this.map.set(key, made);
    while (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as string);
    return made;
  }
}
