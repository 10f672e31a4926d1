/**
 * Checks across sections that no generic YAML server can make: stage inputs nobody produces,
 * params keys that do not exist, deployments of undefined models, outputs written twice, stage
 * dependency cycles, datasets named but not defined.
 */
import { isScalar } from 'yaml';
import { posix } from 'node:path';
import { type ParsedYaml } from './parse';
import { locate } from '../../../shared/src/yaml-nodes';
import { closest } from './suggest';
import { formatPath } from './text';
import { type Fix, type MlopsDiagnostic, type Range } from './types';
import { diag, nodeRange } from './validate';

export interface CrossRefEnv {
  /** Whether a dependency path exists; relative paths are resolved by the caller against the workspace. */
  fileExists?: (relativePath: string) => boolean;
}

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
}

function strings(v: unknown): { value: string; index: number }[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((s, index) => (typeof s === 'string' ? [{ value: s, index }] : []));
}

function at(parsed: ParsedYaml, path: PropertyKey[]): Range {
  const found = locate(parsed.root, path);
  return nodeRange(parsed, found.node, found.deepest);
}

function keyAt(parsed: ParsedYaml, path: PropertyKey[]): Range {
  const found = locate(parsed.root, path);
  const key = found.pair?.key;
  return nodeRange(parsed, isScalar(key) ? key : found.node, found.deepest);
}

function renameFix(range: Range, to: string): Fix[] {
  return [{ title: `Change to "${to}"`, edits: [{ range, newText: to }], preferred: true }];
}

