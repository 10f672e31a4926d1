/**
 * Distances between distributions: Population Stability Index on reference-quantile bins,
 * Wasserstein-1 (scipy.stats.wasserstein_distance, weights allowed) and Jensen–Shannon distance
 * (scipy.spatial.distance.jensenshannon, base 2), plus the chi-square homogeneity test.
 */
import { chi2Sf } from './special';

/** numpy.quantile(sorted, q) with the default "linear" method, on an ascending sample. */
export function quantileSorted(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  const vi = (n - 1) * q;
  if (vi >= n - 1) return sorted[n - 1] as number;
  const lo = Math.floor(vi);
  const a = sorted[lo] as number;
  const b = sorted[lo + 1] as number;
  const t = vi - lo;
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

export const PSI_QUANTILES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
export const PSI_FLOOR = 1e-4;

/** Inner bin edges at the reference deciles, duplicates dropped (outer edges are ±∞). */
export function psiEdges(sortedRef: Float64Array): Float64Array {
  const edges: number[] = [];
  for (let i = 1; i <= 9; i++) {
    const e = quantileSorted(sortedRef, i / 10);
    if (edges.length === 0 || e !== edges[edges.length - 1]) edges.push(e);
  }
  return Float64Array.from(edges);
}

/** Counts per bin (−∞, e1], (e1, e2], …, (ek, ∞) of an ascending sample: one merge pass. */
export function binCountsSorted(sorted: Float64Array, edges: Float64Array): Float64Array {
  const counts = new Float64Array(edges.length + 1);
  let bin = 0;
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i] as number;
    while (bin < edges.length && v > (edges[bin] as number)) bin++;
    counts[bin] = (counts[bin] ?? 0) + 1;
  }
  return counts;
}

/** Counts per bin of an unsorted sample: binary search over the (at most nine) inner edges. */
export function binCounts(values: Float64Array, edges: Float64Array): Float64Array {
  const counts = new Float64Array(edges.length + 1);
  const k = edges.length;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    let lo = 0;
    let hi = k;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (v > (edges[mid] as number)) lo = mid + 1;
      else hi = mid;
    }
    counts[lo] = (counts[lo] ?? 0) + 1;
  }
  return counts;
}

/** Proportions with zero shares replaced by the PSI floor (no renormalisation, as stated). */
export function flooredProportions(counts: ArrayLike<number>, total: number): Float64Array {
  const out = new Float64Array(counts.length);
  for (let i = 0; i < counts.length; i++) {
    const p = (counts[i] as number) / total;
    out[i] = p === 0 ? PSI_FLOOR : p;
  }
  return out;
}

/** PSI = Σ (cur − ref)·ln(cur / ref) over floored proportions. */
export function psi(refProps: ArrayLike<number>, curProps: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < refProps.length; i++) {
    const r = refProps[i] as number;
    const c = curProps[i] as number;
    s += (c - r) * Math.log(c / r);
  }
  return s;
}

const relEntr = (x: number, y: number): number => (x > 0 && y > 0 ? x * Math.log(x / y) : x === 0 && y >= 0 ? 0 : Infinity);

/** Jensen–Shannon distance in base 2 between two (unnormalised) weight vectors. */
export function jensenShannon(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let sp = 0;
  let sq = 0;
  for (let i = 0; i < p.length; i++) {
    sp += p[i] as number;
    sq += q[i] as number;
  }
  let left = 0;
  let right = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = (p[i] as number) / sp;
    const qi = (q[i] as number) / sq;
    const m = (pi + qi) / 2;
    left += relEntr(pi, m);
    right += relEntr(qi, m);
  }
  const js = (left + right) / Math.LN2;
  return Math.sqrt(Math.max(js, 0) / 2);
}

/**
 * Wasserstein-1 between two ascending samples: ∫|U(x) − V(x)| dx, walking the merged values once.
 * Optional weights are aligned with the sorted values.
 */
