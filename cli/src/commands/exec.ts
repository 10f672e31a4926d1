/**
 * `mlops exec -- <command…>`: runs any command as a tracked run. Records git, environment, the
 * resolved params and the current version of each dataset; passes the run to the child through
 * the environment; marks the run by exit code and ingests declared metric files.
 */
import { spawn, execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { platform, release } from 'node:os';
import { join, resolve } from 'node:path';
import type * as z from 'zod';
import { type environmentSchema } from '../../../schemas/src/tracking';
import { type MlopsConfig } from '../../../schemas/src/mlops-yaml';
import { type DaemonClient } from '../../../client/src/client';
import { formatProblems, loadConfig } from '../../../shared/src/mlops-yaml';
import { statePaths } from '../../../shared/src/paths';
import { api, connect, requireRoot } from '../context';
import { CliError, keyValues, str, strs, type CliIo, type CommandSpec } from '../framework';
import { Progress } from '../output';
import { flattenParams } from './runs';
import * as endpoints from '../../../schemas/src/endpoints';

const ENV_PROBE = `import sys, json, platform
try:
    from importlib import metadata
    pk = sorted({"%s==%s" % (d.metadata["Name"], d.version) for d in metadata.distributions() if d.metadata["Name"]})
except Exception:
    pk = []
print(json.dumps({"python_version": platform.python_version(), "python_executable": sys.executable, "packages": pk}))`;

type Environment = Partial<z.infer<typeof environmentSchema>>;

/**
 * Asks the project's Python about itself. An interpreter that cannot run leaves the Python fields
 * empty and says why in `problem`, so exec can warn instead of recording nothing silently.
 */
export function probeEnvironment(python: string): Promise<{ env: Environment; problem?: string }> {
  const base: Environment = { node_version: process.version, os: `${platform()} ${release()}` };
  return new Promise((done) => {
    execFile(python, ['-c', ENV_PROBE], { timeout: 20_000, maxBuffer: 16 << 20 }, (err, stdout) => {
      if (err) return done({ env: base, problem: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : err.message.split('\n')[0] });
      try {
        done({ env: { ...base, ...(JSON.parse(stdout) as Environment) } });
      } catch {
        done({ env: base, problem: 'it printed no environment' });
      }
    });
  });
}

/** Flattens a metrics JSON file (nested objects allowed) into numeric keys. */
export function readMetricFile(path: string): Record<string, number> {
  const data = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  const out: Record<string, number> = {};
  const walk = (v: unknown, prefix: string): void => {
    if (typeof v === 'number' && Number.isFinite(v)) out[prefix] = v;
    else if (v && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) walk(x, prefix ? `${prefix}.${k}` : k);
    }
  };
  walk(data, '');
  return out;
}

async function snapshotDatasets(client: DaemonClient, cfg: MlopsConfig, only: string[], io: CliIo) {
  const names = only.length ? only : Object.keys(cfg.data);
  const refs: { dataset: string; version: number }[] = [];
  for (const name of names) {
    if (!cfg.data[name]) throw new CliError(`--data ${name}: no dataset data.${name} in mlops.yaml`);
    const bar = new Progress(io, `snapshot ${name}`, 1, 'bytes');
    try {
      const r = await client.snapshot(name, 'exec', (p) => {
        bar.total = p.bytes_total;
        bar.update(p.bytes_done);
      });
      refs.push({ dataset: name, version: r.version.version });
    } catch (e) {
      io.err(`mlops: warning: dataset ${name} not recorded: ${e instanceof Error ? e.message : String(e)}\n`);
    } finally {
      bar.done();
    }
  }
  return refs;
}

function runChild(command: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number; signal: NodeJS.Signals | null }> {
  return new Promise((done, fail) => {
    const child = spawn(command[0] as string, command.slice(1), { stdio: 'inherit', env, cwd });
    const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    child.on('error', (e) => fail(new CliError(`cannot run "${command[0]}": ${e.message}`, 'check the command and your PATH')));
    child.on('exit', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      done({ code: code ?? 128, signal });
    });
  });
}

export const execCommand: CommandSpec = {
  words: ['exec'],
  summary: 'Run any command as a tracked run (git, environment, params, data versions, metrics)',
  positionals: [{ name: 'command', required: true, variadic: true, description: 'the command, after --' }],
  options: {
    experiment: { type: 'string', short: 'e', description: 'experiment name (default "default")', placeholder: 'name' },
    name: { type: 'string', short: 'n', description: 'run name', placeholder: 'name' },
    metrics: { type: 'string', multiple: true, description: 'JSON metric file to ingest when the command ends', placeholder: 'file' },
    data: { type: 'string', multiple: true, description: 'dataset to record (default: every dataset in mlops.yaml)', placeholder: 'name' },
    tag: { type: 'string', multiple: true, description: 'tag as key=value', placeholder: 'k=v' },
    register: { type: 'string', description: 'on success register an ONNX output with this run as source', placeholder: 'model=path' },
  },
  examples: [
    'mlops exec -- python train.py',
    'mlops exec -e churn -n lr-0.05 --metrics out/metrics.json -- python train.py --lr 0.05',
    'mlops exec --register churn=out/model.onnx -- npx tsx train.ts',
  ],
  run: async (args, io) => execRun(args, io),
};

