/**
 * The gates' pass/fail rules, apart from measurement so they are tested on plain numbers: the
 * holdout comparison (better by min_delta, or not worse than tolerance, or an absolute min without
 * Production) and the latency ratio and SLA.
 */
import { type GateResult } from '../../../schemas/src/gates';
import { LOWER_IS_BETTER, type ModelGates } from '../../../schemas/src/mlops-yaml';

type HoldoutCfg = NonNullable<ModelGates['holdout']>;
type LatencyCfg = NonNullable<ModelGates['latency']>;

/** Float noise in a metric difference must not flip a rule decided at exactly the threshold. */
const SLACK = 1e-12;

export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(3) : String(Number(v.toFixed(4)));
}

export function holdoutRule(g: HoldoutCfg, candidate: number, production: number | null): { passed: boolean; rule: string } {
  const lower = LOWER_IS_BETTER.has(g.metric);
  const cmp = lower ? '≤' : '≥';
  if (production === null) {
    if (g.min === undefined) return { passed: true, rule: `no Production version and no \`min\`: nothing to beat` };
    const passed = lower ? candidate <= g.min + SLACK : candidate >= g.min - SLACK;
    return { passed, rule: `${g.metric} ${cmp} ${fmt(g.min)} (no Production version)` };
  }
  const gain = lower ? production - candidate : candidate - production;
  if (g.tolerance !== undefined) {
    const sign = lower ? '+' : '−';
    return { passed: gain >= -g.tolerance - SLACK, rule: `${g.metric} ${cmp} Production ${sign} ${fmt(g.tolerance)}` };
  }
  const delta = g.min_delta ?? 0;
  const sign = lower ? '−' : '+';
  return { passed: gain >= delta - SLACK, rule: delta === 0 ? `${g.metric} ${cmp} Production` : `${g.metric} ${cmp} Production ${sign} ${fmt(delta)}` };
}

export function latencyRule(g: LatencyCfg, candidate: number, production: number | null): { passed: boolean; rule: string } {
  const parts: string[] = [];
  let passed = true;
  if (production !== null) {
    parts.push(`p95 ≤ ${fmt(g.max_ratio)} × Production`);
    if (candidate > g.max_ratio * production) passed = false;
  }
  if (g.p95_ms !== undefined) {
    parts.push(`p95 ≤ ${fmt(g.p95_ms)} ms`);
    if (candidate > g.p95_ms) passed = false;
  }
  return { passed, rule: parts.length ? parts.join(' and ') : 'no Production version and no `p95_ms`: nothing to meet' };
}

/** Nearest-rank percentile of unsorted samples. */
export function percentile(samples: number[], p: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] as number;
}

/** 2 when a gate could not run, else 1 when one failed, else 0. */
export function exitCodeOf(gates: GateResult[]): 0 | 1 | 2 {
  if (gates.some((g) => g.status === 'error')) return 2;
  return gates.some((g) => !g.passed) ? 1 : 0;
}
