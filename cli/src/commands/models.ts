/** `mlops models ...`: the registry from the command line. */
import { resolve } from 'node:path';
import { STAGES, type Stage, type ModelVersionSummary } from '../../../schemas/src/api';
import { type StoredGateRun } from '../../../schemas/src/gates';
import { api, connect } from '../context';
import { CliError, keyValues, pos, positiveInt, str, type CommandSpec } from '../framework';
import { fmtBytes, fmtNumber, fmtTime, printJson, table } from '../output';
import * as endpoints from '../../../schemas/src/endpoints';

function metricsText(m: Record<string, number>): string {
  return Object.entries(m)
    .slice(0, 3)
    .map(([k, v]) => `${k}=${fmtNumber(v)}`)
    .join(' ');
}

/** "pass", "FAIL holdout", "forced (FAIL latency)", "-": the version's last gate evaluation. */
function gateCell(last: StoredGateRun | undefined): string | null {
  if (!last) return null;
  const bad = last.gates.filter((g) => !g.passed).map((g) => g.name);
  const verdict = bad.length ? `${last.exit_code === 2 ? 'CANNOT RUN' : 'FAIL'} ${bad.join(',')}` : `pass ${last.gates.length}/${last.gates.length}`;
  return last.forced ? `forced (${verdict})` : verdict;
}

function versionRows(versions: ModelVersionSummary[], gates: Map<number, StoredGateRun> = new Map()): (string | number | null)[][] {
  return versions.map((v) => [
    v.version,
    v.stage,
    v.aliases.join(',') || null,
    fmtTime(v.created_at),
    fmtBytes(v.artifact_size),
    metricsText(v.metrics) || null,
    v.source_run_id,
    v.dataset_versions.map((d) => `${d.dataset}@${d.version}`).join(' ') || null,
    gateCell(gates.get(v.version)),
  ]);
}

function parseStage(value: string | undefined): Stage {
  const match = STAGES.find((s) => s.toLowerCase() === (value ?? '').toLowerCase());
  if (!match) throw new CliError(`--to "${value ?? ''}": expected one of ${STAGES.join(', ')}`);
  return match;
}

function parseMetrics(kv: Record<string, string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(kv)) {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new CliError(`--metric ${k}=${v}: expected a number`);
    out[k] = n;
  }
  return out;
}

const list: CommandSpec = {
  words: ['models', 'list'],
  summary: 'List registered models with their Production and Staging versions',
  json: true,
  examples: ['mlops models list', 'mlops models list --json | jq ".[].production_version"'],
  run: async (args, io) => {
    const client = await connect(io);
    const models = await api(() => client.allModels());
    if (args.json) return printJson(io, models);
    io.out(
      table(
        ['model', 'latest', 'versions', 'production', 'staging', 'aliases', 'updated'],
        models.map((m) => [
          m.name,
          m.latest_version,
          m.version_count,
          m.production_version,
          m.staging_versions.join(',') || null,
          Object.entries(m.aliases).map(([a, v]) => `${a}→${v}`).join(' ') || null,
          fmtTime(m.updated_at),
        ]),
      ),
    );
  },
};

const show: CommandSpec = {
  words: ['models', 'show'],
  summary: 'Show a model and its versions (newest first)',
  positionals: [{ name: 'name', required: true, description: 'model name' }],
  options: { limit: { type: 'string', description: 'versions to show (default 50)', placeholder: 'n' } },
  json: true,
  examples: ['mlops models show churn', 'mlops models show churn --limit 5 --json'],
  run: async (args, io) => {
    const client = await connect(io);
    const limit = positiveInt(str(args, 'limit') ?? '50', '--limit');
    const r = await api(() => client.request(endpoints.getModel, { params: { name: pos(args, 'name') }, query: { limit } }));
    if (args.json) return printJson(io, { model: r.model, versions: r.versions });
    const m = r.model;
    const runs = await api(() => client.request(endpoints.listGateRuns, { params: { name: m.name } }));
    const gates = new Map(runs.versions.map((g) => [g.version, g.last]));
    io.out(`${m.name}: ${m.version_count} version(s), Production ${m.production_version ?? '-'}, Staging ${m.staging_versions.join(',') || '-'}\n\n`);
    io.out(table(['version', 'stage', 'aliases', 'created', 'size', 'metrics', 'run', 'data', 'gates'], versionRows(r.versions, gates)));
  },
};

const register: CommandSpec = {
  words: ['models', 'register'],
  summary: 'Register an ONNX file as the next version of a model (checked against mlops.yaml)',
  positionals: [
    { name: 'name', required: true, description: 'model name (created on first registration)' },
    { name: 'artifact', required: true, description: 'path of the .onnx file' },
  ],
  options: {
    description: { type: 'string', description: 'what is new in this version', placeholder: 'text' },
    tag: { type: 'string', multiple: true, description: 'tag as key=value', placeholder: 'k=v' },
    metric: { type: 'string', multiple: true, description: 'metric as key=number', placeholder: 'k=v' },
    run: { type: 'string', description: 'source run id (lineage)', placeholder: 'id' },
  },
  json: true,
  examples: [
    'mlops models register churn out/model.onnx',
    'mlops models register churn model.onnx --description "more epochs" --tag owner=ana --metric auc=0.91 --json',
  ],
  run: async (args, io) => {
    const client = await connect(io);
    const run = str(args, 'run');
    const r = await api(() =>
      client.register(pos(args, 'name'), {
        artifact_path: resolve(io.cwd, pos(args, 'artifact')),
        description: str(args, 'description') ?? '',
        tags: keyValues(args, 'tag'),
        metrics: parseMetrics(keyValues(args, 'metric')),
        ...(run ? { run_id: run } : {}),
      }),
    );
    if (args.json) return printJson(io, r);
    io.out(`registered ${r.version.model} version ${r.version.version} (sha256 ${r.version.artifact_sha256.slice(0, 12)}, ${fmtBytes(r.version.artifact_size)})\n`);
    if (r.removed_versions.length) io.out(`retention removed version(s) ${r.removed_versions.join(', ')}\n`);
  },
};

