/** `mlops deploy`, `mlops deployments ...`, `mlops predict`, `mlops export kserve|docker`, `mlops daemon enable`. */
import { exportTrainingDocker } from './pipeline-io';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type * as z from 'zod';
import * as endpoints from '../../../schemas/src/endpoints';
import { type DeploymentStatus, type daemonEnableJson, type exportJson, type PredictJson } from '../../../schemas/src/serving';
import { loadConfig } from '../../../shared/src/mlops-yaml';
import { statePaths } from '../../../shared/src/paths';
import { writeDocker, writeKserve } from '../../../shared/src/serving/export';
import { type DaemonClient } from '../../../client/src/client';
import { enableService } from '../service-unit';
import { api, connect, requireRoot } from '../context';
import { CliError, pos, positiveInt, str, type CommandSpec } from '../framework';
import { fmtNumber, printJson, Progress, table } from '../output';

/** The content-addressed path of an artifact in the project's object store (as the daemon lays it out). */
export function objectPath(root: string, sha256: string): string {
  return join(statePaths(root).objects, sha256.slice(0, 2), sha256.slice(2));
}

function statusLine(s: DeploymentStatus): string {
  const v = s.version === null ? 'no version' : `version ${s.version}`;
  return `${s.name}: ${s.state} (${s.model} ${v}, follows ${s.follows.kind} ${s.follows.value})${s.url ? ` at ${s.url}` : ''}${s.error ? `\n  ${s.error}` : ''}`;
}

const deploy: CommandSpec = {
  words: ['deploy'],
  summary: 'Start a deployment from mlops.yaml (or restart it on its current version) and wait until it serves',
  positionals: [{ name: 'deployment', required: true, description: 'deployment name under `deployments` in mlops.yaml' }],
  json: true,
  examples: ['mlops deploy production', 'mlops deploy production --json | jq -r .url'],
  run: async (args, io) => {
    const client = await connect(io);
    const name = pos(args, 'deployment');
    io.err(args.json ? '' : `starting ${name}…\n`);
    const st = await api(() => client.request(endpoints.deployDeployment, { params: { name }, query: {} }));
    if (args.json) printJson(io, st);
    else io.out(statusLine(st) + '\n');
    if (st.state !== 'serving') {
      if (!args.json) throw new CliError(`deployment ${name} is ${st.state}${st.error ? `: ${st.error}` : ''}`, `see .mlops/serving/${name}.log`);
      return 1;
    }
  },
};

const list: CommandSpec = {
  words: ['deployments', 'list'],
  summary: 'List deployments with their version, state, URL and traffic',
  json: true,
  examples: ['mlops deployments list', 'mlops deployments list --json'],
  run: async (args, io) => {
    const client = await connect(io);
    const r = await api(() => client.request(endpoints.listDeployments));
    if (args.json) return printJson(io, r.deployments);
    io.out(
      table(
        ['name', 'model', 'version', 'follows', 'state', 'url', 'rps', 'p95 ms'],
        r.deployments.map((d) => [d.name, d.model, d.version, `${d.follows.kind}:${d.follows.value}`, d.state, d.url, d.stats ? fmtNumber(d.stats.rps) : null, d.stats?.p95_ms ?? null]),
      ),
    );
  },
};

const show: CommandSpec = {
  words: ['deployments', 'show'],
  summary: 'Show one deployment and its log file; --json includes its serving token (prediction routes need it with auth: token, POST /feedback always)',
  positionals: [{ name: 'deployment', required: true, description: 'deployment name' }],
  json: true,
  examples: ['mlops deployments show production', 'mlops deployments show production --json | jq -r .token'],
  run: async (args, io) => {
    const client = await connect(io);
    const d = await api(() => client.request(endpoints.getDeployment, { params: { name: pos(args, 'deployment') } }));
    if (args.json) return printJson(io, d);
    io.out(statusLine(d) + '\n');
    io.out(`  auth: ${d.auth}${d.token ? ' (token: mlops deployments show --json)' : ''}; pid ${d.pid ?? '-'}; restarts ${d.restarts}\n`);
    if (d.stats) io.out(`  ${d.stats.requests} requests, ${d.stats.errors} errors, ${fmtNumber(d.stats.rps)} req/s, p95 ${d.stats.p95_ms ?? '-'} ms\n`);
    if (!d.enabled) io.out('  disabled: answers come from the fallback rules (mlops deployments enable to turn it back on)\n');
    if (d.breaker) io.out(`  circuit breaker: ${d.breaker.state} since ${d.breaker.since} (${d.breaker.reason}); ${d.breaker.fallback_answers} fallback answers\n`);
    io.out(`  log: ${d.log_path}\n`);
  },
};

