/**
 * `npm start`: the end-to-end demo. Copies examples/churn into a fresh folder and drives the real
 * `mlops` CLI through the whole loop: data versions, two tracked training runs, registration with
 * lineage, promotion, rollback, a data change caught by the watcher, and the audit log.
 * Usage: npm start [-- <folder>]
 * Each step is one function in STEPS (title + body over the shared Demo context): add a step by
 * writing a function and listing it there.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { applyYamlEdits, yamlEdits } from '../language-server/src/python/yaml-edit';
import { servingStep } from './demo-serving';
import { notebookStep } from './demo-notebook';
import { gatesStep } from './demo-gates';
import { monitoringStep } from './demo-monitoring';
import { safetyStep } from './demo-safety';

const repo = resolve(__dirname, '..');
const cli = join(repo, 'dist', 'cli.js');
const tsx = join(repo, 'node_modules', '.bin', 'tsx');
const t0 = Date.now();

function step(title: string): void {
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  process.stdout.write(`\n\x1b[1m▶ ${title}\x1b[0m  \x1b[2m(${secs}s)\x1b[0m\n`);
}

function run(cwd: string, cmd: string, args: string[], opts: { quiet?: boolean } = {}): string {
  if (!opts.quiet) process.stdout.write(`\x1b[36m$ ${[cmd === process.execPath ? 'mlops' : cmd, ...(cmd === process.execPath ? args.slice(1) : args)].join(' ')}\x1b[0m\n`);
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  if (!opts.quiet) process.stdout.write(r.stdout + (r.stderr ?? ''));
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr}`);
  }
  return r.stdout;
}

const mlops = (cwd: string, ...args: string[]): string => run(cwd, process.execPath, [cli, ...args]);
/** The CLI where a non-zero exit is the point (a refused promotion, a failed check). */
function mlopsStatus(cwd: string, ...args: string[]): { code: number | null; out: string } {
  process.stdout.write(`\x1b[36m$ mlops ${args.join(' ')}\x1b[0m\n`);
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  return { code: r.status, out: (r.stdout + r.stderr).trimEnd() };
}
const mlopsJson = <T>(cwd: string, ...args: string[]): T =>
  JSON.parse(run(cwd, process.execPath, [cli, ...args, '--json'], { quiet: true })) as T;

/** What the steps share: the demo project's folder. */
interface Demo {
  dir: string;
}

interface Step {
  title: string;
  run: (demo: Demo) => void | Promise<void>;
}