const promote: CommandSpec = {
  words: ['models', 'promote'],
  summary: 'Move a version to Staging, Production or Archived (Production archives the previous one)',
  positionals: [
    { name: 'name', required: true, description: 'model name' },
    { name: 'version', required: true, description: 'version number' },
  ],
  options: {
    to: { type: 'string', description: 'target stage: Staging, Production, Archived or None', placeholder: 'stage' },
    reason: { type: 'string', description: 'why (kept in the audit log)', placeholder: 'text' },
    force: { type: 'boolean', description: 'into Production despite a failed gate (needs --reason; audited with the gate results)' },
  },
  json: true,
  examples: [
    'mlops models promote churn 3 --to Staging',
    'mlops models promote churn 3 --to Production --reason "beats v2 on holdout AUC"',
    'mlops models promote churn 4 --to Production --force --reason "latency gate flaky on the shared runner; p95 checked by hand"',
  ],
  run: async (args, io) => {
    if (!str(args, 'to')) throw new CliError('missing --to <stage>', 'e.g. --to Production');
    const stage = parseStage(str(args, 'to'));
    const name = pos(args, 'name');
    const version = positiveInt(pos(args, 'version'), 'version');
    const force = args.options['force'] === true;
    if (force && !str(args, 'reason')) throw new CliError('--force needs --reason "…"', 'the reason goes to the audit log with the gate results');
    const client = await connect(io);
    if (stage === 'Production' && io.interactive && !args.json) io.err(`running the gates of ${name} v${version} (if it declares any)…`);
    const r = await api(() => client.request(endpoints.setStage, { params: { name, version }, body: { stage, reason: str(args, 'reason') ?? '', force } })).finally(() => {
      if (stage === 'Production' && io.interactive && !args.json) io.err('\r\x1b[2K');
    });
    if (args.json) return printJson(io, r);
    io.out(`${name} version ${version} is now ${r.version.stage}${r.archived.length ? `; archived version ${r.archived.join(', ')}` : ''}\n`);
  },
};

const alias: CommandSpec = {
  words: ['models', 'alias'],
  summary: 'Point an alias (e.g. champion) at a version, or remove it with --remove',
  positionals: [
    { name: 'name', required: true, description: 'model name' },
    { name: 'alias', required: true, description: 'alias name' },
    { name: 'version', required: false, description: 'version number (omit with --remove)' },
  ],
  options: {
    remove: { type: 'boolean', description: 'remove the alias' },
    reason: { type: 'string', description: 'why (kept in the audit log)', placeholder: 'text' },
  },
  json: true,
  examples: ['mlops models alias churn champion 3', 'mlops models alias churn challenger --remove'],
  run: async (args, io) => {
    const name = pos(args, 'name');
    const aliasName = pos(args, 'alias');
    const v = args.positionals['version'];
    const client = await connect(io);
    const reason = str(args, 'reason') ?? '';
    if (args.options['remove']) {
      const r = await api(() => client.request(endpoints.removeAlias, { params: { name, alias: aliasName }, query: { reason } }));
      return args.json ? printJson(io, r) : io.out(`removed alias ${aliasName} (was version ${r.previous_version})\n`);
    }
    if (typeof v !== 'string') throw new CliError('missing argument <version>', 'or pass --remove');
    const r = await api(() => client.request(endpoints.setAlias, { params: { name, alias: aliasName }, body: { version: positiveInt(v, 'version'), reason } }));
    if (args.json) return printJson(io, r);
    io.out(`${name}@${aliasName} → version ${r.version}${r.previous_version ? ` (was ${r.previous_version})` : ''}\n`);
  },
};

const rollback: CommandSpec = {
  words: ['models', 'rollback'],
  summary: 'Archive the Production version and bring back the previous one',
  positionals: [{ name: 'name', required: true, description: 'model name' }],
  options: { reason: { type: 'string', description: 'why (kept in the audit log)', placeholder: 'text' } },
  json: true,
  examples: ['mlops models rollback churn --reason "p95 latency regression"'],
  run: async (args, io) => {
    const client = await connect(io);
    const r = await api(() => client.request(endpoints.rollbackModel, { params: { name: pos(args, 'name') }, body: { reason: str(args, 'reason') ?? '' } }));
    if (args.json) return printJson(io, r);
    io.out(`${r.model}: Production rolled back from version ${r.from_version} to version ${r.to_version}\n`);
  },
};

export const modelCommands: CommandSpec[] = [list, show, register, promote, alias, rollback];
