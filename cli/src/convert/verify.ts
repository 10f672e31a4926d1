/**
 * `mlops convert --verify`: the notebook and the generated pipeline, each run from a clean copy of
 * the project, must print the same thing cell for cell and leave equal values in every stage's
 * declared outputs. The pipeline runs through the pipeline runner in-process without tracking (a
 * verification is no experiment, and must not start a daemon in a temporary folder).
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { type ConvertPlan, type VerifyReport } from '../../../schemas/src/convert';
import { type MlopsConfig } from '../../../schemas/src/mlops-yaml';
import { formatProblems, loadConfig } from '../../../shared/src/mlops-yaml';
import { ObjectStore } from '../../../shared/src/objects';
import { statePaths } from '../../../shared/src/paths';
import { runPipeline, type StageHost } from '../../../shared/src/pipelines/runner';
import { type StageInstance } from '../../../shared/src/pipelines/plan';
import { withOverrides } from '../pipelines/host';
import { type ConvertResult } from '../../../language-server/src/convert';
import { COMPARE_PY, RUN_NOTEBOOK_PY } from './verify-py';
import { writeConversion } from '../../../language-server/src/convert/write';

const SKIP = new Set(['.mlops', '.git', 'node_modules', '.venv', 'venv', '__pycache__', '.ipynb_checkpoints']);

/** A copy of the project without state, git, environments and the generated folder. */
function copyProject(root: string, to: string, out: string): void {
  const generated = resolve(root, out);
  cpSync(root, to, {
    recursive: true,
    filter: (src) => {
      const name = src.slice(src.lastIndexOf('/') + 1);
      return !(src !== root && SKIP.has(name)) && src !== generated && !src.startsWith(`${generated}/`);
    },
  });
}

function runPython(python: string, args: string[], cwd: string): Promise<{ code: number; stderr: string }> {
  return new Promise((done) => {
    execFile(python, args, { cwd, timeout: 1_800_000, maxBuffer: 64 << 20 }, (err, _stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 127) : 0;
      done({ code, stderr: String(stderr) + (err && code === 127 ? err.message : '') });
    });
  });
}

/** The runner's host for a verification: the environment `mlops exec` gives, no tracked runs. */
function quietHost(root: string, config: MlopsConfig, python: string, env: NodeJS.ProcessEnv): StageHost {
  const tmp = join(statePaths(root).dir, 'tmp');
  return {
    begin: async () => undefined,
    startStage: async (inst: StageInstance) => {
      mkdirSync(tmp, { recursive: true });
      const params = join(tmp, `params-${inst.stage}.json`);
      writeFileSync(params, JSON.stringify(withOverrides(config.params, inst.matrix)));
      const prefix = python.includes('/') ? `${dirname(resolve(root, python))}${delimiter}` : '';
      return { ...env, PATH: `${prefix}${env['PATH'] ?? ''}`, MLOPS_PARAMS: params, MLOPS_ROOT: root, MLOPS_PYTHON: python, MLOPS_STAGE: inst.id };
    },
    endStage: async () => undefined,
    builtin: async (inst) => {
      throw new Error(`stage ${inst.id}: built-in stages are not run by a verification`);
    },
    end: async () => undefined,
  };
}

interface NotebookRun {
  missing?: string[];
  printed?: Record<string, string>;
  error?: string | null;
  failed_cell?: number | null;
}

/** Jupyter and scripts print the same things but for timings and object addresses. */
function normalise(text: string): string {
  return text
    .replace(/^(CPU times|Wall time):.*\n?/gm, '')
    .replace(/^.*± .* per loop .*\n?/gm, '')
    .replace(/ at 0x[0-9a-f]+/g, ' at 0x…')
    .replace(/\s+$/, '');
}

function firstLineDiff(a: string, b: string): string {
  const x = a.split('\n');
  const y = b.split('\n');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] !== y[i]) return `line ${i + 1}: notebook printed ${JSON.stringify(x[i] ?? '(nothing)')}, stage printed ${JSON.stringify(y[i] ?? '(nothing)')}`;
  }
  return 'they differ';
}

export interface VerifyOptions {
  root: string;
  notebook: string;
  result: ConvertResult;
  python: string;
  env: NodeJS.ProcessEnv;
  progress(text: string): void;
}