const stop: CommandSpec = {
  words: ['deployments', 'stop'],
  summary: 'Stop a deployment (in-flight requests finish first); it stays stopped across daemon restarts',
  positionals: [{ name: 'deployment', required: true, description: 'deployment name' }],
  json: true,
  examples: ['mlops deployments stop production'],
  run: async (args, io) => {
    const client = await connect(io);
    const st = await api(() => client.request(endpoints.stopDeployment, { params: { name: pos(args, 'deployment') } }));
    if (args.json) printJson(io, st);
    else io.out(statusLine(st) + '\n');
  },
};

async function resolveVersion(client: DaemonClient, model: string, args: Parameters<CommandSpec['run']>[0]): Promise<number> {
  const version = str(args, 'version');
  const stage = str(args, 'stage');
  const alias = str(args, 'alias');
  if ([version, stage, alias].filter((x) => x !== undefined).length > 1) throw new CliError('give at most one of --version, --stage, --alias');
  if (version) return positiveInt(version, '--version');
  const { model: m } = await api(() => client.request(endpoints.getModel, { params: { name: model }, query: { limit: 1 } }));
  if (alias) {
    const v = m.aliases[alias];
    if (v === undefined) throw new CliError(`model ${model} has no alias "${alias}"`, `aliases: ${Object.keys(m.aliases).join(', ') || 'none'}`);
    return v;
  }
  if (stage && stage.toLowerCase() === 'staging') {
    const v = m.staging_versions.at(-1);
    if (v === undefined) throw new CliError(`model ${model} has no Staging version`);
    return v;
  }
  if (stage && stage.toLowerCase() !== 'production') throw new CliError(`--stage "${stage}": expected Production or Staging`);
  if (m.production_version === null) throw new CliError(`model ${model} has no Production version`, 'pass --version N, or promote one');
  return m.production_version;
}

const predict: CommandSpec = {
  words: ['predict'],
  summary: 'Score a CSV file with a registered model version, in batches, without an endpoint',
  positionals: [{ name: 'model', required: true, description: 'registered model name' }],
  options: {
    version: { type: 'string', description: 'version number', placeholder: 'n' },
    stage: { type: 'string', description: 'Production (default) or Staging', placeholder: 'stage' },
    alias: { type: 'string', description: 'version with this alias', placeholder: 'alias' },
    input: { type: 'string', short: 'i', description: 'CSV file with a header row holding the features', placeholder: 'file.csv' },
    output: { type: 'string', short: 'o', description: 'CSV file to write: row number, input columns, outputs', placeholder: 'out.csv' },
    'batch-size': { type: 'string', description: 'rows per onnxruntime run (default 1024)', placeholder: 'n' },
  },
  json: true,
  examples: ['mlops predict churn --input customers.csv --output scored.csv', 'mlops predict churn --alias champion -i new.csv -o out.csv --json'],
  run: async (args, io) => {
    const root = requireRoot(io);
    const input = str(args, 'input');
    const output = str(args, 'output');
    if (!input || !output) throw new CliError('--input and --output are required', 'e.g. mlops predict churn --input in.csv --output out.csv');
    const client = await connect(io, root);
    const model = pos(args, 'model');
    const version = await resolveVersion(client, model, args);
    const spec = await batchSpec(client, root, model, version);
    const progress = new Progress(io, `scoring ${model} v${version}`, 0, 'bytes');
    // Loaded on use: onnxruntime's native module would otherwise slow every CLI command's start.
    const { scoreCsv } = await import('../../../shared/src/serving/batch-score');
    const r = await scoreCsv({
      spec,
      input: resolve(io.cwd, input),
      output: resolve(io.cwd, output),
      batchSize: positiveInt(str(args, 'batch-size') ?? '1024', '--batch-size'),
      onProgress: (done, total) => {
        progress.total = total;
        progress.update(done);
      },
    }).catch((e: unknown) => {
      throw new CliError(e instanceof Error ? e.message : String(e));
    });
    progress.done();
    const result: PredictJson = { model, version, input: resolve(io.cwd, input), output: resolve(io.cwd, output), ...r };
    if (args.json) return printJson(io, result);
    io.out(`${model} v${version}: ${r.rows} rows in ${r.seconds.toFixed(2)} s (${Math.round(r.rows_per_second)} rows/s): ${r.scored} scored → ${output}, ${r.refused} refused\n`);
    for (const x of r.refused_rows.slice(0, 20)) io.out(`  row ${x.row}: ${x.reason}\n`);
    if (r.refused > 20) io.out(`  … ${r.refused - 20} more (--json lists up to 1000)\n`);
  },
};

