/**
 * Static checks of `pipeline.stages`, shared by `mlops run` (refuses to start) and the language
 * server (underlines as you type), so both name the same stage, key and problem in the same words.
 * Works on the plain parsed YAML (unknown shapes are skipped: the schema reports those).
 */
import { posix } from 'node:path';
import { closest, formatPath } from '../suggest';

export type PipelineProblemCode =
  | 'unknown-dep'
  | 'unknown-param'
  | 'unknown-stage'
  | 'unknown-dataset'
  | 'unknown-model'
  | 'unknown-deployment'
  | 'duplicate-out'
  | 'cycle'
  | 'missing-key'
  | 'invalid-value';

export interface PipelineProblem {
  path: (string | number)[];
  code: PipelineProblemCode;
  message: string;
  /** A replacement for the value at `path` (did-you-mean). */
  guess?: string;
  /** Underline the key of `path` rather than its value. */
  atKey?: boolean;
  /** Only a warning in the editor (a file may appear later); the runner refuses it all the same. */
  warning?: boolean;
}

export interface CheckEnv {
  /** Whether a project-relative file or folder exists (absent: deps on files are not checked). */
  fileExists?: (relativePath: string) => boolean;
}

type Obj = Record<string, unknown>;

export function obj(v: unknown): Obj | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
}

function strings(v: unknown): { value: string; index: number }[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((s, index) => (typeof s === 'string' ? [{ value: s, index }] : []));
}

/** Project-relative paths compare in one spelling; absolute paths stay absolute. */
export function normalisePath(p: string): string {
  return posix.normalize(p.replace(/\\/g, '/')).replace(/^\.\//, '').replace(/(.)\/$/, '$1');
}

export const DATA_DEP = /^data:(.+)$/;
const GLOB = /[*?[\]{}]/;
const MATRIX_REF = /\$\{([^}]+)\}/g;

/** Dotted keys of every leaf of the params tree. */
export function paramKeys(params: unknown, prefix = '', out: string[] = [], depth = 0): string[] {
  const o = obj(params);
  if (!o || depth > 32) return out;
  for (const [k, v] of Object.entries(o)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (obj(v)) paramKeys(v, key, out, depth + 1);
    else out.push(key);
  }
  return out;
}

/** The value of a dotted key; keys may themselves contain dots (`{"a.b": 1}`). */
export function paramValue(params: unknown, dotted: string): { found: boolean; value?: unknown } {
  const o = obj(params);
  if (!o) return { found: false };
  if (Object.hasOwn(o, dotted)) return { found: true, value: o[dotted] };
  for (let i = dotted.indexOf('.'); i > 0; i = dotted.indexOf('.', i + 1)) {
    const head = dotted.slice(0, i);
    if (Object.hasOwn(o, head)) {
      const r = paramValue(o[head], dotted.slice(i + 1));
      if (r.found) return r;
    }
  }
  return { found: false };
}

function unknownName(path: (string | number)[], code: PipelineProblemCode, what: string, section: string, value: string, known: string[]): PipelineProblem {
  const guess = closest(value, known);
  const hint = guess ? `; did you mean "${guess}"?` : '';
  return { path, code, message: `${formatPath(path)}: no ${what} "${value}" under \`${section}\`${hint}`, ...(guess ? { guess } : {}) };
}

/** Every out of every stage, normalised, to the stage writing it; writing one twice is a problem. */
function producers(stages: Obj, out: PipelineProblem[]): Map<string, string> {
  const found = new Map<string, string>();
  for (const [name, s] of Object.entries(stages)) {
    const st = obj(s);
    const outs = [...strings(st?.['outs']).map((o) => ({ ...o, key: 'outs' })), ...strings(st?.['metrics']).map((o) => ({ ...o, key: 'metrics' }))];
    for (const o of outs) {
      const key = normalisePath(o.value);
      const prior = found.get(key);
      if (prior !== undefined) {
        const path = ['pipeline', 'stages', name, o.key, o.index];
        const who = prior === name ? 'this stage already lists it' : `stage "${prior}" also writes it`;
        out.push({ path, code: 'duplicate-out', message: `${formatPath(path)}: "${o.value}" is written twice: ${who}; every output has one producer` });
      } else found.set(key, name);
      if (o.key === 'outs' && obj(st?.['matrix']) && !MATRIX_REF.test(o.value)) {
        const path = ['pipeline', 'stages', name, 'outs', o.index];
        out.push({ path, code: 'invalid-value', message: `${formatPath(path)}: every instance of a matrix stage would write "${o.value}"; put a matrix key in it, e.g. "\${train.seed}"` });
      }
      MATRIX_REF.lastIndex = 0;
    }
  }
  return found;
}

