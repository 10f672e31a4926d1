/**
 * Two-sample Kolmogorov–Smirnov test, equal to scipy.stats.ks_2samp: the statistic from
 * right-continuous ECDFs, exact p-values from lattice-path counting when max(n1, n2) ≤ 10,000 and
 * the asymptotic ones otherwise (kstwo.sf at the rounded effective size; Hodges' formula one-sided).
 */
import { kolmognSf } from './kolmogorov';
import { gcd, lbinom, roundHalfEven } from './special';

export type KsAlternative = 'two-sided' | 'less' | 'greater';
export type KsMethod = 'auto' | 'exact' | 'asymp';

export const KS_MAX_EXACT_N = 10000;

export interface KsResult {
  statistic: number;
  pValue: number;
  /** The method that produced the p-value (auto resolves to one of these). */
  method: 'exact' | 'asymp';
  /** +1 when the reference ECDF lies above the current one at the statistic, −1 below. */
  sign: 1 | -1;
  location: number;
}

interface Extremes {
  maxS: number;
  minS: number;
  locMax: number;
  locMin: number;
}

/** First index ≥ from whose value is ≥ v, by galloping then bisection: O(log distance). */
function gallopLowerBound(a: Float64Array, v: number, from: number): number {
  const n = a.length;
  let lo = from;
  let hi = from;
  let step = 1;
  while (hi < n && (a[hi] as number) < v) {
    lo = hi + 1;
    hi += step;
    step *= 2;
  }
  if (hi > n) hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as number) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The extremes of F1 − F2 over all data points, with both ECDFs right-continuous (after ties) and
 * the difference formed as scipy does, c1/n1 − c2/n2, so that rounding agrees. Between two current
 * values F2 is constant and F1 only grows, so a run of reference values needs only its first and
 * last point: the reference side (10× larger in the benchmark) is skipped by galloping search.
 */
function ecdfExtremes(a: Float64Array, b: Float64Array): Extremes {
  const n1 = a.length;
  const n2 = b.length;
  const ex: Extremes = { maxS: -Infinity, minS: Infinity, locMax: Number.NaN, locMin: Number.NaN };
  const consider = (d: number, at: number): void => {
    if (d > ex.maxS) {
      ex.maxS = d;
      ex.locMax = at;
    }
    if (d < ex.minS) {
      ex.minS = d;
      ex.locMin = at;
    }
  };
  const run = (i: number, end: number, j: number): void => {
    const x0 = a[i] as number;
    let t = i + 1;
    while (t < end && a[t] === x0) t++;
    consider(t / n1 - j / n2, x0);
    consider(end / n1 - j / n2, a[end - 1] as number);
  };
  let i = 0;
  let j = 0;
  while (j < n2) {
    const v = b[j] as number;
    if (i < n1 && (a[i] as number) < v) {
      const end = gallopLowerBound(a, v, i);
      run(i, end, j);
      i = end;
    }
    while (i < n1 && a[i] === v) i++;
    while (j < n2 && b[j] === v) j++;
    consider(i / n1 - j / n2, v);
  }
  if (i < n1) run(i, n1, n2);
  ex.minS = Math.min(Math.max(-ex.minS, 0), 1);
  return ex;
}

/** Pr(D_{n,n} ≥ h/n), Horner-like alternating sum of binomial ratios (no cancellation). */
function probOutsideSquare(n: number, h: number): number {
  let P = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
  }
  return 2 * P;
}

/**
 * Share of lattice paths (0,0)→(m,n) that leave the band |x/m − y/n| < h/lcm: a column-by-column
 * recursion on probabilities (cells outside the band hold 1), so the result never needs the huge
 * binomial normaliser and keeps full relative precision in the tail (Viehmann 2021).
 */
function probOutsideBand(m0: number, n0: number, g: number, h: number): number {
  const m = Math.max(m0, n0);
  const n = Math.min(m0, n0);
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(Math.max(lenA, n + 2)).fill(1);
  for (let j = minj; j < maxj; j++) A[j] = 0;
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    const off = minj - lastminj;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = ((A[jj + off] as number) * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, curlen, curlen + (lastlen - curlen));
  }
  return A[maxj - minj - 1] as number;
}