const git = (dir: string, ...a: string[]): void => {
  const r = spawnSync('git', ['-C', dir, '-c', 'user.name=MLOps Demo', '-c', 'user.email=demo@example.invalid', ...a], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${a.join(' ')} failed: ${r.stderr}`);
};

function prepareFolder(): string {
  const dir = process.argv[2] ? resolve(process.argv[2]) : mkdtempSync(join(tmpdir(), 'mlops-demo-'));
  cpSync(join(repo, 'examples', 'churn'), dir, {
    recursive: true,
    filter: (src) => !/[\\/](data|artifacts|\.mlops)([\\/]|$)/.test(src.slice(join(repo, 'examples', 'churn').length)),
  });
  // Data is versioned by mlops (content-hashed in .mlops/), not by git; artifacts are run outputs.
  // All three are ignored before the first commit, so `mlops init` and the runs leave git clean.
  // data/ is versioned by mlops; artifacts/ and features/ are pipeline outs, kept in the store's cache.
  writeFileSync(join(dir, '.gitignore'), 'artifacts/\ndata/\nfeatures/\n.mlops/\n');
  git(dir, 'init', '-q');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'churn project');
  return dir;
}

/**
 * Sets the training params in mlops.yaml in place (only the two scalars change; comments and flow
 * maps stay byte for byte) and commits the change, so each run records a clean commit.
 */
function setParams(dir: string, lr: number, epochs: number): void {
  const file = join(dir, 'mlops.yaml');
  const text = readFileSync(file, 'utf8');
  const edits = yamlEdits(text, [
    { op: 'set', path: ['params', 'train', 'learning_rate'], value: lr },
    { op: 'set', path: ['params', 'train', 'epochs'], value: epochs },
  ]);
  if (typeof edits === 'string') throw new Error(`cannot edit mlops.yaml: ${edits}`);
  writeFileSync(file, applyYamlEdits(text, edits));
  git(dir, 'commit', '-qam', `params: learning_rate ${lr}, epochs ${epochs}`);
  process.stdout.write(`\x1b[36m# mlops.yaml: params.train.learning_rate = ${lr}, epochs = ${epochs} (committed)\x1b[0m\n`);
}

function train(dir: string, name: string): void {
  mlops(dir, 'exec', '-e', 'churn', '-n', name, '--metrics', 'artifacts/metrics.json', '--register', 'churn=artifacts/model.onnx', '--', tsx, join(repo, 'examples/churn/train.ts'), '--out', 'artifacts');
}

async function waitForVersion(dir: string, dataset: string, count: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (mlopsJson<unknown[]>(dir, 'data', 'versions', dataset).length >= count) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the watcher did not record a new version of ${dataset} within 20 s`);
}

/** The pipeline in mlops.yaml: a full run, a fully cached rerun, then a param change re-runs only what it affects. */
const PIPELINE_STEPS: Step[] = [
  {
    title: 'Run the pipeline: validate → features → train → evaluate → register',
    run: ({ dir }) => {
      // Stage commands call `tsx` from PATH and the scripts from the repo (the copy has no node_modules).
      process.env['PATH'] = `${join(repo, 'node_modules', '.bin')}:${process.env['PATH'] ?? ''}`;
      process.env['CHURN_SCRIPTS'] = join(repo, 'examples', 'churn');
      mlops(dir, 'run');
      // mlops.lock is meant to be committed, beside mlops.yaml.
      git(dir, 'add', 'mlops.lock');
      git(dir, 'commit', '-qm', 'pipeline: mlops.lock');
    },
  },
  { title: 'Run it again: every stage is cached, no file is written', run: ({ dir }) => void mlops(dir, 'run') },
  {
    title: 'Change train.learning_rate: only train, evaluate and register run again',
    run: ({ dir }) => {
      setParams(dir, 0.05, 300);
      mlops(dir, 'run', '--dry-run');
      const r = mlopsJson<{ stages: { name: string; status: string }[] }>(dir, 'run');
      const ran = r.stages.filter((s) => s.status === 'ran').map((s) => s.name);
      if (ran.join(',') !== 'train,evaluate,register') throw new Error(`expected train, evaluate and register to re-run, got: ${ran.join(', ')}`);
      console.log(`re-ran: ${ran.join(', ')}`);
      git(dir, 'commit', '-qam', 'pipeline: mlops.lock after the learning-rate change');
    },
  },
];

const STEPS: Step[] = [
  {
    title: 'Create the project from examples/churn',
    run: ({ dir }) => {
      console.log(dir);
      run(dir, tsx, [join(repo, 'examples/churn/generate-data.ts'), '--rows', '5000', '--seed', '42']);
      mlops(dir, 'init');
    },
  },
  {
    title: 'Version the data (content-hashed, like DVC)',
    run: ({ dir }) => {
      mlops(dir, 'data', 'snapshot', 'train');
      mlops(dir, 'data', 'snapshot', 'holdout');
    },
  },
  {
    title: 'Train twice as tracked runs, registering each model with its lineage',
    run: ({ dir }) => {
      setParams(dir, 0.02, 40);
      train(dir, 'lr-0.02-short');
      setParams(dir, 0.1, 300);
      train(dir, 'lr-0.1-long');
      const runs = mlopsJson<{ id: string }[]>(dir, 'runs', 'list');
      mlops(dir, 'runs', 'compare', ...runs.map((r) => r.id));
    },
  },
  {
    title: 'Promote, replace and roll back Production',
    run: ({ dir }) => {
      mlops(dir, 'models', 'promote', 'churn', '1', '--to', 'Production', '--reason', 'first model');
      mlops(dir, 'models', 'promote', 'churn', '2', '--to', 'Staging', '--reason', 'candidate');
      mlops(dir, 'models', 'promote', 'churn', '2', '--to', 'Production', '--reason', 'higher holdout AUC');
      mlops(dir, 'models', 'alias', 'churn', 'champion', '2');
      mlops(dir, 'models', 'rollback', 'churn', '--reason', 'demo: roll back to the previous version');
    },
  },
  {
    title: 'Change one row of the training data: the daemon watcher records a new version',
    run: async ({ dir }) => {
      const csv = join(dir, 'data', 'train.csv');
      const lines = readFileSync(csv, 'utf8').split('\n');
      lines[1] = lines[1]?.replace(/^[^,]*/, '71') ?? '';
      writeFileSync(csv, lines.join('\n'));
      await waitForVersion(dir, 'train', 2);
      mlops(dir, 'data', 'versions', 'train');
      mlops(dir, 'data', 'diff', 'train', '1', '2');
    },
  },
  {
    title: 'Serve Production, switch versions under load, score a CSV (scripts/demo-serving.ts)',
    run: ({ dir }) => servingStep({ dir, mlops: (...a) => mlops(dir, ...a), mlopsJson: <T>(...a: string[]) => mlopsJson<T>(dir, ...a), step }),
  },
  {
    title: 'Monitor a deployment: drift and accuracy alerts (scripts/demo-monitoring.ts)',
    run: ({ dir }) => monitoringStep({ dir, mlops: (...a) => mlops(dir, ...a), mlopsJson: <T>(...a: string[]) => mlopsJson<T>(dir, ...a), step }),
  },
  {
    title: 'Safety nets: a faulty release trips the breaker, the rules answer, Production rolls back by itself (scripts/demo-safety.ts)',
    run: ({ dir }) => safetyStep({ dir, mlops: (...a) => mlops(dir, ...a), mlopsJson: <T>(...a: string[]) => mlopsJson<T>(dir, ...a), step }),
  },
  {
    title: 'The registry and the audit log',
    run: ({ dir }) => {
      mlops(dir, 'models', 'list');
      mlops(dir, 'models', 'show', 'churn');
      mlops(dir, 'events', '--subject', 'model:');
      mlops(dir, 'events', '--subject', 'deployment:');
    },
  },
  ...PIPELINE_STEPS,
  {
    title: 'Promotion gates: v2 passes and is promoted, a worse model is refused, JUnit for CI (scripts/demo-gates.ts)',
    run: ({ dir }) =>
      gatesStep({ dir, mlops: (...a) => mlops(dir, ...a), mlopsJson: <T>(...a: string[]) => mlopsJson<T>(dir, ...a), mlopsStatus: (...a) => mlopsStatus(dir, ...a), commit: (m) => git(dir, 'commit', '-qam', m), step }),
  },
  {
    title: 'Turn a notebook into a verified pipeline: mlops convert --verify (scripts/demo-notebook.ts)',
    run: ({ dir }) => notebookStep({ repo, dir, mlops, git }),
  },
];

/** The closing hint: commands that work from any folder (npx there would fetch another package). */
function closingHint(dir: string): string {
  const launcher = join(repo, 'bin', 'mlops.js');
  return [
    `The demo project is in ${dir}`,
    `Open it in VS Code with: code ${dir}`,
    `Stop its daemon with: (cd ${dir} && node ${launcher} daemon stop)`,
    'To type just `mlops`, run "MLOps: Install CLI" in VS Code (it puts the command on your PATH).',
  ].join('\n');
}

async function main(): Promise<void> {
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run build` first');
  const demo: Demo = { dir: '' };
  step('Create the project folder');
  demo.dir = prepareFolder();
  for (const s of STEPS) {
    step(s.title);
    await s.run(demo);
  }
  step('Done');
  console.log(closingHint(demo.dir));
  console.log(`Demo finished in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

main().catch((e: unknown) => {
  console.error(`demo failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