async function execRun(args: Parameters<CommandSpec['run']>[0], io: CliIo): Promise<number> {
  const command = (args.positionals['command'] as string[]) ?? [];
  if (!command.length) throw new CliError('missing the command to run', 'put it after --, e.g. `mlops exec -- python train.py`');
  const root = requireRoot(io);
  const cfg = loadConfig(root);
  if (!cfg.ok) throw new CliError(`mlops.yaml is invalid: ${formatProblems(cfg).split('\n').join('; ')}`, 'fix the file, then run again');
  const client = await connect(io, root);
  const python = io.env['MLOPS_PYTHON'] ?? cfg.config.python.interpreter;
  const [probe, datasets] = await Promise.all([probeEnvironment(python), snapshotDatasets(client, cfg.config, strs(args, 'data'), io)]);
  const environment = probe.env;
  if (probe.problem) {
    const from = io.env['MLOPS_PYTHON'] ? 'MLOPS_PYTHON' : 'python.interpreter in mlops.yaml';
    io.err(`mlops: warning: Python "${python}" (from ${from}) could not be run (${probe.problem}); the run records no Python environment\n`);
  }
  const exp = str(args, 'experiment');
  const name = str(args, 'name');
  const run = await api(() =>
    client.request(endpoints.createRun, { body: {
      ...(exp ? { experiment: exp } : {}),
      ...(name ? { name } : {}),
      command,
      environment,
      datasets,
      tags: keyValues(args, 'tag'),
      params: flattenParams(cfg.config.params),
      config: cfg.config.params,
    } }),
  );
  const tmp = join(statePaths(root).dir, 'tmp');
  mkdirSync(tmp, { recursive: true });
  const paramsFile = join(tmp, `params-${run.id}.json`);
  writeFileSync(paramsFile, JSON.stringify(cfg.config.params, null, 2));
  io.err(`mlops: run ${run.id} (${run.experiment}/${run.name}) started\n`);
  const env = {
    ...io.env,
    MLOPS_RUN_ID: run.id,
    MLOPS_API: client.baseUrl,
    MLOPS_TOKEN: client.conn.token,
    MLOPS_PARAMS: paramsFile,
    MLOPS_ROOT: root,
    MLOPS_PYTHON: python,
  };
  let outcome: { code: number; signal: NodeJS.Signals | null };
  try {
    outcome = await runChild(command, env, io.cwd);
  } catch (e) {
    await client.request(endpoints.setRunStatus, { params: { id: run.id }, body: { status: 'failed', exit_code: null } }).catch(() => undefined);
    throw e;
  }
  const { code, signal } = outcome;
  await ingestMetricFiles(client, run.id, strs(args, 'metrics').map((m) => resolve(io.cwd, m)), io);
  const status = signal ? 'killed' : code === 0 ? 'finished' : 'failed';
  await api(() => client.request(endpoints.setRunStatus, { params: { id: run.id }, body: { status, exit_code: signal ? null : code } }));
  if (status === 'finished' && str(args, 'register')) await registerOutput(client, run.id, str(args, 'register') as string, io);
  io.err(`mlops: run ${run.id} ${status}${signal ? ` by ${signal}` : ` with exit code ${code}`}\n`);
  return code;
}

async function ingestMetricFiles(client: DaemonClient, runId: string, files: string[], io: CliIo): Promise<void> {
  for (const f of files) {
    if (!existsSync(f)) {
      io.err(`mlops: warning: metric file ${f} was not written by the command\n`);
      continue;
    }
    let metrics: Record<string, number>;
    try {
      metrics = readMetricFile(f);
    } catch (e) {
      io.err(`mlops: warning: metric file ${f} is not valid JSON: ${e instanceof Error ? e.message : String(e)}\n`);
      continue;
    }
    const keys = Object.keys(metrics);
    const now = Date.now();
    await api(() =>
      client.request(endpoints.logMetricBatch, { params: { id: runId }, body: { keys, steps: keys.map(() => 0), timestamps: keys.map(() => now), values: keys.map((k) => metrics[k] ?? null) } }),
    );
  }
}

async function registerOutput(client: DaemonClient, runId: string, spec: string, io: CliIo): Promise<void> {
  const i = spec.indexOf('=');
  if (i <= 0) throw new CliError(`--register "${spec}": expected model=path`);
  const run = await client.request(endpoints.getRun, { params: { id: runId } });
  const r = await api(() =>
    client.register(spec.slice(0, i), { artifact_path: resolve(io.cwd, spec.slice(i + 1)), run_id: runId, metrics: run.metrics }),
  );
  io.err(`mlops: registered ${r.version.model} version ${r.version.version} from run ${runId}\n`);
}
