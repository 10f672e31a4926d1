/**
 * The log-spaced latency histogram of monitoring slices (schemas LATENCY_HISTOGRAM): fixed memory
 * per slice whatever the traffic, mergeable by adding counts, and percentiles within ±5 % (half a
 * bucket's ratio) of the exact value. Bucket 0 holds latencies below `baseMs`; bucket i ≥ 1 holds
 * [base·r^(i-1), base·r^i); the last bucket also takes everything above.
 */
import { LATENCY_HISTOGRAM } from '../../../schemas/src/monitoring';

const { baseMs, ratio, buckets } = LATENCY_HISTOGRAM;
const LOG_RATIO = Math.log(ratio);

export function bucketOf(ms: number): number {
  if (!(ms >= baseMs)) return 0;
  return Math.min(buckets - 1, 1 + Math.floor(Math.log(ms / baseMs) / LOG_RATIO));
}

/** A representative latency of a bucket: the geometric middle of its bounds. */
export function bucketValueMs(i: number): number {
  if (i <= 0) return baseMs / 2;
  return baseMs * Math.pow(ratio, i - 0.5);
}

export function newHistogram(): Uint32Array {
  return new Uint32Array(buckets);
}

/** Sparse [bucket, count] pairs of the non-empty buckets (what a slice sends and stores). */
export function sparse(h: Uint32Array): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < h.length; i++) if (h[i]) out.push([i, h[i] as number]);
  return out;
}

export function addSparse(into: Float64Array | Uint32Array, pairs: readonly (readonly [number, number])[]): void {
  for (const [i, n] of pairs) if (i >= 0 && i < into.length) into[i] = (into[i] as number) + n;
}

/** The q-quantile (0..1) of a dense histogram, in ms; null when it is empty. */
export function quantileMs(h: ArrayLike<number>, q: number): number | null {
  let total = 0;
  for (let i = 0; i < h.length; i++) total += h[i] as number;
  if (!total) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let i = 0; i < h.length; i++) {
    seen += h[i] as number;
    if (seen >= rank) return Math.round(bucketValueMs(i) * 1000) / 1000;
  }
  return Math.round(bucketValueMs(h.length - 1) * 1000) / 1000;
}
