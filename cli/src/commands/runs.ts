/** `mlops runs ...` and `mlops params`: tracked runs and the resolved parameters. */
import { loadConfig, formatProblems } from '../../../shared/src/mlops-yaml';
import { api, connect, requireRoot } from '../context';
import { CliError, pos, positiveInt, str, type CommandSpec, type ParsedArgs } from '../framework';
import { fmtNumber, fmtTime, printJson, table } from '../output';
import { RUN_STATUSES, type RunStatus } from '../../../schemas/src/tracking';
import * as endpoints from '../../../schemas/src/endpoints';

/** Nested params as dotted keys: `{train: {lr: 0.1}}` → `train.lr`. */
export function flattenParams(obj: Record<string, unknown>, prefix = ''): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, flattenParams(v as Record<string, unknown>, key));
    else if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[key] = v;
    else out[key] = JSON.stringify(v);
  }
  return out;
}

function statusOf(args: ParsedArgs): RunStatus | undefined {
  const s = str(args, 'status');
  if (s === undefined) return undefined;
  const m = RUN_STATUSES.find((x) => x === s);
  if (!m) throw new CliError(`--status "${s}": expected one of ${RUN_STATUSES.join(', ')}`);
  return m;
}

const list: CommandSpec = {
  words: ['runs', 'list'],
  summary: 'List tracked runs, newest first',
  options: {
    experiment: { type: 'string', description: 'only this experiment', placeholder: 'name' },
    status: { type: 'string', description: 'only runs with this status (running, finished, failed, killed)', placeholder: 's' },
    limit: { type: 'string', description: 'at most this many (default 50)', placeholder: 'n' },
  },
  json: true,
  examples: ['mlops runs list', 'mlops runs list --experiment churn --status finished --json'],
  run: async (args, io) => {
    const client = await connect(io);
    const exp = str(args, 'experiment');
    const status = statusOf(args);
    const r = await api(() =>
      client.request(endpoints.listRuns, { query: { limit: positiveInt(str(args, 'limit') ?? '50', '--limit'), ...(exp ? { experiment: exp } : {}), ...(status ? { status } : {}) } }),
    );
    if (args.json) return printJson(io, r.runs);
    io.out(
      table(
        ['id', 'experiment', 'name', 'status', 'started', 'commit', 'metrics'],
        r.runs.map((x) => [
          x.id,
          x.experiment,
          x.name,
          x.status,
          fmtTime(x.start_time),
          x.git_commit ? `${x.git_commit.slice(0, 8)}${x.git_dirty ? '+dirty' : ''}` : null,
          Object.entries(x.metrics).slice(0, 3).map(([k, v]) => `${k}=${fmtNumber(v)}`).join(' ') || null,
        ]),
      ),
    );
  },
};

const show: CommandSpec = {
  words: ['runs', 'show'],
  summary: 'Show one run: git, environment, params, metrics, artifacts, datasets, models',
  positionals: [{ name: 'id', required: true, description: 'run id' }],
  json: true,
  examples: ['mlops runs show 3f2a9c1b7d4e', 'mlops runs show 3f2a9c1b7d4e --json'],
  run: async (args, io) => {
    const client = await connect(io);
    const r = await api(() => client.request(endpoints.getRun, { params: { id: pos(args, 'id') } }));
    if (args.json) return printJson(io, r);
    const git = r.git.commit ? `${r.git.commit.slice(0, 12)} on ${r.git.branch ?? '?'}${r.git.dirty ? ' (dirty; diff stored)' : ''}` : 'not a git repository';
    io.out(`run ${r.id} "${r.name}" in ${r.experiment}: ${r.status}${r.exit_code !== null ? ` (exit ${r.exit_code})` : ''}\n`);
    io.out(`started ${fmtTime(r.start_time)}${r.end_time ? `, ended ${fmtTime(r.end_time)}` : ''}\ngit: ${git}\n`);
    io.out(`command: ${r.command.join(' ') || '-'}\npython: ${r.environment.python_version ?? '-'}, node: ${r.environment.node_version ?? '-'}, ${r.environment.packages.length} packages\n\n`);
    io.out(table(['param', 'value'], Object.entries(r.params).map(([k, v]) => [k, JSON.stringify(v)])) + '\n');
    io.out(table(['metric', 'last', 'step', 'min', 'max', 'points'], r.metric_summaries.map((m) => [m.key, m.last, m.step, m.min, m.max, m.count])) + '\n');
    if (r.datasets.length) io.out(`datasets: ${r.datasets.map((d) => `${d.dataset}@${d.version}`).join(', ')}\n`);
    if (r.artifacts.length) io.out(`artifacts: ${r.artifacts.map((a) => a.path).join(', ')}\n`);
    if (r.models.length) io.out(`registered models: ${r.models.map((m) => `${m.model} v${m.version}`).join(', ')}\n`);
  },
};

const compare: CommandSpec = {
  words: ['runs', 'compare'],
  summary: 'Compare runs side by side: params that differ, final metrics',
  positionals: [{ name: 'ids', required: true, variadic: true, description: 'two or more run ids' }],
  options: { all: { type: 'boolean', description: 'show equal params too' } },
  json: true,
  examples: ['mlops runs compare 3f2a9c1b7d4e 9b1c0d2e3f4a', 'mlops runs compare a1b2c3d4e5f6 b2c3d4e5f6a1 c3d4e5f6a1b2 --json'],
  run: async (args, io) => {
    const ids = (args.positionals['ids'] as string[]).filter((x) => x !== '--');
    if (ids.length < 2) throw new CliError('give at least two run ids');
    const client = await connect(io);
    const r = await api(() => client.request(endpoints.compareRuns, { query: { ids: ids.join(',') } }));
    if (args.json) return printJson(io, r);
    const head = ['', ...r.runs.map((x) => x.id)];
    const params = r.params.filter((p) => p.differs || args.options['all']);
    io.out(table(['param', ...head.slice(1)], params.map((p) => [p.key, ...p.values.map((v) => (v === undefined ? '-' : JSON.stringify(v)))])) + '\n');
    io.out(table(['metric', ...head.slice(1)], r.metrics.map((m) => [m.key, ...m.values])));
  },
};

const params: CommandSpec = {
  words: ['params'],
  summary: 'Print the resolved params of mlops.yaml (what mlops.params() returns)',
  json: true,
  examples: ['mlops params', 'mlops params --json'],
  run: async (args, io) => {
    const root = requireRoot(io);
    const cfg = loadConfig(root);
    if (!cfg.ok) throw new CliError(`mlops.yaml is invalid: ${formatProblems(cfg).split('\n').join('; ')}`, 'fix the file, then run again');
    if (args.json) return printJson(io, cfg.config.params);
    io.out(table(['param', 'value'], Object.entries(flattenParams(cfg.config.params)).map(([k, v]) => [k, JSON.stringify(v)])));
  },
};

export const runCommands: CommandSpec[] = [list, show, compare, params];