/** A glob dep is produced by a stage when one of that stage's outs lies below the glob's fixed folder. */
function producerOf(dep: string, outs: Map<string, string>): string | undefined {
  const key = normalisePath(dep);
  const direct = outs.get(key);
  if (direct !== undefined) return direct;
  for (let p = key.lastIndexOf('/'); p > 0; p = key.lastIndexOf('/', p - 1)) {
    const stage = outs.get(key.slice(0, p));
    if (stage !== undefined) return stage;
  }
  const prefix = `${key}/`;
  for (const [out, stage] of outs) if (out.startsWith(prefix)) return stage;
  return undefined;
}

export interface StageGraph {
  order: string[];
  /** Stage → the stages it needs. */
  edges: Map<string, Set<string>>;
}

function depProblems(ctx: { root: Obj; stages: Obj; env: CheckEnv; outs: Map<string, string> }, name: string, needs: Set<string>, out: PipelineProblem[]): void {
  const datasets = Object.keys(obj(ctx.root['data']) ?? {});
  for (const d of strings(obj(ctx.stages[name])?.['deps'])) {
    const path = ['pipeline', 'stages', name, 'deps', d.index];
    const data = DATA_DEP.exec(d.value);
    if (data) {
      const ds = data[1] as string;
      if (!datasets.includes(ds)) out.push(unknownName(path, 'unknown-dataset', 'dataset', 'data', ds, datasets));
      continue;
    }
    const producer = producerOf(d.value, ctx.outs);
    if (producer !== undefined) {
      if (producer !== name) needs.add(producer);
      continue;
    }
    if (posix.isAbsolute(d.value) || GLOB.test(d.value) || MATRIX_REF.test(d.value) || !ctx.env.fileExists) {
      MATRIX_REF.lastIndex = 0;
      continue;
    }
    if (!ctx.env.fileExists(normalisePath(d.value))) {
      out.push({ path, code: 'unknown-dep', message: `${formatPath(path)}: "${d.value}" is produced by no stage and does not exist in the workspace`, warning: true });
    }
  }
}

function afterProblems(stages: Obj, name: string, needs: Set<string>, out: PipelineProblem[]): void {
  const names = Object.keys(stages);
  for (const a of strings(obj(stages[name])?.['after'])) {
    if (Object.hasOwn(stages, a.value)) needs.add(a.value);
    else {
      const path = ['pipeline', 'stages', name, 'after', a.index];
      const guess = closest(a.value, names);
      const hint = guess ? `; did you mean "${guess}"?` : '';
      out.push({ path, code: 'unknown-stage', message: `${formatPath(path)}: no stage named "${a.value}"${hint}`, ...(guess ? { guess } : {}) });
    }
  }
}

/** Every elementary cycle found by depth-first search, each once, in dependency order. */
function findCycles(g: StageGraph): string[][] {
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const visit = (n: string): void => {
    state.set(n, 1);
    stack.push(n);
    for (const m of g.edges.get(n) ?? []) {
      if (state.get(m) === 1) {
        const cycle = stack.slice(stack.indexOf(m));
        const key = [...cycle].sort().join('\u0000');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push(cycle);
        }
      } else if (!state.has(m)) visit(m);
    }
    stack.pop();
    state.set(n, 2);
  };
  for (const n of g.order) if (!state.has(n)) visit(n);
  return cycles;
}

/** What each kind of stage must name, and whether the names exist. */
function kindProblems(root: Obj, name: string, stage: Obj, out: PipelineProblem[]): void {
  const base = ['pipeline', 'stages', name];
  const kind = typeof stage['kind'] === 'string' ? stage['kind'] : 'command';
  const need = (key: string, what: string): string | undefined => {
    const v = stage[key];
    if (typeof v === 'string') return v;
    out.push({ path: base, code: 'missing-key', atKey: true, message: `${formatPath(base)}: a ${kind} stage needs \`${key}\` (${what})` });
    return undefined;
  };
  const section = (key: string, code: PipelineProblemCode, what: string, sectionName: string, value: string | undefined) => {
    const known = Object.keys(obj(root[sectionName]) ?? {});
    if (value !== undefined && !known.includes(value)) out.push(unknownName([...base, key], code, what, sectionName, value, known));
  };
  if (kind === 'command') need('cmd', 'the command to run');
  else if (kind === 'validate') section('dataset', 'unknown-dataset', 'dataset', 'data', need('dataset', 'a dataset under `data`'));
  else if (kind === 'register') {
    section('model', 'unknown-model', 'model', 'models', need('model', 'a model under `models`'));
    const artifact = need('artifact', 'the out to register');
    const outs = strings(stage['outs']).map((o) => normalisePath(o.value));
    const deps = strings(stage['deps']).map((o) => normalisePath(o.value));
    if (artifact !== undefined && !outs.includes(normalisePath(artifact)) && !deps.includes(normalisePath(artifact))) {
      out.push({ path: [...base, 'artifact'], code: 'invalid-value', message: `${formatPath([...base, 'artifact'])}: "${artifact}" is not among the stage's deps; list it in \`deps\` so the stage runs after the stage writing it` });
    }
  } else if (kind === 'deploy') section('deployment', 'unknown-deployment', 'deployment', 'deployments', need('deployment', 'a deployment under `deployments`'));
}