function normalise(p: string): string {
  return posix.normalize(p.replace(/\\/g, '/')).replace(/^\.\//, '').replace(/\/$/, '');
}

/** Dotted keys of every leaf of the params tree. */
function paramKeys(params: unknown, prefix = '', out: string[] = [], depth = 0): string[] {
  const o = obj(params);
  if (!o || depth > 32) return out;
  for (const [k, v] of Object.entries(o)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (obj(v)) paramKeys(v, key, out, depth + 1);
    else out.push(key);
  }
  return out;
}

function hasParam(params: unknown, dotted: string): boolean {
  const o = obj(params);
  if (!o) return false;
  if (Object.hasOwn(o, dotted)) return true;
  const dot = dotted.indexOf('.');
  for (let i = dot; i > 0; i = dotted.indexOf('.', i + 1)) {
    const head = dotted.slice(0, i);
    if (Object.hasOwn(o, head) && hasParam(o[head], dotted.slice(i + 1))) return true;
  }
  return false;
}

interface StageGraph {
  order: string[];
  edges: Map<string, Set<string>>;
}

function outputs(parsed: ParsedYaml, stages: Obj, out: MlopsDiagnostic[]): Map<string, string> {
  const producers = new Map<string, string>();
  for (const [name, s] of Object.entries(stages)) {
    for (const o of strings(obj(s)?.['outs'])) {
      const key = normalise(o.value);
      const prior = producers.get(key);
      if (prior !== undefined) {
        const path = ['pipeline', 'stages', name, 'outs', o.index];
        const who = prior === name ? 'this stage already lists it' : `stage "${prior}" also writes it`;
        out.push(diag(at(parsed, path), 'duplicate-out', `${formatPath(path)}: "${o.value}" is written twice: ${who}; every output has one producer`));
      } else producers.set(key, name);
    }
  }
  return producers;
}

function depsAndAfter(parsed: ParsedYaml, stages: Obj, env: CrossRefEnv, out: MlopsDiagnostic[]): StageGraph {
  const producers = outputs(parsed, stages, out);
  const edges = new Map<string, Set<string>>();
  const names = Object.keys(stages);
  for (const [name, s] of Object.entries(stages)) {
    const needs = new Set<string>();
    edges.set(name, needs);
    for (const d of strings(obj(s)?.['deps'])) {
      const producer = producers.get(normalise(d.value));
      if (producer !== undefined) needs.add(producer);
      else if (env.fileExists && !/[*?[\]{}]/.test(d.value) && !env.fileExists(normalise(d.value))) {
        const path = ['pipeline', 'stages', name, 'deps', d.index];
        const msg = `${formatPath(path)}: "${d.value}" is produced by no stage and does not exist in the workspace`;
        out.push(diag(at(parsed, path), 'unknown-dep', msg, undefined, true));
      }
    }
    for (const a of strings(obj(s)?.['after'])) {
      if (Object.hasOwn(stages, a.value)) needs.add(a.value);
      else {
        const path = ['pipeline', 'stages', name, 'after', a.index];
        const range = at(parsed, path);
        const guess = closest(a.value, names);
        const hint = guess ? `; did you mean "${guess}"?` : '';
        out.push(diag(range, 'unknown-stage', `${formatPath(path)}: no stage named "${a.value}"${hint}`, guess ? renameFix(range, guess) : undefined));
      }
    }
  }
  return { order: names, edges };
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

function stageChecks(parsed: ParsedYaml, root: Obj, env: CrossRefEnv, out: MlopsDiagnostic[]): void {
  const stages = obj(obj(root['pipeline'])?.['stages']);
  if (!stages) return;
  const graph = depsAndAfter(parsed, stages, env, out);
  for (const cycle of findCycles(graph)) {
    // A stage "needs" the next one, so the run order is the reverse.
    const shown = [...cycle].reverse();
    const text = [...shown, shown[0]].join(' → ');
    for (const name of cycle) {
      const path = ['pipeline', 'stages', name];
      out.push(diag(keyAt(parsed, path), 'cycle', `${formatPath(path)}: dependency cycle: ${text}`));
    }
  }
  const all = paramKeys(root['params']);
  for (const [name, s] of Object.entries(stages)) {
    for (const p of strings(obj(s)?.['params'])) {
      if (hasParam(root['params'], p.value)) continue;
      const path = ['pipeline', 'stages', name, 'params', p.index];
      const range = at(parsed, path);
      const guess = closest(p.value, all);
      const hint = guess ? `; did you mean "${guess}"?` : '';
      out.push(diag(range, 'unknown-param', `${formatPath(path)}: no parameter "${p.value}" under \`params\`${hint}`, guess ? renameFix(range, guess) : undefined));
    }
  }
}

function datasetRef(parsed: ParsedYaml, datasets: string[], path: PropertyKey[], value: unknown, out: MlopsDiagnostic[]): void {
  if (typeof value !== 'string') return;
  const name = value.replace(/@[^@]*$/, '');
  if (datasets.includes(name)) return;
  const range = at(parsed, path);
  const guess = closest(name, datasets);
  const hint = guess ? `; did you mean "${guess}"?` : '';
  out.push(diag(range, 'unknown-dataset', `${formatPath(path)}: no dataset "${name}" under \`data\`${hint}`, guess ? renameFix(range, guess) : undefined));
}

function referenceChecks(parsed: ParsedYaml, root: Obj, out: MlopsDiagnostic[]): void {
  const models = Object.keys(obj(root['models']) ?? {});
  for (const [name, d] of Object.entries(obj(root['deployments']) ?? {})) {
    const model = obj(d)?.['model'];
    if (typeof model !== 'string' || models.includes(model)) continue;
    const path = ['deployments', name, 'model'];
    const range = at(parsed, path);
    const guess = closest(model, models);
    const hint = guess ? `; did you mean "${guess}"?` : models.length ? ` (defined: ${models.join(', ')})` : ' (no models are defined)';
    out.push(diag(range, 'unknown-model', `${formatPath(path)}: no model "${model}" under \`models\`${hint}`, guess ? renameFix(range, guess) : undefined));
  }
  const datasets = Object.keys(obj(root['data']) ?? {});
  const triggers = obj(root['pipeline'])?.['triggers'];
  (Array.isArray(triggers) ? triggers : []).forEach((t, i) => {
    const trig = obj(t);
    if (!trig) return;
    if (trig['kind'] === 'schedule' && trig['cron'] === undefined) {
      const path = ['pipeline', 'triggers', i, 'kind'];
      out.push(diag(at(parsed, path), 'missing-cron', `${formatPath(['pipeline', 'triggers', i])}: a "schedule" trigger needs \`cron\` (e.g. "0 3 * * *")`, undefined, true));
    }
    datasetRef(parsed, datasets, ['pipeline', 'triggers', i, 'dataset'], trig['dataset'], out);
  });
  for (const [name, d] of Object.entries(obj(root['data']) ?? {})) {
    datasetRef(parsed, datasets, ['data', name, 'reference'], obj(d)?.['reference'], out);
  }
  const beats = obj(obj(root['gates'])?.['beats_production']);
  datasetRef(parsed, datasets, ['gates', 'beats_production', 'dataset'], beats?.['dataset'], out);
}

export function crossRefDiagnostics(parsed: ParsedYaml, env: CrossRefEnv): MlopsDiagnostic[] {
  const root = obj(parsed.value);
  if (!root) return [];
  const out: MlopsDiagnostic[] = [];
  stageChecks(parsed, root, env, out);
  referenceChecks(parsed, root, out);
  return out;
}
