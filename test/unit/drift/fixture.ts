/** Loads the scipy reference fixture and regenerates its samples (same MINSTD generator as the script). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SampleSpec {
  kind: 'values' | 'uniform' | 'bell' | 'ties';
  seed: number;
  n: number;
  loc?: number;
  scale?: number;
  levels?: number;
  values?: number[];
}

const MOD = 2147483647;

function minstd(seed: number, count: number): number[] {
  let x = seed;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    x = (48271 * x) % MOD;
    out.push(x / MOD);
  }
  return out;
}

export function sample(spec: SampleSpec): number[] {
  const loc = spec.loc ?? 0;
  const scale = spec.scale ?? 1;
  if (spec.kind === 'values') return spec.values ?? [];
  if (spec.kind === 'uniform') return minstd(spec.seed, spec.n).map((u) => loc + scale * u);
  if (spec.kind === 'bell') {
    const u = minstd(spec.seed, 3 * spec.n);
    return Array.from({ length: spec.n }, (_, i) => loc + scale * ((u[3 * i] ?? 0) + (u[3 * i + 1] ?? 0) + (u[3 * i + 2] ?? 0) - 1.5));
  }
  return minstd(spec.seed, spec.n).map((u) => loc + Math.floor(u * (spec.levels ?? 1)));
}

export interface Fixture {
  scipy: string;
  ks: { name: string; a: SampleSpec; b: SampleSpec; alternative: 'two-sided' | 'less' | 'greater'; statistic: number; p_value: number; exact: boolean }[];
  kstwo: { n: number; x: number; sf: number }[];
  smirnov: { n: number; x: number; sf: number }[];
  chi2_sf: { dof: number; stat: number; sf: number }[];
  chi2: { name: string; table: number[][]; statistic: number; p_value: number; dof: number }[];
  distances: {
    name: string;
    a: SampleSpec;
    b: SampleSpec;
    psi: number;
    wasserstein: number;
    wasserstein_normalized: number;
    js_on_psi_bins: number;
    quantiles: number[];
  }[];
  wasserstein_weighted: { u: number[]; v: number[]; u_weights: number[]; v_weights: number[]; wasserstein: number }[];
  jensenshannon: { p: number[]; q: number[]; distance: number }[];
}

export const fixture = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'fixtures', 'drift', 'scipy-reference.json'), 'utf8'),
) as Fixture;

/** |actual − expected| ≤ rel·|expected| (exact zero must match zero). */
export function relErr(actual: number, expected: number): number {
  if (expected === 0) return actual === 0 ? 0 : Math.abs(actual);
  return Math.abs(actual - expected) / Math.abs(expected);
}
