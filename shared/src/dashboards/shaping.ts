/**
 * Data shaping for the dashboards, pure (no I/O): what the daemon does to stored values before a
 * webview sees them. Distributions become counts on bins both sides share (so the overlay compares
 * like with like), long series are decimated to a bounded number of points that keeps every
 * bucket's extremes (a latency spike must survive), and a named window becomes a time range with a
 * bucket size that keeps the chart under its point budget.
 */

/** Counts of reference and current values on the same bins. */
export interface SharedHistogram {
  /** bins + 1 ascending edges; bin i is [edges[i], edges[i+1]) and the last bin is closed. */
  edges: number[];
  reference: number[];
  current: number[];
}

/** Counts per category, reference categories first (in their order), then those only the current side has. */
export interface CategoryCounts {
  categories: string[];
  reference: number[];
  current: number[];
}

function finiteRange(a: ArrayLike<number>, lo: number, hi: number): [number, number] {
  for (let i = 0; i < a.length; i++) {
    const v = a[i] as number;
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** Which bin of equal-width `edges` holds v (the last bin includes its right edge), or -1 outside. */
function binOf(v: number, lo: number, hi: number, bins: number): number {
  if (!(v >= lo && v <= hi)) return -1;
  if (v === hi) return bins - 1;
  return Math.min(bins - 1, Math.floor(((v - lo) / (hi - lo)) * bins));
}

/**
 * Equal-width histogram of both samples over their joint finite range (numpy.histogram's rule: the
 * last bin is closed). NaN and ±inf are left out: the drift report counts them separately. A
 * constant sample gets one bin of width 1 centred on the value.
 */
export function sharedHistogram(reference: ArrayLike<number>, current: ArrayLike<number>, bins = 20): SharedHistogram {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be a positive integer, got ${bins}`);
  let [lo, hi] = finiteRange(current, ...finiteRange(reference, Infinity, -Infinity));
  if (lo === Infinity) return { edges: [], reference: [], current: [] };
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
    bins = 1;
  }
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + ((hi - lo) * i) / bins));
  const count = (a: ArrayLike<number>): number[] => {
    const out = new Array<number>(bins).fill(0);
    for (let i = 0; i < a.length; i++) {
      const b = binOf(a[i] as number, lo, hi, bins);
      if (b >= 0) out[b] = (out[b] as number) + 1;
    }
    return out;
  };
  return { edges, reference: count(reference), current: count(current) };
}

/** Distinct finite values of both samples when there are at most `limit` of them, ascending; else undefined. */
export function fewLevels(reference: ArrayLike<number>, current: ArrayLike<number>, limit: number): number[] | undefined {
  const seen = new Set<number>();
  for (const a of [reference, current]) {
    for (let i = 0; i < a.length; i++) {
      const v = a[i] as number;
      if (!Number.isFinite(v) || seen.has(v)) continue;
      seen.add(v);
      if (seen.size > limit) return undefined;
    }
  }
  return [...seen].sort((x, y) => x - y);
}

/** Counts of a numeric feature with few distinct values (e.g. a coded category), one bar per value. */
export function levelCounts(reference: ArrayLike<number>, current: ArrayLike<number>, levels: number[]): CategoryCounts {
  const index = new Map(levels.map((v, i) => [v, i]));
  const count = (a: ArrayLike<number>): number[] => {
    const out = new Array<number>(levels.length).fill(0);
    for (let i = 0; i < a.length; i++) {
      const k = index.get(a[i] as number);
      if (k !== undefined) out[k] = (out[k] as number) + 1;
    }
    return out;
  };
  return { categories: levels.map(String), reference: count(reference), current: count(current) };
}

/** Dictionary-coded samples (as the CSV reader gives them) counted over one category list. */
export function categoryCounts(
  reference: { categories: readonly string[]; codes: ArrayLike<number> },
  current: { categories: readonly string[]; codes: ArrayLike<number> },
): CategoryCounts {
  const categories = [...reference.categories];
  const index = new Map(categories.map((c, i) => [c, i]));
  for (const c of current.categories) if (!index.has(c)) index.set(c, categories.push(c) - 1);
  const count = (side: { categories: readonly string[]; codes: ArrayLike<number> }): number[] => {
    const slot = side.categories.map((c) => index.get(c) as number);
    const out = new Array<number>(categories.length).fill(0);
    for (let i = 0; i < side.codes.length; i++) {
      const j = slot[side.codes[i] as number] as number;
      out[j] = (out[j] as number) + 1;
    }
    return out;
  };
  return { categories, reference: count(reference), current: count(current) };
}

/** A series as parallel arrays; x ascending (e.g. epoch milliseconds). */
export interface XY {
  x: number[];
  y: number[];
}

/**
 * Indexes of at most `maxPoints` points: the index range is cut into maxPoints/2 buckets and each
 * keeps the index of its minimum and of its maximum (in order), so spikes and dips survive and the
 * envelope of the series is exact. Parallel series decimated by one of them share these indexes.
 */
export function minMaxIndexes(y: ArrayLike<number>, maxPoints: number): number[] {
  if (maxPoints < 2) throw new RangeError(`maxPoints must be at least 2, got ${maxPoints}`);
  const n = y.length;
  if (n <= maxPoints) return Array.from({ length: n }, (_, i) => i);
  const buckets = Math.floor(maxPoints / 2);
  const out: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor((b * n) / buckets);
    const end = Math.floor(((b + 1) * n) / buckets);
    let lo = start;
    let hi = start;
    for (let i = start + 1; i < end; i++) {
      if ((y[i] as number) < (y[lo] as number)) lo = i;
      if ((y[i] as number) > (y[hi] as number)) hi = i;
    }
    if (lo === hi) out.push(lo);
    else out.push(Math.min(lo, hi), Math.max(lo, hi));
  }
  return out;
}

/** A series decimated to at most `maxPoints` by minMaxIndexes; short series come back as copies. */
export function decimateMinMax(series: XY, maxPoints: number): XY {
  const n = Math.min(series.x.length, series.y.length);
  const keep = minMaxIndexes(series.y.slice(0, n), maxPoints);
  return { x: keep.map((i) => series.x[i] as number), y: keep.map((i) => series.y[i] as number) };
}

export const WINDOW_KINDS = ['hour', 'day', 'week', 'custom'] as const;
export type WindowKind = (typeof WINDOW_KINDS)[number];

const MINUTE = 60_000;
const SPAN: Record<Exclude<WindowKind, 'custom'>, number> = { hour: 60 * MINUTE, day: 24 * 60 * MINUTE, week: 7 * 24 * 60 * MINUTE };
/** Bucket sizes a range may be aggregated into: per-minute aggregates are the finest the daemon stores. */
export const BUCKETS_MS = [MINUTE, 5 * MINUTE, 15 * MINUTE, 60 * MINUTE, 6 * 60 * MINUTE, 24 * 60 * MINUTE] as const;

export interface TimeRange {
  from: number;
  to: number;
  /** Aggregation bucket: the smallest of BUCKETS_MS that keeps the range within the point budget. */
  bucketMs: number;
}

/**
 * The time range of a window ending `now` (custom: from..to as given, checked), with its bucket.
 * Throws a RangeError naming the problem for a custom range that is empty, reversed or not finite.
 */
export function windowRange(kind: WindowKind, now: number, custom?: { from: number; to: number }, maxPoints = 1500): TimeRange {
  let from: number;
  let to: number;
  if (kind === 'custom') {
    if (!custom) throw new RangeError('a custom window needs from and to');
    ({ from, to } = custom);
    if (!Number.isFinite(from) || !Number.isFinite(to)) throw new RangeError('custom window: from and to must be valid times');
    if (from >= to) throw new RangeError(`custom window: from (${new Date(from).toISOString()}) must be before to (${new Date(to).toISOString()})`);
  } else {
    to = now;
    from = now - SPAN[kind];
  }
  const span = to - from;
  const bucketMs = BUCKETS_MS.find((b) => span / b <= maxPoints) ?? (BUCKETS_MS[BUCKETS_MS.length - 1] as number);
  return { from, to, bucketMs };
}

/** Indexes [start, end) of the sorted times that fall in [from, to). Binary search: O(log n). */
export function sliceByTime(times: ArrayLike<number>, from: number, to: number): [number, number] {
  const lower = (t: number): number => {
    let lo = 0;
    let hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((times[mid] as number) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return [lower(from), lower(to)];
}
