/**
 * Special functions the drift tests need, written for relative accuracy near machine precision:
 * log-gamma, Stirling's error term, Loader's saddle-point binomial density, and the regularized
 * upper incomplete gamma function (chi-square survival), including far tails such as 1e-300.
 */

const LN_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** ln Γ(x) for x > 0 by shifting to x ≥ 15 and using the Stirling series there. */
export function lgamma(x: number): number {
  if (!(x > 0)) return Number.NaN;
  let shift = 0;
  let prod = 1;
  let y = x;
  while (y < 15) {
    prod *= y;
    y += 1;
    shift++;
  }
  const base = (y - 0.5) * Math.log(y) - y + LN_SQRT_2PI + stirlingSeries(y);
  return shift > 0 ? base - Math.log(prod) : base;
}

/** Σ B_2k / (2k(2k-1) y^(2k-1)) for y ≥ 15: six terms reach double precision there. */
function stirlingSeries(y: number): number {
  const r = 1 / y;
  const r2 = r * r;
  return (
    r *
    (1 / 12 -
      r2 * (1 / 360 - r2 * (1 / 1260 - r2 * (1 / 1680 - r2 * (1 / 1188 - r2 * (691 / 360360 - r2 * (1 / 156)))))))
  );
}

/**
 * Stirling's error: ln Γ(x+1) − ((x+½)·ln x − x + ln√(2π)). Small-x values come from ln Γ, where
 * the cancellation costs little because the terms are small; large x uses the series directly.
 */
export function stirlerr(x: number): number {
  if (x > 15) return stirlingSeries(x);
  if (x === 0) return -Infinity;
  return lgamma(x + 1) - ((x + 0.5) * Math.log(x) - x + LN_SQRT_2PI);
}

/** x·ln(x/np) + np − x without cancellation (Loader 2000). */
export function bd0(x: number, np: number): number {
  if (Math.abs(x - np) < 0.1 * (x + np)) {
    let v = (x - np) / (x + np);
    const s0 = (x - np) * v;
    let s = s0;
    let ej = 2 * x * v;
    v *= v;
    for (let j = 1; j < 1000; j++) {
      ej *= v;
      const s1 = s + ej / (2 * j + 1);
      if (s1 === s) return s1;
      s = s1;
    }
    return s;
  }
  return x * Math.log(x / np) + np - x;
}

/**
 * Binomial probability C(n,k) p^k q^(n−k), given np = n·p and nq = n·q separately so that callers
 * can form both without the rounding of 1 − p.
 */
export function dbinom(k: number, n: number, np: number, nq: number): number {
  if (np === 0) return k === 0 ? 1 : 0;
  if (nq === 0) return k === n ? 1 : 0;
  if (k === 0) return Math.exp(n * Math.log(nq / n));
  if (k === n) return Math.exp(n * Math.log(np / n));
  const lc = stirlerr(n) - stirlerr(k) - stirlerr(n - k) - bd0(k, np) - bd0(n - k, nq);
  return Math.exp(lc) * Math.sqrt(n / (2 * Math.PI * k * (n - k)));
}

/** ln C(n, k) for integers 0 ≤ k ≤ n. */
export function lbinom(n: number, k: number): number {
  if (k === 0 || k === n) return 0;
  return lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1);
}

/** x^a e^(−x) / Γ(a), the common prefactor of both incomplete gamma expansions. */
function gammaPrefactor(a: number, x: number): number {
  if (a < 10) return Math.exp(a * Math.log(x) - x - lgamma(a));
  // Γ(a) = √(2π/a) (a/e)^a e^stirlerr(a): keeps the huge a·ln x and ln Γ(a) from cancelling.
  return Math.sqrt(a / (2 * Math.PI)) * Math.exp(-bd0(a, x) - stirlerr(a));
}

/** P(a, x) by its power series; converges for x < a + 1. */
function gammaPSeries(a: number, x: number): number {
  let term = 1 / a;
  let sum = term;
  for (let n = 1; n < 100000; n++) {
    term *= x / (a + n);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum * gammaPrefactor(a, x);
}

/** Q(a, x) by its continued fraction (modified Lentz); converges for x ≥ a + 1. */
function gammaQFraction(a: number, x: number): number {
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 100000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return gammaPrefactor(a, x) * h;
}

/** Regularized upper incomplete gamma Q(a, x) = Γ(a, x) / Γ(a). */
export function gammaQ(a: number, x: number): number {
  if (Number.isNaN(a) || Number.isNaN(x) || a <= 0 || x < 0) return Number.NaN;
  if (x === 0) return 1;
  if (!Number.isFinite(x)) return 0;
  if (x < a + 1) return 1 - gammaPSeries(a, x);
  return gammaQFraction(a, x);
}

/** Survival function of the chi-square distribution with `dof` degrees of freedom. */
export function chi2Sf(stat: number, dof: number): number {
  if (stat <= 0) return 1;
  return gammaQ(dof / 2, stat / 2);
}

/** numpy's round-half-to-even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  if (Math.abs(x % 1) === 0.5 && r % 2 !== 0) return r - 1;
  return r;
}

export function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y) [x, y] = [y, x % y];
  return x;
}
