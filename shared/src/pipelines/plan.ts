/**
 * From `pipeline.stages` to what runs: static checks first (nothing runs when one fails), then each
 * stage expanded into instances (one per matrix combination) with `${key}` filled in and its params
 * resolved, in an order where every instance comes after what it needs.
 */
import { type MlopsConfig, type StageConfig } from '../../../schemas/src/mlops-yaml';
import { checkPipeline, normalisePath, paramValue, type CheckEnv, type PipelineProblem } from './checks';

export type ParamValue = string | number | boolean | null | unknown[] | Record<string, unknown>;

export interface StageInstance {
  /** `train`, or `train@train.seed=1,train.lr=0.1` for a matrix instance. */
  id: string;
  stage: string;
  config: StageConfig;
  cmd?: string;
  deps: string[];
  outs: string[];
  metrics: string[];
  /** Declared params and matrix keys with their values for this instance. */
  params: Record<string, unknown>;
  /** The matrix combination, empty outside sweeps. */
  matrix: Record<string, string | number | boolean>;
  /** Instances that must finish first. */
  needs: string[];
}

export interface Plan {
  instances: StageInstance[];
  /** Instance ids by stage name. */
  byStage: Map<string, string[]>;
}

export class PlanError extends Error {
  constructor(readonly problems: PipelineProblem[]) {
    super(problems.map((p) => p.message).join('\n'));
  }
}

function combinations(matrix: Record<string, (string | number | boolean)[]>): Record<string, string | number | boolean>[] {
  let out: Record<string, string | number | boolean>[] = [{}];
  for (const [key, values] of Object.entries(matrix)) {
    out = out.flatMap((combo) => values.map((v) => ({ ...combo, [key]: v })));
  }
  return out;
}

/** Fills `${key}` from the instance's params (matrix values first). */
function interpolate(text: string, lookup: (key: string) => unknown): string {
  return text.replace(/\$\{([^}]+)\}/g, (whole, key: string) => {
    const v = lookup(key.trim());
    return v === undefined ? whole : typeof v === 'string' ? v : JSON.stringify(v);
  });
}

function instancesOf(name: string, stage: StageConfig, params: Record<string, unknown>): StageInstance[] {
  const combos = stage.matrix ? combinations(stage.matrix) : [{}];
  return combos.map((matrix) => {
    const lookup = (key: string): unknown => (Object.hasOwn(matrix, key) ? matrix[key] : paramValue(params, key).value);
    const own: Record<string, unknown> = {};
    for (const key of stage.params) own[key] = lookup(key);
    for (const [k, v] of Object.entries(matrix)) own[k] = v;
    const suffix = Object.entries(matrix)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(',');
    const fill = (list: string[]) => list.map((p) => interpolate(p, lookup));
    return {
      id: suffix ? `${name}@${suffix}` : name,
      stage: name,
      config: stage,
      ...(stage.cmd ? { cmd: interpolate(stage.cmd, lookup) } : {}),
      deps: fill(stage.deps),
      outs: fill(stage.outs),
      metrics: fill(stage.metrics),
      params: own,
      matrix,
      needs: [],
    };
  });
}

/** Orders stage names so that each comes after the stages it needs (the graph has no cycle here). */
function topoOrder(order: string[], edges: Map<string, Set<string>>): string[] {
  const done = new Set<string>();
  const out: string[] = [];
  const visit = (n: string): void => {
    if (done.has(n)) return;
    done.add(n);
    for (const m of edges.get(n) ?? []) visit(m);
    out.push(n);
  };
  order.forEach(visit);
  return out;
}

/**
 * Checks the pipeline and expands it. Instance-level needs come from matching deps against the
 * outs of each instance, so a matrix stage's consumers wait only for the instances they read.
 */
export function planPipeline(config: MlopsConfig, env: CheckEnv): Plan {
  const { graph, problems } = checkPipeline(config, env);
  if (problems.length) throw new PlanError(problems);
  const stages = config.pipeline?.stages ?? {};
  const byStage = new Map<string, string[]>();
  const instances: StageInstance[] = [];
  for (const name of topoOrder(graph.order, graph.edges)) {
    const list = instancesOf(name, stages[name] as StageConfig, config.params);
    byStage.set(name, list.map((i) => i.id));
    instances.push(...list);
  }
  const writer = new Map<string, string>();
  for (const inst of instances) for (const o of [...inst.outs, ...inst.metrics]) writer.set(normalisePath(o), inst.id);
  const stageOf = new Map(instances.map((i) => [i.id, i.stage]));
  for (const inst of instances) {
    const needs = new Set<string>();
    for (const d of inst.deps) for (const id of writersOf(normalisePath(d), writer)) if (id !== inst.id) needs.add(id);
    // Stage-level edges (from `after`, or deps matched before interpolation) cover every instance.
    const readStages = new Set([...needs].map((n) => stageOf.get(n)));
    for (const s of graph.edges.get(inst.stage) ?? []) if (!readStages.has(s)) for (const id of byStage.get(s) ?? []) needs.add(id);
    inst.needs = [...needs];
  }
  return { instances, byStage };
}

/** Instances writing a dep: the exact out, or outs inside a dep folder, or the folder out holding the dep. */
function writersOf(dep: string, writer: Map<string, string>): string[] {
  const direct = writer.get(dep);
  if (direct !== undefined) return [direct];
  const out: string[] = [];
  for (let p = dep.lastIndexOf('/'); p > 0; p = dep.lastIndexOf('/', p - 1)) {
    const id = writer.get(dep.slice(0, p));
    if (id !== undefined) out.push(id);
  }
  const prefix = `${dep}/`;
  for (const [o, id] of writer) if (o.startsWith(prefix)) out.push(id);
  return out;
}

/** The instances to consider for `mlops run a b`: those named and everything they need. */
export function selectInstances(plan: Plan, names: string[]): StageInstance[] {
  if (!names.length) return plan.instances;
  const byId = new Map(plan.instances.map((i) => [i.id, i]));
  const wanted = new Set<string>();
  const add = (id: string): void => {
    if (wanted.has(id)) return;
    wanted.add(id);
    for (const n of byId.get(id)?.needs ?? []) add(n);
  };
  for (const name of names) {
    const ids = plan.byStage.get(name) ?? (byId.has(name) ? [name] : undefined);
    if (!ids) throw new PlanError([{ path: ['pipeline', 'stages', name], code: 'unknown-stage', message: `no stage named "${name}" under pipeline.stages` }]);
    ids.forEach(add);
  }
  return plan.instances.filter((i) => wanted.has(i.id));
}
