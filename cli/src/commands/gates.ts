/**
 * `mlops check`: a candidate version against Production through the model's gates, as a table,
 * JUnit XML and a Markdown summary, with exit 0 (all pass) / 1 (a gate failed) / 2 (a gate could
 * not run). Through the daemon when the project has a store; from files on a CI runner.
 */
import { appendFileSync, copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import * as endpoints from '../../../schemas/src/endpoints';
import { type CheckReport, type CiInitJson, GATE_NAMES, type GateName } from '../../../schemas/src/gates';
import { type MlopsConfig, type ModelConfig } from '../../../schemas/src/mlops-yaml';
import { type ServingModelSpec } from '../../../schemas/src/serving';
import { expandPatterns } from '../../../shared/src/glob';
import { loadConfig, formatProblems } from '../../../shared/src/mlops-yaml';
import { statePaths } from '../../../shared/src/paths';
import { checkMarkdown, junitXml } from '../../../shared/src/gates/junit';
import { exitCodeOf, fmt } from '../../../shared/src/gates/rules';
import { api, connect, requireRoot } from '../context';
import { CliError, pos, positiveInt, str, strs, type CliIo, type CommandSpec, type ParsedArgs } from '../framework';
import { printJson, table } from '../output';
import { objectPath } from './serving';

function configOf(root: string): MlopsConfig {
  const r = loadConfig(root);
  if (r.ok) return r.config;
  if (r.missing) throw new CliError(`no mlops.yaml in ${root}`, 'run `mlops init` first');
  throw new CliError(`mlops.yaml is invalid:\n${formatProblems(r)}`, 'fix it, then run `mlops check` again');
}

function modelOf(cfg: MlopsConfig, model: string): ModelConfig {
  const m = cfg.models[model];
  if (!m) throw new CliError(`no model "${model}" under models in mlops.yaml`, `declared: ${Object.keys(cfg.models).join(', ') || 'none'}`);
  return m;
}

/** A model file as the in-process evaluation loads it: features from the signature in mlops.yaml. */
function fileSpec(model: string, m: ModelConfig, file: string): ServingModelSpec {
  if (!existsSync(file)) throw new CliError(`no model file ${file}`, 'export it with `mlops.log_model` or name the right path');
  return {
    model,
    version: 1,
    artifact_path: file,
    artifact_sha256: '',
    task: m.task,
    input_mode: m.signature.input_mode,
    features: m.signature.inputs.map((f) => ({ name: f.name, type: f.type, ...(f.categories ? { categories: f.categories } : {}) })),
  };
}

/** The artifact the pipeline's register stage registers for this model: the candidate on a CI runner. */
function pipelineArtifact(cfg: MlopsConfig, model: string): string | undefined {
  const stages = Object.values(cfg.pipeline?.stages ?? {});
  return stages.find((s) => s.kind === 'register' && s.model === model && s.artifact)?.artifact;
}

/** A holdout dataset on a runner without a store: the repository's files. */
async function repoHoldoutFiles(cfg: MlopsConfig, root: string, ref: string): Promise<string[]> {
  const { GateCannotRun } = await import('../../../shared/src/gates/data');
  const [name, v] = ref.split('@') as [string, string | undefined];
  const ds = cfg.data[name];
  if (!ds) throw new GateCannotRun(`no dataset "${name}" under data in mlops.yaml`);
  if (v !== undefined) throw new GateCannotRun(`"${ref}" names a stored version; without a store (a CI runner) name the dataset without "@${v}" to read its files from the repository`);
  const files = expandPatterns(root, ds.paths);
  if (!files.length) throw new GateCannotRun(`dataset "${name}" has no files (${ds.paths.join(', ')}); commit a holdout sample with the project`);
  return files.map((f) => join(root, f));
}

/** Ctrl-C (or SIGTERM) while `work` runs: the latency gate's temporary serving processes go first, then the CLI. */
async function killingEndpointsOnSignal<T>(work: () => Promise<T>): Promise<T> {
  const { killTemporaryEndpoints } = await import('../../../shared/src/gates/endpoint');
  const onSignal = (sig: NodeJS.Signals): void => {
    killTemporaryEndpoints();
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await work();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** On a runner without a store: everything from the repository's files. */
async function checkFromFiles(io: CliIo, root: string, model: string, args: ParsedArgs, skip: Set<GateName>): Promise<CheckReport> {
  const cfg = configOf(root);
  const m = modelOf(cfg, model);
  const candFile = str(args, 'candidate') ?? pipelineArtifact(cfg, model);
  if (!candFile) throw new CliError('no candidate model file', 'pass --candidate FILE (or declare a register stage with an artifact in the pipeline)');
  const prodFile = str(args, 'production');
  const gates = Object.fromEntries(Object.entries(m.gates ?? {}).filter(([k]) => !skip.has(k as GateName)));
  const { evaluateGates } = await import('../../../shared/src/gates/evaluate');
  const { servingEntryBeside } = await import('../../../shared/src/gates/endpoint');
  return killingEndpointsOnSignal(() =>
    evaluateGates({
      model,
      gates,
      task: m.task,
      candidate: { version: null, spec: fileSpec(model, m, resolve(root, candFile)) },
      production: prodFile ? { version: null, spec: fileSpec(model, m, resolve(io.cwd, prodFile)) } : null,
      holdoutFiles: (ref) => repoHoldoutFiles(cfg, root, ref),
      projectFile: (rel) => join(root, rel),
      // dist/serving.js, beside this bundle: the serving process deployments run (no daemon needed).
      endpoints: { script: servingEntryBeside(__dirname) },
      onProgress: (gate, text) => io.interactive && io.err(`\r\x1b[2K${gate}: ${text}`),
    }),
  );
}

async function checkThroughDaemon(io: CliIo, root: string, model: string, args: ParsedArgs): Promise<CheckReport> {
  const client = await connect(io, root);
  const v = args.positionals['version'];
  const version = typeof v === 'string' ? positiveInt(v, 'version') : (await api(() => client.request(endpoints.getModel, { params: { name: model }, query: { limit: 1 } }))).model.latest_version;
  if (version === null) throw new CliError(`model "${model}" has no versions`, `register one with \`mlops models register ${model} <file.onnx>\``);
  const against = str(args, 'against');
  if (io.interactive) io.err(`running the gates of ${model} v${version}…`);
  const r = await api(() => client.request(endpoints.checkModelVersion, { params: { name: model, version }, body: against ? { against: positiveInt(against, '--against') } : {} }));
  if (io.interactive) io.err('\r\x1b[2K');
  return r;
}

const num = (v: number | null): string | null => (v === null ? null : fmt(v));

export function reportTable(r: CheckReport): string {
  if (!r.gates.length) return `${r.model} declares no gates (models.${r.model}.gates in mlops.yaml): nothing to check\n`;
  const against = r.production_version !== null ? `Production v${r.production_version}` : r.gates.some((g) => g.production !== null) ? 'the Production file' : 'no Production version';
  const head = `${r.model} ${r.candidate_version === null ? 'candidate file' : `v${r.candidate_version}`} against ${against}\n\n`;
  const rows = r.gates.map((g) => [g.name, num(g.candidate), num(g.production), g.rule, g.status === 'pass' ? 'pass' : g.status === 'fail' ? 'FAIL' : 'CANNOT RUN']);
  // A latency gate's line says what each measurement (in-process, endpoint) gave, pass or fail.
  const details = r.gates.filter((g) => g.status !== 'pass' || g.measurements?.length).map((g) => `  ${g.name}: ${g.detail}\n`);
  const verdict = r.exit_code === 0 ? 'all gates passed' : r.exit_code === 1 ? 'a gate failed' : 'a gate could not run';
  return head + table(['gate', 'candidate', 'Production', 'rule', 'result'], rows) + (details.length ? `\n${details.join('')}` : '') + `\n${verdict}\n`;
}

const check: CommandSpec = {
  words: ['check'],
  summary: "Run a model's gates on a candidate against Production (exit 0 pass, 1 fail, 2 cannot run)",
  positionals: [
    { name: 'model', required: true, description: 'model name' },
    { name: 'version', required: false, description: 'candidate version (default: the newest)' },
  ],
  options: {
    junit: { type: 'string', description: 'write a JUnit XML report here', placeholder: 'file.xml' },
    markdown: { type: 'string', description: 'append the table as Markdown here (e.g. $GITHUB_STEP_SUMMARY)', placeholder: 'file' },
    production: { type: 'string', description: 'the Production model as an ONNX file: check from files, without a store', placeholder: 'file.onnx' },
    candidate: { type: 'string', description: 'the candidate as an ONNX file (default: the pipeline\'s register artifact); implies checking from files', placeholder: 'file.onnx' },
    against: { type: 'string', description: 'compare with this version instead of Production (through the daemon)', placeholder: 'n' },
    skip: { type: 'string', multiple: true, description: 'leave out a gate (e.g. shadow on a CI runner)', placeholder: 'gate' },
  },
  json: true,
  examples: [
    'mlops check churn',
    'mlops check churn 3 --junit reports/gates.xml',
    'mlops check churn --production models/production.onnx --candidate artifacts/model.onnx --skip shadow --junit gates.xml --markdown "$GITHUB_STEP_SUMMARY"',
  ],
  run: async (args, io) => {
    const root = requireRoot(io);
    const model = pos(args, 'model');
    const skip = new Set(strs(args, 'skip').map((s) => {
      if (!(GATE_NAMES as readonly string[]).includes(s)) throw new CliError(`--skip ${s}: expected one of ${GATE_NAMES.join(', ')}`);
      return s as GateName;
    }));
    const fromFiles = str(args, 'production') !== undefined || str(args, 'candidate') !== undefined || !existsSync(statePaths(root).db);
    const r = fromFiles ? await checkFromFiles(io, root, model, args, skip) : await checkThroughDaemon(io, root, model, args);
    if (!fromFiles && skip.size) {
      r.gates = r.gates.filter((g) => !skip.has(g.name));
      r.exit_code = exitCodeOf(r.gates);
      r.passed = r.exit_code === 0;
    }
    const junit = str(args, 'junit');
    if (junit) {
      mkdirSync(dirname(resolve(io.cwd, junit)), { recursive: true });
      writeFileSync(resolve(io.cwd, junit), junitXml(r));
    }
    const md = str(args, 'markdown');
    if (md) appendFileSync(resolve(io.cwd, md), checkMarkdown(r));
    if (args.json) printJson(io, r);
    else io.out(reportTable(r));
    return r.exit_code;
  },
};

function defaultModel(cfg: MlopsConfig): string {
  const names = Object.keys(cfg.models);
  const gated = names.filter((n) => cfg.models[n]?.gates);
  const pick = gated[0] ?? names[0];
  if (!pick) throw new CliError('mlops.yaml declares no models', 'declare one under models (with gates) first');
  return pick;
}

const ciInit: CommandSpec = {
  words: ['ci', 'init'],
  summary: 'Write a CI workflow that runs the pipeline and `mlops check` (GitHub Actions or GitLab CI)',
  options: {
    provider: { type: 'string', description: 'github (default) or gitlab', placeholder: 'name' },
    model: { type: 'string', description: 'model whose gates to check (default: the first with gates)', placeholder: 'name' },
    production: { type: 'string', description: 'committed Production model file (default models/production.onnx)', placeholder: 'file.onnx' },
    force: { type: 'boolean', description: 'overwrite an existing workflow file' },
  },
  json: true,
  examples: ['mlops ci init', 'mlops ci init --provider gitlab --model churn --production models/churn-production.onnx'],
  run: async (args, io) => {
    const root = requireRoot(io);
    const cfg = configOf(root);
    const provider = str(args, 'provider') ?? 'github';
    if (provider !== 'github' && provider !== 'gitlab') throw new CliError(`--provider ${provider}: expected github or gitlab`);
    const model = str(args, 'model') ?? defaultModel(cfg);
    modelOf(cfg, model);
    const production = str(args, 'production') ?? 'models/production.onnx';
    const { WORKFLOW_FILES, githubWorkflow, gitlabWorkflow } = await import('../ci-workflow');
    const rel = WORKFLOW_FILES[provider];
    const file = join(root, rel);
    if (existsSync(file) && args.options['force'] !== true) throw new CliError(`${rel} exists`, 'pass --force to overwrite it');
    mkdirSync(dirname(file), { recursive: true });
    const opts = { model, production, cfg };
    writeFileSync(file, provider === 'github' ? githubWorkflow(opts) : gitlabWorkflow(opts));
    const out: CiInitJson = { provider, file: rel, model };
    if (args.json) return printJson(io, out);
    io.out(`wrote ${rel}: mlops run, then mlops check ${model} against ${production}\n`);
    if (!existsSync(join(root, production))) io.out(`commit the Production model there first: mlops models download ${model} --out ${production}\n`);
  },
};

const download: CommandSpec = {
  words: ['models', 'download'],
  summary: 'Copy a version\'s ONNX file out of the store (default: the Production version), e.g. for CI',
  positionals: [
    { name: 'name', required: true, description: 'model name' },
    { name: 'version', required: false, description: 'version number (default: Production)' },
  ],
  options: { out: { type: 'string', short: 'o', description: 'file to write', placeholder: 'file.onnx' } },
  examples: ['mlops models download churn --out models/production.onnx', 'mlops models download churn 3 -o /tmp/churn-3.onnx'],
  run: async (args, io) => {
    const root = requireRoot(io);
    const out = str(args, 'out');
    if (!out) throw new CliError('--out is required', 'e.g. --out models/production.onnx');
    const name = pos(args, 'name');
    const client = await connect(io, root);
    const v = args.positionals['version'];
    const version = typeof v === 'string' ? positiveInt(v, 'version') : (await api(() => client.request(endpoints.getModel, { params: { name }, query: { limit: 1 } }))).model.production_version;
    if (version === null) throw new CliError(`model "${name}" has no Production version`, 'name a version: mlops models download <name> <version> --out FILE');
    const meta = await api(() => client.request(endpoints.getModelVersion, { params: { name, version } }));
    const src = objectPath(root, meta.artifact_sha256);
    const dest = resolve(io.cwd, out);
    mkdirSync(dirname(dest), { recursive: true });
    copyFileSync(src, dest);
    io.out(`${name} v${version} → ${out} (sha256 ${meta.artifact_sha256.slice(0, 12)})\n`);
  },
};

export const gateCommands: CommandSpec[] = [check, ciInit, download];
