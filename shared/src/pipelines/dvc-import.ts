/**
 * `mlops import dvc`: a DVC project's `dvc.yaml` (+ `params.yaml`) as mlops.yaml pipeline stages and
 * params. Stages map key for key (cmd, deps, outs, params, metrics, desc); `wdir` becomes a `cd` and
 * project-relative paths; `foreach` and `matrix` are expanded into one stage per item (DVC names
 * them `stage@key`, here `stage-key`); `vars` and `${…}` are filled where they name a value of
 * `vars`, params.yaml or the item. The result is merged into mlops.yaml through the `yaml`
 * Document API, so comments and layout stay, and nothing already there is overwritten: a stage or
 * param of the same name is kept and reported. What cannot be carried is reported with its line.
 */
import { posix } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';

export interface DvcInput {
  /** dvc.yaml's text and name (for messages). */
  dvcYaml: string;
  dvcFile: string;
  /** params.yaml's text, if the project has one. */
  paramsYaml?: string;
  /** Other files `vars` or stage params name (path → text); missing ones are reported. */
  readFile(path: string): string | undefined;
  /** The current mlops.yaml text. */
  mlopsYaml: string;
}

export interface NotCarried {
  line: number;
  path: string;
  message: string;
}

export interface DvcImport {
  stagesAdded: string[];
  stagesKept: string[];
  paramsAdded: string[];
  paramsKept: string[];
  notCarried: NotCarried[];
  /** mlops.yaml with the additions; equal to the input when nothing was added. */
  text: string;
}

type Obj = Record<string, unknown>;
interface StageOut {
  cmd: string;
  deps: string[];
  outs: string[];
  params: string[];
  metrics: string[];
  description?: string;
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

class Importer {
  readonly lines = new LineCounter();
  readonly doc: Document;
  readonly notCarried: NotCarried[] = [];
  /** Values `${…}` can name: params.yaml, then top-level vars (later wins, as in DVC). */
  readonly context: Obj = {};
  /** params.yaml flattened to dotted keys (what mlops.yaml's `params` gets). */
  readonly params: Obj;

  constructor(private readonly input: DvcInput) {
    this.doc = parseDocument(input.dvcYaml, { lineCounter: this.lines });
    const params = input.paramsYaml ? (parseDocument(input.paramsYaml).toJS() as unknown) : {};
    this.params = isObj(params) ? params : {};
    Object.assign(this.context, this.params);
  }

  /** The line of the key (or list entry) at `path`, else of the nearest enclosing node. */
  lineOf(path: (string | number)[]): number {
    for (let n = path.length; n > 0; n--) {
      const parent = (n > 1 ? this.doc.getIn(path.slice(0, n - 1), true) : this.doc.contents) as Node | null | undefined;
      const last = path[n - 1];
      let node: Node | undefined;
      if (isMap(parent)) node = parent.items.find((pair) => isScalar(pair.key) && pair.key.value === last)?.key as Node | undefined;
      else if (isSeq(parent) && typeof last === 'number') node = parent.items[last] as Node | undefined;
      const at = node?.range?.[0];
      if (at !== undefined) return this.lines.linePos(at).line;
    }
    return 1;
  }

  report(path: (string | number)[], message: string): void {
    const key = path.join('.');
    if (this.notCarried.some((n) => n.path === key && n.message === message)) return;
    this.notCarried.push({ line: this.lineOf(path), path: key, message });
  }