/**
 * One-sided: share of paths that reach n·x − m·y ≥ h·g, i.e. x/m − y/n ≥ h/lcm. The same probability
 * recursion as the two-sided band, with the barrier on one side only.
 */
function probOneSided(m0: number, n0: number, g: number, h: number): number {
  const m = Math.max(m0, n0);
  const n = Math.min(m0, n0);
  const mg = m / g;
  const ng = n / g;
  const col = new Float64Array(n + 1);
  for (let j = 0; j <= n; j++) col[j] = -mg * j >= h ? 1 : 0;
  for (let i = 1; i <= m; i++) {
    let below = ng * i >= h ? 1 : (col[0] as number);
    col[0] = below;
    for (let j = 1; j <= n; j++) {
      const v = ng * i - mg * j >= h ? 1 : ((col[j] as number) * i + below * j) / (i + j);
      col[j] = v;
      below = v;
    }
  }
  return col[n] as number;
}

/** scipy gives up on exact one-sided counts whose binomial normaliser overflows a double. */
const LOG_DBL_MAX = Math.log(Number.MAX_VALUE);

function exactP(n1: number, n2: number, g: number, h: number, alternative: KsAlternative): number | undefined {
  if (alternative === 'two-sided') return n1 === n2 ? probOutsideSquare(n1, h) : probOutsideBand(n1, n2, g, h);
  if (n1 === n2) {
    let prob = 1;
    for (let j = 0; j < h; j++) prob *= (n1 - j) / (n1 + j + 1);
    return prob;
  }
  if (lbinom(n1 + n2, n1) >= LOG_DBL_MAX) return undefined;
  return probOneSided(n1, n2, g, h);
}

function asymptoticP(n1: number, n2: number, d: number, alternative: KsAlternative): number {
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const en = (m * n) / (m + n);
  if (alternative === 'two-sided') return kolmognSf(roundHalfEven(en), d);
  const z = Math.sqrt(en) * d;
  const expt = -2 * z ** 2 - (2 * z * (m + 2 * n)) / Math.sqrt(m * n * (m + n)) / 3;
  return Math.exp(expt);
}

/** ks_2samp on two samples already sorted ascending and free of NaN. */
export function ks2sampSorted(
  a: Float64Array,
  b: Float64Array,
  alternative: KsAlternative = 'two-sided',
  method: KsMethod = 'auto',
): KsResult {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new Error('ks_2samp needs two non-empty samples');
  const ex = ecdfExtremes(a, b);
  const useMin = alternative === 'less' || (alternative === 'two-sided' && ex.minS > ex.maxS);
  let d = useMin ? ex.minS : ex.maxS;
  const sign: 1 | -1 = useMin ? -1 : 1;
  const location = useMin ? ex.locMin : ex.locMax;
  const g = gcd(n1, n2);
  let mode: 'exact' | 'asymp' = method === 'auto' ? (Math.max(n1, n2) <= KS_MAX_EXACT_N ? 'exact' : 'asymp') : method;
  if (mode === 'exact' && n1 / g >= 2147483647 / (n2 / g)) mode = 'asymp';
  let p = Number.NaN;
  if (mode === 'exact') {
    const lcm = (n1 / g) * n2;
    const h = roundHalfEven(d * lcm);
    d = h / lcm;
    const exact = h === 0 ? 1 : exactP(n1, n2, g, h, alternative);
    if (exact === undefined || !(exact >= 0 && exact <= 1)) mode = 'asymp';
    else p = exact;
  }
  if (mode === 'asymp') p = asymptoticP(n1, n2, d, alternative);
  p = Math.min(Math.max(p, 0), 1);
  return { statistic: d, pValue: p, method: mode, sign, location };
}

/** Sorts a copy of a sample; typed-array sort is numeric and in native code. */
export function sortedCopy(values: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(values);
  out.sort();
  return out;
}