export function wasserstein(u: Float64Array, v: Float64Array, uw?: Float64Array, vw?: Float64Array): number {
  if (!uw && !vw) return wassersteinUnweighted(u, v);
  const ones = (n: number): Float64Array => new Float64Array(n).fill(1);
  const wu = uw ?? ones(u.length);
  const wv = vw ?? ones(v.length);
  const uTot = wu.reduce((s, x) => s + x, 0);
  const vTot = wv.reduce((s, x) => s + x, 0);
  let i = 0;
  let j = 0;
  let uCum = 0;
  let vCum = 0;
  let sum = 0;
  let prev = Math.min(u[0] as number, v[0] as number);
  while (i < u.length || j < v.length) {
    const x = Math.min(i < u.length ? (u[i] as number) : Infinity, j < v.length ? (v[j] as number) : Infinity);
    sum += Math.abs(uCum / uTot - vCum / vTot) * (x - prev);
    while (i < u.length && (u[i] as number) <= x) uCum += wu[i++] as number;
    while (j < v.length && (v[j] as number) <= x) vCum += wv[j++] as number;
    prev = x;
  }
  return sum;
}

/** The unweighted case as a tight merge loop (the CDFs are counts over sizes, as in scipy). */
function wassersteinUnweighted(u: Float64Array, v: Float64Array): number {
  const n1 = u.length;
  const n2 = v.length;
  let i = 0;
  let j = 0;
  let sum = 0;
  let prev = Math.min(u[0] as number, v[0] as number);
  while (i < n1 || j < n2) {
    const a = i < n1 ? (u[i] as number) : Infinity;
    const b = j < n2 ? (v[j] as number) : Infinity;
    const x = a < b ? a : b;
    const d = i / n1 - j / n2;
    sum += (d < 0 ? -d : d) * (x - prev);
    while (i < n1 && u[i] === x) i++;
    while (j < n2 && v[j] === x) j++;
    prev = x;
  }
  return sum;
}

/** Population standard deviation (numpy.std, ddof 0), two-pass for accuracy. */
export function populationStd(values: Float64Array): number {
  let mean = 0;
  for (let i = 0; i < values.length; i++) mean += values[i] as number;
  mean /= values.length;
  let ss = 0;
  for (let i = 0; i < values.length; i++) ss += ((values[i] as number) - mean) ** 2;
  return Math.sqrt(ss / values.length);
}

export interface Chi2Result {
  statistic: number;
  pValue: number;
  dof: number;
  /** Categories dropped because they are zero in both samples. */
  droppedCategories: number;
}

/**
 * scipy.stats.chi2_contingency on the 2×k table [ref; cur], with Yates' correction when dof = 1.
 * Returns undefined when fewer than two categories remain (the test is undefined there).
 */
export function chi2Homogeneity(refCounts: ArrayLike<number>, curCounts: ArrayLike<number>): Chi2Result | undefined {
  const r: number[] = [];
  const c: number[] = [];
  for (let i = 0; i < refCounts.length; i++) {
    const a = refCounts[i] as number;
    const b = curCounts[i] as number;
    if (a + b > 0) {
      r.push(a);
      c.push(b);
    }
  }
  const dropped = refCounts.length - r.length;
  if (r.length < 2) return undefined;
  const rowR = r.reduce((s, x) => s + x, 0);
  const rowC = c.reduce((s, x) => s + x, 0);
  const total = rowR + rowC;
  const dof = r.length - 1;
  let stat = 0;
  for (const [row, rowSum] of [
    [r, rowR],
    [c, rowC],
  ] as const) {
    for (let k = 0; k < row.length; k++) {
      const expected = (rowSum * ((r[k] as number) + (c[k] as number))) / total;
      let observed = row[k] as number;
      if (dof === 1) {
        const diff = expected - observed;
        observed += Math.sign(diff) * Math.min(0.5, Math.abs(diff));
      }
      stat += (observed - expected) ** 2 / expected;
    }
  }
  return { statistic: stat, pValue: chi2Sf(stat, dof), dof, droppedCategories: dropped };
}
