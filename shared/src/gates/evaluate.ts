/**
 * Runs a model's declared gates against a candidate and the Production version side by side on the
 * same data, in-process (onnxruntime, one session per model), and turns the outcome into the
 * report `mlops check`, the daemon and the registry share. Where the data comes from (the store's
 * dataset versions, or the repository's files on a CI runner) is the caller's business.
 */
import { type CheckReport, type GateName, type GateResult } from '../../../schemas/src/gates';
import { type ModelGates } from '../../../schemas/src/mlops-yaml';
import { type FeatureValue, type ServingModelSpec } from '../../../schemas/src/serving';
import { LoadedModel } from '../serving/model';
import { neutralRow } from '../serving/validate';
import { canonicalAgreement, readCanonical } from './canonical';
import { GateCannotRun, predictionsOf, readHoldout, runAll, type Holdout } from './data';
import { computeMetric, MetricError } from './metrics';
import { exitCodeOf, fmt, holdoutRule, latencyRule, percentile } from './rules';

export interface GateModel {
  version: number | null;
  spec: ServingModelSpec;
}

/** What a shadow run measured, when the candidate ran as a shadow of Production. */
export interface ShadowSummary {
  requests: number;
  agreement: number;
}

export interface GateContext {
  model: string;
  gates: ModelGates;
  task: 'classification' | 'regression';
  candidate: GateModel;
  production: GateModel | null;
  /** The files of a holdout dataset reference ("name" or "name@3"); throws GateCannotRun. */
  holdoutFiles(ref: string): string[] | Promise<string[]>;
  /** Absolute path of a project file named in the config. */
  projectFile(rel: string): string;
  shadow?(): ShadowSummary | null | Promise<ShadowSummary | null>;
  onProgress?(gate: GateName, text: string): void;
}

interface Loaded {
  candidate: LoadedModel;
  production: LoadedModel | null;
  holdout?: Holdout;
  canonicalRows?: FeatureValue[][];
}

const errorResult = (name: GateName, rule: string, detail: string): GateResult => ({
  name,
  passed: false,
  status: 'error',
  candidate: null,
  production: null,
  rule,
  detail,
});

const result = (name: GateName, r: { passed: boolean; rule: string }, candidate: number, production: number | null, detail: string): GateResult => ({
  name,
  passed: r.passed,
  status: r.passed ? 'pass' : 'fail',
  candidate,
  production,
  rule: r.rule,
  detail,
});

async function holdoutGate(ctx: GateContext, m: Loaded): Promise<GateResult> {
  const g = ctx.gates.holdout;
  if (!g) throw new Error('holdout gate not declared');
  const files = await ctx.holdoutFiles(g.dataset);
  m.holdout = await readHoldout(files, m.candidate.features, g.label, `holdout dataset "${g.dataset}"`);
  const { rows, labels } = m.holdout;
  ctx.onProgress?.('holdout', `${rows.length} rows`);
  const score = async (model: LoadedModel): Promise<number> => computeMetric(g.metric, labels, predictionsOf(model, await runAll(model, rows), labels, ctx.task));
  const cand = await score(m.candidate);
  const prod = m.production ? await score(m.production) : null;
  return result('holdout', holdoutRule(g, cand, prod), cand, prod, `${g.metric} on ${rows.length} rows of ${g.dataset}`);
}

async function canonicalGate(ctx: GateContext, m: Loaded): Promise<GateResult> {
  const g = ctx.gates.canonical;
  if (!g) throw new Error('canonical gate not declared');
  const { examples, rows } = readCanonical(ctx.projectFile(g.file), g.file, m.candidate.features);
  m.canonicalRows = rows;
  const cand = await canonicalAgreement(m.candidate, examples, rows, g.tolerance);
  const prod = m.production ? (await canonicalAgreement(m.production, examples, rows, g.tolerance)).share : null;
  const rule = `all ${examples.length} examples of ${g.file} within ${fmt(g.tolerance)}`;
  const detail = cand.firstMiss ? `share of examples reproduced; first difference: ${cand.firstMiss}` : 'share of examples reproduced';
  return result('canonical', { passed: cand.share === 1, rule }, cand.share, prod, detail);
}

/**
 * Candidate and Production alternate request by request (and which goes first alternates too), so
 * whatever else the machine is doing slows both alike and the ratio stays meaningful.
 */
