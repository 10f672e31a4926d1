/**
 * Runs a model's declared gates against a candidate and the Production version side by side on the
 * same data, in-process (onnxruntime, one session per model; the latency gate also through temporary
 * serving endpoints, latency.ts), and turns the outcome into the
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
import { type EndpointInfo } from './endpoint';
import { latencyOutcome, measureLatency } from './latency';
import { computeMetric, MetricError } from './metrics';
import { exitCodeOf, fmt, holdoutRule } from './rules';

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
  /**
   * The serving entry (dist/serving.js) the latency gate starts temporary endpoints from, and a hook
   * told of each one started (the daemon logs its pid and port).
   */
  endpoints?: { script: string; onStart?(e: EndpointInfo): void };
  onProgress?(gate: GateName, text: string): void;
}

interface Models {
  candidate: LoadedModel;
  production: LoadedModel | null;
}

interface Loaded {
  /** The in-process sessions, loaded when a gate first needs them (`via: endpoint` alone never does). */
  models(): Promise<Models>;
  holdout?: Holdout;
  canonicalRows?: FeatureValue[][];
}

async function loadModel(role: string, m: GateModel): Promise<LoadedModel> {
  try {
    return await LoadedModel.load(m.spec, 1);
  } catch (e) {
    throw new GateCannotRun(`cannot load the ${role} model (${m.version === null ? m.spec.artifact_path : `v${m.version}`}): ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Loads both models once, on first use; `release` frees whatever was loaded. */
function lazyModels(ctx: GateContext): Loaded & { release(): Promise<void> } {
  let loading: Promise<Models> | undefined;
  const held: LoadedModel[] = [];
  const load = async (): Promise<Models> => {
    const candidate = await loadModel('candidate', ctx.candidate);
    held.push(candidate);
    const production = ctx.production ? await loadModel('Production', ctx.production) : null;
    if (production) held.push(production);
    return { candidate, production };
  };
  return {
    models: () => (loading ??= load()),
    release: async () => {
      await loading?.catch(() => undefined);
      await Promise.all(held.map((m) => m.release().catch(() => undefined)));
    },
  };
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
  m.holdout = await readHoldout(files, ctx.candidate.spec.features, g.label, `holdout dataset "${g.dataset}"`);
  const { rows, labels } = m.holdout;
  ctx.onProgress?.('holdout', `${rows.length} rows`);
  const models = await m.models();
  const score = async (model: LoadedModel): Promise<number> => computeMetric(g.metric, labels, predictionsOf(model, await runAll(model, rows), labels, ctx.task));
  const cand = await score(models.candidate);
  const prod = models.production ? await score(models.production) : null;
  return result('holdout', holdoutRule(g, cand, prod), cand, prod, `${g.metric} on ${rows.length} rows of ${g.dataset}`);
}

async function canonicalGate(ctx: GateContext, m: Loaded): Promise<GateResult> {
  const g = ctx.gates.canonical;
  if (!g) throw new Error('canonical gate not declared');
  const { examples, rows } = readCanonical(ctx.projectFile(g.file), g.file, ctx.candidate.spec.features);
  m.canonicalRows = rows;
  const models = await m.models();
  const cand = await canonicalAgreement(models.candidate, examples, rows, g.tolerance);
  const prod = models.production ? (await canonicalAgreement(models.production, examples, rows, g.tolerance)).share : null;
  const rule = `all ${examples.length} examples of ${g.file} within ${fmt(g.tolerance)}`;
  const detail = cand.firstMiss ? `share of examples reproduced; first difference: ${cand.firstMiss}` : 'share of examples reproduced';
  return result('canonical', { passed: cand.share === 1, rule }, cand.share, prod, detail);
}

async function latencyGate(ctx: GateContext, m: Loaded): Promise<GateResult> {
  const g = ctx.gates.latency;
  if (!g) throw new Error('latency gate not declared');
  const measurements = await measureLatency({
    g,
    rows: m.holdout?.rows ?? m.canonicalRows ?? [neutralRow(ctx.candidate.spec.features)],
    models: () => m.models(),
    candidate: ctx.candidate.spec,
    production: ctx.production?.spec ?? null,
    ...(ctx.endpoints ? { endpoints: ctx.endpoints } : {}),
    onProgress: (text) => ctx.onProgress?.('latency', text),
  });
  const o = latencyOutcome(g, measurements);
  return { ...result('latency', o, o.candidate, o.production, o.detail), measurements };
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
  const loaded = lazyModels(ctx);
  try {
    for (const name of declared) {
      ctx.onProgress?.(name, 'running');
      try {
        gates.push(await RUNNERS[name](ctx, loaded));
      } catch (e) {
        if (!(e instanceof GateCannotRun || e instanceof MetricError)) throw e;
        gates.push(errorResult(name, DEFAULT_RULES[name], `cannot run: ${e.message}`));
      }
    }
  } finally {
    await loaded.release();
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