function paramProblems(root: Obj, name: string, stage: Obj, out: PipelineProblem[]): void {
  const all = paramKeys(root['params']);
  for (const p of strings(stage['params'])) {
    if (paramValue(root['params'], p.value).found) continue;
    const path = ['pipeline', 'stages', name, 'params', p.index];
    const guess = closest(p.value, all);
    const hint = guess ? `; did you mean "${guess}"?` : '';
    out.push({ path, code: 'unknown-param', message: `${formatPath(path)}: no parameter "${p.value}" under \`params\`${hint}`, ...(guess ? { guess } : {}) });
  }
  for (const key of Object.keys(obj(stage['matrix']) ?? {})) {
    if (paramValue(root['params'], key).found) continue;
    const path = ['pipeline', 'stages', name, 'matrix', key];
    out.push({ path, code: 'unknown-param', atKey: true, message: `${formatPath(path)}: matrix key "${key}" is no parameter under \`params\`; a sweep varies declared params` });
  }
}

/** A deploy stage must come after the register stage of its deployment's model, or it deploys a stale version. */
function deployOrderProblems(root: Obj, stages: Obj, edges: Map<string, Set<string>>, out: PipelineProblem[]): void {
  const modelOf = (s: Obj | undefined, key: string): unknown => s?.[key];
  const deployments = obj(root['deployments']) ?? {};
  for (const [name, value] of Object.entries(stages)) {
    const stage = obj(value);
    if (stage?.['kind'] !== 'deploy' || typeof stage['deployment'] !== 'string') continue;
    const model = modelOf(obj(deployments[stage['deployment']]), 'model');
    const registers = Object.keys(stages).filter((n) => obj(stages[n])?.['kind'] === 'register' && modelOf(obj(stages[n]), 'model') === model);
    if (!registers.length) continue;
    const reach = new Set<string>();
    const visit = (n: string): void => {
      for (const m of edges.get(n) ?? []) if (!reach.has(m)) {
        reach.add(m);
        visit(m);
      }
    };
    visit(name);
    if (registers.some((r) => reach.has(r))) continue;
    const path = ['pipeline', 'stages', name];
    out.push({ path, code: 'invalid-value', atKey: true, message: `${formatPath(path)}: deploys model "${String(model)}" but does not come after its register stage "${registers[0]}"; add \`after: [${registers[0]}]\`` });
  }
}

/** The stage graph (for run order) and every problem, in stage order. */
export function checkPipeline(rootValue: unknown, env: CheckEnv = {}): { graph: StageGraph; problems: PipelineProblem[] } {
  const root = obj(rootValue) ?? {};
  const stages = obj(obj(root['pipeline'])?.['stages']) ?? {};
  const problems: PipelineProblem[] = [];
  const outs = producers(stages, problems);
  const edges = new Map<string, Set<string>>();
  for (const name of Object.keys(stages)) {
    const needs = new Set<string>();
    edges.set(name, needs);
    depProblems({ root, stages, env, outs }, name, needs, problems);
    afterProblems(stages, name, needs, problems);
    const stage = obj(stages[name]);
    if (!stage) continue;
    kindProblems(root, name, stage, problems);
    paramProblems(root, name, stage, problems);
  }
  const graph = { order: Object.keys(stages), edges };
  deployOrderProblems(root, stages, edges, problems);
  for (const cycle of findCycles(graph)) {
    // A stage "needs" the next one, so the run order is the reverse.
    const shown = [...cycle].reverse();
    const text = [...shown, shown[0]].join(' → ');
    for (const name of cycle) {
      const path = ['pipeline', 'stages', name];
      problems.push({ path, code: 'cycle', atKey: true, message: `${formatPath(path)}: dependency cycle: ${text}` });
    }
  }
  return { graph, problems };
}
