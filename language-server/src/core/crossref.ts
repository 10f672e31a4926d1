/**
 * Checks across sections that no generic YAML server can make: stage inputs nobody produces,
 * params keys that do not exist, deployments of undefined models, outputs written twice, stage
 * dependency cycles, datasets named but not defined.
 */
import { isScalar } from 'yaml';
import { checkPipeline, obj } from '../../../shared/src/pipelines/checks';
import { type ParsedYaml } from './parse';
import { locate } from '../../../shared/src/yaml-nodes';
import { closest } from '../../../shared/src/suggest';
import { formatPath } from './text';
import { type Fix, type MlopsDiagnostic, type Range } from './types';
import { fallbackDiagnostics } from './fallback';
import { diag, nodeRange } from './validate';

export interface CrossRefEnv {
  /** Whether a dependency path exists; relative paths are resolved by the caller against the workspace. */
  fileExists?: (relativePath: string) => boolean;
}

type Obj = Record<string, unknown>;

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

/** Pipeline problems come from the runner's own checks, so the editor and `mlops run` agree word for word. */
function stageChecks(parsed: ParsedYaml, root: Record<string, unknown>, env: CrossRefEnv, out: MlopsDiagnostic[]): void {
  for (const p of checkPipeline(root, env).problems) {
    const range = p.atKey ? keyAt(parsed, p.path) : at(parsed, p.path);
    out.push(diag(range, p.code, p.message, p.guess ? renameFix(range, p.guess) : undefined, p.warning));
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

/** Two deployments on the same fixed port: the second would fail to start. */
function portConflicts(parsed: ParsedYaml, root: Obj, out: MlopsDiagnostic[]): void {
  const taken = new Map<number, string>();
  for (const [name, d] of Object.entries(obj(root['deployments']) ?? {})) {
    const port = obj(d)?.['port'];
    if (typeof port !== 'number' || port === 0) continue;
    const first = taken.get(port);
    if (first === undefined) taken.set(port, name);
    else {
      const path = ['deployments', name, 'port'];
      out.push(diag(at(parsed, path), 'port-conflict', `${formatPath(path)}: port ${port} is already used by deployments.${first}; use another port or 0 (any free one)`));
    }
  }
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
  portConflicts(parsed, root, out);
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
}

/**
 * A model's gates name a holdout dataset (it must be declared), its label column (when the dataset
 * declares its columns under `expectations`, the label must be one of them) and a canonical file.
 */
function gateChecks(parsed: ParsedYaml, root: Obj, env: CrossRefEnv, out: MlopsDiagnostic[]): void {
  const data = obj(root['data']) ?? {};
  for (const [model, m] of Object.entries(obj(root['models']) ?? {})) {
    const gates = obj(obj(m)?.['gates']);
    const holdout = obj(gates?.['holdout']);
    const ds = holdout?.['dataset'];
    datasetRef(parsed, Object.keys(data), ['models', model, 'gates', 'holdout', 'dataset'], ds, out);
    const label = holdout?.['label'];
    const columns = typeof ds === 'string' ? obj(obj(obj(data[ds.replace(/@[^@]*$/, '')])?.['expectations'])?.['columns']) : undefined;
    if (typeof label === 'string' && columns && !(label in columns)) {
      const path = ['models', model, 'gates', 'holdout', 'label'];
      const names = Object.keys(columns);
      const guess = closest(label, names);
      const range = at(parsed, path);
      out.push(diag(range, 'unknown-column', `${formatPath(path)}: the dataset declares no column "${label}" (declared: ${names.join(', ')})`, guess ? renameFix(range, guess) : undefined, true));
    }
    const file = obj(gates?.['canonical'])?.['file'];
    if (typeof file === 'string' && env.fileExists && !env.fileExists(file.replace(/^\.\//, ''))) {
      const path = ['models', model, 'gates', 'canonical', 'file'];
      out.push(diag(at(parsed, path), 'missing-file', `${formatPath(path)}: no file "${file}" in the project; create it (examples with expected outputs, docs/GATES.md)`));
    }
  }
}

export function crossRefDiagnostics(parsed: ParsedYaml, env: CrossRefEnv): MlopsDiagnostic[] {
  const root = obj(parsed.value);
  if (!root) return [];
  const out: MlopsDiagnostic[] = [];
  stageChecks(parsed, root, env, out);
  referenceChecks(parsed, root, out);
  fallbackDiagnostics(parsed, root, out);
  gateChecks(parsed, root, env, out);
  return out;
}