/** The same spec a serving process would get, built from the registry's answer (no second source of truth). */
async function batchSpec(client: DaemonClient, root: string, model: string, version: number) {
  const v = await api(() => client.request(endpoints.getModelVersion, { params: { name: model, version } }));
  const cfg = loadConfig(root);
  const mc = cfg.ok ? cfg.config.models[model] : undefined;
  const declared = mc?.signature.inputs ?? [];
  const features = (v.signature.features ?? declared).map((f) => {
    const d = declared.find((x) => x.name === f.name);
    return { name: f.name, type: (d?.type ?? f.type) as 'float', ...(d?.categories ? { categories: d.categories } : {}) };
  });
  if (!features.length) throw new CliError(`model ${model} has no signature in mlops.yaml`, `declare models.${model}.signature.inputs`);
  return {
    model,
    version,
    artifact_path: objectPath(root, v.artifact_sha256),
    artifact_sha256: v.artifact_sha256,
    task: mc?.task ?? null,
    input_mode: mc?.signature.input_mode ?? ('tensor' as const),
    features,
  };
}

function exportCommand(kind: 'kserve' | 'docker'): CommandSpec {
  return {
    words: ['export', kind],
    summary: kind === 'kserve' ? 'Write a KServe InferenceService (ONNX, protocol v2) for the version a deployment serves' : 'Write a Dockerfile and context that run the same serving process for a deployment',
    options: {
      deployment: { type: 'string', description: 'deployment name', placeholder: 'name' },
      out: { type: 'string', description: `output folder (default export/${kind}-<deployment>)`, placeholder: 'dir' },
      ...(kind === 'kserve' ? { 'storage-uri': { type: 'string' as const, description: 'where the model will be uploaded (s3://, gs://, pvc://…)', placeholder: 'uri' } } : {}),
      ...(kind === 'docker'
        ? {
            training: { type: 'boolean' as const, description: "instead: the training environment of a run (its Python and packages, pinned)" },
            run: { type: 'string' as const, description: 'with --training: the run (default: the latest pipeline run)', placeholder: 'id' },
          }
        : {}),
    },
    json: true,
    examples: kind === 'kserve' ? ['mlops export kserve --deployment production --storage-uri s3://models/churn/3'] : ['mlops export docker --deployment production && docker build -t churn export/docker-production', 'mlops export docker --training --run 1a2b3c4d5e6f'],
    run: async (args, io) => {
      if (kind === 'docker' && args.options['training'] === true) return exportTrainingDocker(args, io);
      const root = requireRoot(io);
      const name = str(args, 'deployment');
      if (!name) throw new CliError('--deployment is required', 'list them with `mlops deployments list`');
      const client = await connect(io, root);
      const d = await api(() => client.request(endpoints.getDeployment, { params: { name } }));
      if (d.version === null || !d.spec || !d.artifact_path) throw new CliError(`deployment ${name} has no version to export`, `deploy it first: mlops deploy ${name}`);
      const out = resolve(io.cwd, str(args, 'out') ?? join('export', `${kind}-${name}`));
      mkdirSync(out, { recursive: true });
      let files: string[];
      if (kind === 'kserve') {
        const uri = str(args, 'storage-uri');
        if (!uri) throw new CliError('--storage-uri is required', 'the InferenceService downloads the model from there, e.g. s3://bucket/churn/3');
        files = writeKserve(d, d.version, out, uri);
      } else files = writeDocker(d, d.spec, out, join(__dirname, 'serving.js'), ortVersion());
      const result: z.infer<typeof exportJson> = { kind, deployment: name, model: d.model, version: d.version, files };
      if (args.json) return printJson(io, result);
      io.out(`wrote ${kind} export of ${d.model} v${d.version} to ${out}:\n${files.map((f) => `  ${f}`).join('\n')}\n`);
    },
  };
}

/** onnxruntime-node's version, pinned in the exported image to the one served here. */
function ortVersion(): string {
  // dist/cli.js sits next to node_modules' parent, where the daemon loads onnxruntime-node from.
  for (const dir of [join(__dirname, '..'), join(__dirname, '..', '..', '..', '..')]) {
    try {
      return (JSON.parse(readFileSync(join(dir, 'node_modules', 'onnxruntime-node', 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      // Try the next layout.
    }
  }
  return '^1.20.0';
}

const enable: CommandSpec = {
  words: ['daemon', 'enable'],
  summary: 'Install a user service so the daemon (and its deployments and schedules) comes back after a reboot',
  json: true,
  examples: ['mlops daemon enable'],
  run: (args, io) => {
    const root = requireRoot(io);
    const r: z.infer<typeof daemonEnableJson> = enableService(root, join(__dirname, 'daemon.js'), io.env);
    if (args.json) printJson(io, r);
    else io.out(r.instructions + '\n');
    return Promise.resolve();
  },
};

export const servingCommands: CommandSpec[] = [deploy, list, show, stop, predict, exportCommand('kserve'), exportCommand('docker'), enable];