export async function verifyConversion(o: VerifyOptions): Promise<VerifyReport> {
  const plan = o.result.plan;
  const work = mkdtempSync(join(tmpdir(), 'mlops-verify-'));
  try {
    const base: VerifyReport = { equal: false, python: o.python, compared: { cells: 0, values: 0 } };
    o.progress('verify: running the notebook (nbclient) in a clean copy…\n');
    const nbRun = await runNotebook(o, work);
    if ('report' in nbRun) return { ...base, ...nbRun.report };
    o.progress('verify: running the generated pipeline in a clean copy…\n');
    const pipe = join(work, 'pipeline');
    const trace = join(work, 'trace');
    mkdirSync(trace);
    copyProject(o.root, pipe, plan.out);
    writeConversion(pipe, o.result, o.python);
    const cfg = loadConfig(pipe);
    if (!cfg.ok) return { ...base, difference: { stage: '', what: 'run', message: `the generated mlops.yaml is invalid:\n${formatProblems(cfg)}` } };
    const env = { ...o.env, MLOPS_CONVERT_TRACE: trace };
    const { results } = await runPipeline({
      root: pipe, stateDir: statePaths(pipe).dir, config: cfg.config, objects: new ObjectStore(statePaths(pipe).objects),
      stages: plan.stages.map((s) => s.name), force: true, dryRun: false, echo: () => undefined, host: quietHost(pipe, cfg.config, o.python, env),
    });
    const failed = results.find((r) => r.status === 'failed' || r.status === 'skipped');
    if (failed) {
      const log = join(statePaths(pipe).dir, 'pipelines', 'logs', `${failed.name}.log`);
      const tail = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').slice(-6).join('\n') : '';
      return { ...base, difference: { stage: failed.name, what: 'run', message: `the stage ${failed.status}: ${failed.reason}${tail ? `\n${tail}` : ''}` } };
    }
    const printed = comparePrinted(plan, nbRun.printed, trace);
    if (printed.difference) return { ...base, compared: { cells: printed.cells, values: 0 }, difference: printed.difference };
    const values = await compareValues(o, plan, work, pipe);
    return { ...base, equal: !values.difference, compared: { cells: printed.cells, values: values.compared }, ...(values.difference ? { difference: values.difference } : {}) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function runNotebook(o: VerifyOptions, work: string): Promise<{ printed: Record<string, string> } | { report: Partial<VerifyReport> }> {
  const nbDir = join(work, 'notebook');
  copyProject(o.root, nbDir, o.result.plan.out);
  writeFileSync(join(work, 'run_notebook.py'), RUN_NOTEBOOK_PY);
  writeFileSync(join(work, 'plan.json'), JSON.stringify(o.result.plan));
  const result = join(work, 'notebook-result.json');
  const r = await runPython(o.python, [join(work, 'run_notebook.py'), join(nbDir, o.notebook), join(work, 'plan.json'), join(work, 'dump'), result], nbDir);
  if (!existsSync(result)) {
    const message = r.code === 127 ? `cannot run ${o.python}: ${r.stderr.trim()}` : `running the notebook failed: ${r.stderr.trim().split('\n').slice(-3).join(' ')}`;
    return { report: { difference: { stage: '', what: 'run', message } } };
  }
  const run = JSON.parse(readFileSync(result, 'utf8')) as NotebookRun;
  if (run.missing?.length) {
    const message = `${o.python} lacks ${run.missing.join(', ')}: install them for that interpreter (e.g. \`${o.python} -m pip install ${run.missing.join(' ')}\`, or Debian's python3-${run.missing.join(' python3-')})`;
    return { report: { difference: { stage: '', what: 'run', message } } };
  }
  if (run.error) {
    const cell = run.failed_cell ?? undefined;
    return { report: { difference: { stage: '', ...(cell ? { cell } : {}), what: 'run', message: `the notebook itself fails${cell ? ` in cell ${cell}` : ''}: ${run.error}` } } };
  }
  return { printed: run.printed ?? {} };
}

function comparePrinted(plan: ConvertPlan, notebook: Record<string, string>, trace: string): { cells: number; difference?: VerifyReport['difference'] } {
  let cells = 0;
  // A dropped `!pip install` printed in the notebook only: such cells are not compared.
  const installs = new Set(plan.notes.filter((n) => n.message.includes('not converted: install')).map((n) => n.cell));
  for (const stage of plan.stages) {
    const file = join(trace, `${stage.name}.json`);
    const got = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
    for (const c of stage.cells) {
      if (notebook[String(c)] === undefined || installs.has(c)) continue; // markdown, or an install
      cells++;
      const want = normalise(notebook[String(c)] ?? '');
      const have = normalise(got[String(c)] ?? '');
      if (want !== have) return { cells, difference: { stage: stage.name, cell: c, what: 'output', message: firstLineDiff(want, have) } };
    }
  }
  return { cells };
}

async function compareValues(o: VerifyOptions, plan: ConvertPlan, work: string, pipe: string): Promise<{ compared: number; difference?: VerifyReport['difference'] }> {
  const pairs = plan.stages.flatMap((s) =>
    s.outputs.map((name) => {
      const base = join(pipe, plan.out, 'values', s.name, name);
      return { stage: s.name, name, notebook: join(work, 'dump', s.name, `${name}.pkl`), pipeline: existsSync(`${base}.parquet`) ? `${base}.parquet` : `${base}.pkl` };
    }),
  );
  if (!pairs.length) return { compared: 0 };
  writeFileSync(join(work, 'compare.py'), COMPARE_PY);
  writeFileSync(join(work, 'pairs.json'), JSON.stringify(pairs));
  const result = join(work, 'compare-result.json');
  // From the notebook's folder so classes the notebook defines in importable modules resolve.
  const r = await runPython(o.python, [join(work, 'compare.py'), join(work, 'pairs.json'), result], join(pipe, dirname(o.notebook)));
  if (!existsSync(result)) return { compared: 0, difference: { stage: '', what: 'value', message: `comparing values failed: ${r.stderr.trim().split('\n').slice(-3).join(' ')}` } };
  const c = JSON.parse(readFileSync(result, 'utf8')) as { compared: number; difference: { stage: string; name: string; message: string } | null };
  if (!c.difference) return { compared: c.compared };
  return { compared: c.compared, difference: { stage: c.difference.stage, what: 'value', message: `\`${c.difference.name}\`: ${c.difference.message}` } };
}