  /** Top-level `vars`: inline mappings, or files (`params.yaml`, `other.yaml:key1,key2`). */
  loadVars(vars: unknown): void {
    if (vars === undefined) return;
    const list = Array.isArray(vars) ? vars : [vars];
    list.forEach((v, i) => {
      if (isObj(v)) Object.assign(this.context, v);
      else if (typeof v === 'string') {
        const [file, keys] = v.split(':') as [string, string | undefined];
        const text = this.input.readFile(file);
        const data = text === undefined ? undefined : (parseDocument(text).toJS() as unknown);
        if (!isObj(data)) return this.report(['vars', i], `vars file "${file}" is missing or not a mapping; its values are not filled in`);
        for (const [k, val] of Object.entries(data)) if (!keys || keys.split(',').includes(k)) this.context[k] = val;
      }
    });
  }
}

/** A dotted lookup (`train.lr`, `item.model`) in a nested object. */
function lookup(ctx: Obj, key: string): unknown {
  let node: unknown = ctx;
  for (const part of key.split('.')) {
    if (!isObj(node) || !Object.hasOwn(node, part)) return undefined;
    node = node[part];
  }
  return node;
}

/** Fills `${key}`; returns the unresolved keys so the caller can report them. */
function fill(text: string, ctx: Obj, unresolved: Set<string>): string {
  return text.replace(/\$\{\s*([\w.-]+)\s*\}/g, (whole, key: string) => {
    const v = lookup(ctx, key);
    if (v === undefined || (typeof v === 'object' && v !== null)) {
      unresolved.add(key);
      return whole;
    }
    return String(v);
  });
}

/** `foreach`/`matrix` → [suffix, item context] per generated stage; undefined for a plain stage. */
function expansions(stage: Obj, ctx: Obj): [string, Obj][] | undefined {
  const clean = (s: string) => s.replace(/[^\w.-]+/g, '_');
  if (stage['foreach'] !== undefined) {
    const named = typeof stage['foreach'] === 'string' ? /^\$\{\s*([\w.-]+)\s*\}$/.exec(stage['foreach']) : null;
    const each = named ? lookup(ctx, named[1] as string) : stage['foreach'];
    if (Array.isArray(each)) return each.map((item, i) => [clean(isObj(item) ? String(i) : String(item)), { item }]);
    if (isObj(each)) return Object.entries(each).map(([key, item]) => [clean(key), { key, item }]);
    return [];
  }
  if (isObj(stage['matrix'])) {
    let combos: Obj[] = [{}];
    for (const [k, values] of Object.entries(stage['matrix'])) {
      const list = Array.isArray(values) ? values : [values];
      combos = combos.flatMap((c) => list.map((v) => ({ ...c, [k]: v })));
    }
    return combos.map((c) => [Object.values(c).map((v) => clean(isObj(v) ? 'x' : String(v))).join('-'), { item: c }]);
  }
  return undefined;
}

const KNOWN = new Set(['cmd', 'deps', 'outs', 'params', 'metrics', 'desc', 'wdir', 'foreach', 'do', 'matrix', 'vars']);
const DROPPED: Record<string, string> = {
  plots: 'plots are not carried over (no plots in mlops.yaml); track them as metrics files or artifacts',
  frozen: '`frozen` has no counterpart: the stage is imported as a normal stage',
  always_changed: '`always_changed` has no counterpart: the stage is cached like any other (use `mlops run <stage> --force`)',
  meta: '`meta` is not carried over',
};

/** `path` or `{path: {cache: false, …}}` → the path, with the options that cannot be carried reported. */
function pathOf(entry: unknown, report: (m: string) => void): string | undefined {
  if (typeof entry === 'string') return entry;
  if (isObj(entry) && Object.keys(entry).length === 1) {
    const [path, opts] = Object.entries(entry)[0] as [string, unknown];
    if (isObj(opts)) {
      const extra = Object.keys(opts).filter((k) => k !== 'desc' && k !== 'cache');
      if (opts['cache'] === false) report(`"${path}": cache: false is not carried over: mlops stores every out in the cache`);
      if (extra.length) report(`"${path}": ${extra.join(', ')} not carried over`);
    }
    return path;
  }
  return undefined;
}

function convertStage(imp: Importer, name: string, raw: Obj, ctx: Obj): StageOut | undefined {
  const base = ['stages', name];
  const unresolved = new Set<string>();
  const f = (s: string) => fill(s, ctx, unresolved);
  for (const k of Object.keys(raw)) {
    if (DROPPED[k]) imp.report([...base, k], DROPPED[k]);
    else if (!KNOWN.has(k)) imp.report([...base, k], `unknown key "${k}" not carried over`);
  }
  if (isObj(raw['vars']) || Array.isArray(raw['vars'])) {
    for (const v of Array.isArray(raw['vars']) ? raw['vars'] : [raw['vars']]) if (isObj(v)) Object.assign(ctx, v);
  }
  const wdir = typeof raw['wdir'] === 'string' ? f(raw['wdir']) : '.';
  const inWdir = (p: string) => (posix.isAbsolute(p) || wdir === '.' ? p : posix.normalize(posix.join(wdir, p)));
  const cmdRaw = raw['cmd'];
  const cmds = (Array.isArray(cmdRaw) ? cmdRaw : [cmdRaw]).filter((c): c is string => typeof c === 'string').map(f);
  if (!cmds.length) {
    imp.report([...base, 'cmd'], 'no `cmd`: stage not imported');
    return undefined;
  }
  const list = (key: string): string[] => {
    const v = raw[key];
    if (v === undefined) return [];
    const items = Array.isArray(v) ? v : [v];
    return items.flatMap((e, i) => {
      const p = pathOf(e, (m) => imp.report([...base, key, i], m));
      if (p === undefined) imp.report([...base, key, i], `entry not understood: ${JSON.stringify(e)}`);
      return p === undefined ? [] : [inWdir(f(p))];
    });
  };
  const declaredMetrics = list('metrics');
  const metrics = declaredMetrics.filter((m, i) => {
    if (m.endsWith('.json')) return true;
    imp.report([...base, 'metrics', i], `"${m}": only JSON metrics files are read; listed as an out instead`);
    return false;
  });
  const outs = [...list('outs'), ...declaredMetrics.filter((m) => !metrics.includes(m))];
  const params = stageParams(imp, base, raw['params']);
  for (const k of unresolved) imp.report(base, `\${${k}} is not a value of vars, params.yaml or the item; left as written`);
  return {
    cmd: wdir === '.' ? cmds.join(' && ') : `cd ${wdir} && ${cmds.join(' && ')}`,
    deps: list('deps'),
    outs,
    params,
    metrics,
    ...(typeof raw['desc'] === 'string' ? { description: raw['desc'] } : {}),
  };
}

/** `params:` of a stage: keys of params.yaml; other files' keys are reported (their values are not in mlops.yaml). */
function stageParams(imp: Importer, base: (string | number)[], raw: unknown): string[] {
  if (raw === undefined) return [];
  const out: string[] = [];
  (Array.isArray(raw) ? raw : [raw]).forEach((p, i) => {
    if (typeof p === 'string') out.push(p);
    else if (isObj(p)) {
      for (const [file, keys] of Object.entries(p)) {
        if (file === 'params.yaml' && Array.isArray(keys)) out.push(...keys.filter((k): k is string => typeof k === 'string'));
        else imp.report([...base, 'params', i], `params from "${file}" are not carried over: move them into params.yaml (mlops.yaml's params) first`);
      }
    }
  });
  for (const [i, key] of out.entries()) if (lookup(imp.params, key) === undefined) imp.report([...base, 'params', i], `param "${key}" is not in params.yaml; the stage lists it, mlops run will refuse it until it is declared`);
  return out;
}

/** Every dotted leaf key of a params object (lists count as leaves). */
function leaves(obj: Obj, prefix: string[] = []): [string[], unknown][] {
  return Object.entries(obj).flatMap(([k, v]) => (isObj(v) && Object.keys(v).length ? leaves(v, [...prefix, k]) : [[[...prefix, k], v] as [string[], unknown]]));
}

function stagesOf(imp: Importer): [string, StageOut][] {
  const root = imp.doc.toJS() as unknown;
  if (!isObj(root) || !isObj(root['stages'])) return [];
  imp.loadVars(root['vars']);
  for (const k of Object.keys(root)) if (!['stages', 'vars', 'params'].includes(k)) imp.report([k], `top-level "${k}" is not carried over`);
  const out: [string, StageOut][] = [];
  for (const [name, value] of Object.entries(root['stages'])) {
    if (!isObj(value)) continue;
    const gen = expansions(value, imp.context);
    if (!gen) {
      const s = convertStage(imp, name, value, { ...imp.context });
      if (s) out.push([name, s]);
      continue;
    }
    const body = isObj(value['do']) ? value['do'] : value;
    for (const [suffix, itemCtx] of gen) {
      const s = convertStage(imp, name, body, { ...imp.context, ...itemCtx });
      if (s) out.push([`${name}-${suffix}`, s]);
    }
    const form = value['foreach'] !== undefined ? 'foreach' : 'matrix';
    imp.report(['stages', name, form], `${form} expanded into ${gen.length} stages ${name}-…`);
  }
  return out;
}

export function importDvc(input: DvcInput): DvcImport {
  const imp = new Importer(input);
  const target = parseDocument(input.mlopsYaml);
  const result: DvcImport = { stagesAdded: [], stagesKept: [], paramsAdded: [], paramsKept: [], notCarried: imp.notCarried, text: input.mlopsYaml };
  for (const [path, value] of leaves(imp.params)) {
    const key = path.join('.');
    if (target.hasIn(['params', ...path])) result.paramsKept.push(key);
    else if (!blockedBy(target, ['params', ...path])) {
      target.setIn(['params', ...path], value);
      result.paramsAdded.push(key);
    } else result.paramsKept.push(key);
  }
  for (const [name, stage] of stagesOf(imp)) {
    if (target.hasIn(['pipeline', 'stages', name])) {
      result.stagesKept.push(name);
      continue;
    }
    const node: Obj = { cmd: stage.cmd };
    for (const k of ['deps', 'outs', 'params', 'metrics'] as const) if (stage[k].length) node[k] = stage[k];
    if (stage.description) node['description'] = stage.description;
    target.setIn(['pipeline', 'stages', name], target.createNode(node));
    result.stagesAdded.push(name);
  }
  if (result.stagesAdded.length || result.paramsAdded.length) result.text = target.toString();
  result.notCarried.sort((a, b) => a.line - b.line);
  return result;
}

/** True when a scalar already sits on the way to `path` (a user's value is never replaced by a mapping). */
function blockedBy(doc: Document, path: string[]): boolean {
  for (let i = 1; i < path.length; i++) {
    const node = doc.getIn(path.slice(0, i), true) as Node | undefined;
    if (node && (isScalar(node) || isSeq(node))) return true;
    if (node && !isMap(node)) return true;
  }
  return false;
}