async function interleavedP95(a: LoadedModel, b: LoadedModel | null, rows: FeatureValue[][], n: number): Promise<{ a: number; b: number | null }> {
  const ta: number[] = [];
  const tb: number[] = [];
  const time = async (m: LoadedModel, row: FeatureValue[], into: number[]): Promise<void> => {
    const t0 = performance.now();
    await m.run([row]);
    into.push(performance.now() - t0);
  };
  for (let i = 0; i < 10; i++) {
    await a.run([rows[i % rows.length] as FeatureValue[]]);
    if (b) await b.run([rows[i % rows.length] as FeatureValue[]]);
  }
  for (let i = 0; i < n; i++) {
    const row = rows[i % rows.length] as FeatureValue[];
    if (b && i % 2 === 1) await time(b, row, tb);
    await time(a, row, ta);
    if (b && i % 2 === 0) await time(b, row, tb);
  }
  return { a: percentile(ta, 95), b: b ? percentile(tb, 95) : null };
}

async function latencyGate(ctx: GateContext, m: Loaded): Promise<GateResult> {
  const g = ctx.gates.latency;
  if (!g) throw new Error('latency gate not declared');
  const rows = m.holdout?.rows ?? m.canonicalRows ?? [neutralRow(m.candidate.features)];
  ctx.onProgress?.('latency', `${g.requests} requests per model`);
  const p95 = await interleavedP95(m.candidate, m.production, rows, g.requests);
  const detail = `p95 ms of ${g.requests} single-instance predictions in-process, interleaved`;
  return result('latency', latencyRule(g, p95.a, p95.b), p95.a, p95.b, detail);
}

async function shadowGate(ctx: GateContext): Promise<GateResult> {
  const g = ctx.gates.shadow;
  if (!g) throw new Error('shadow gate not declared');
  const rule = `agreement ≥ ${fmt(g.min_agreement)} over ≥ ${g.min_requests} shadowed requests`;
  const s = ctx.shadow ? await ctx.shadow() : null;
  if (!s || s.requests === 0) {
    return errorResult('shadow', rule, `cannot run: no shadow data for this version (deploy it as a shadow, e.g. \`shadow: <alias>\` on a deployment, and send traffic)`);
  }
  if (s.requests < g.min_requests) return errorResult('shadow', rule, `cannot run: only ${s.requests} shadowed requests so far, ${g.min_requests} needed`);
  return result('shadow', { passed: s.agreement >= g.min_agreement, rule }, s.agreement, null, `agreement over ${s.requests} shadowed requests`);
}

const RUNNERS: Record<GateName, (ctx: GateContext, m: Loaded) => Promise<GateResult>> = {
  holdout: holdoutGate,
  canonical: canonicalGate,
  latency: latencyGate,
  shadow: (ctx) => shadowGate(ctx),
};

const DEFAULT_RULES: Record<GateName, string> = { holdout: 'holdout metric', canonical: 'canonical outputs', latency: 'p95 latency', shadow: 'shadow agreement' };

/** Evaluates every declared gate in a fixed order (holdout first: latency reuses its rows). */
export async function evaluateGates(ctx: GateContext): Promise<CheckReport> {
  const t0 = performance.now();
  const declared = (['holdout', 'canonical', 'latency', 'shadow'] as const).filter((n) => ctx.gates[n] !== undefined);
  const gates: GateResult[] = [];
  let loaded: Loaded | undefined;
  try {
    if (declared.length) {
      const candidate = await LoadedModel.load(ctx.candidate.spec, 1);
      loaded = { candidate, production: null };
      loaded.production = ctx.production ? await LoadedModel.load(ctx.production.spec, 1) : null;
    }
    for (const name of declared) {
      ctx.onProgress?.(name, 'running');
      try {
        gates.push(await RUNNERS[name](ctx, loaded as Loaded));
      } catch (e) {
        if (!(e instanceof GateCannotRun || e instanceof MetricError)) throw e;
        gates.push(errorResult(name, DEFAULT_RULES[name], `cannot run: ${e.message}`));
      }
    }
  } finally {
    await loaded?.candidate.release().catch(() => undefined);
    await loaded?.production?.release().catch(() => undefined);
  }
  const exit = exitCodeOf(gates);
  return {
    model: ctx.model,
    candidate_version: ctx.candidate.version,
    production_version: ctx.production?.version ?? null,
    passed: exit === 0,
    exit_code: exit,
    evaluated_at: new Date().toISOString(),
    seconds: (performance.now() - t0) / 1000,
    gates,
  };
}
