/**
 * What the runner does through the daemon: the pipeline run and one run per stage instance are
 * tracked runs (git state, config snapshot, environment, dataset versions, params, metrics from the
 * declared files, stage timings, why it started), and the built-in stages. The daemon is reached
 * only when the first instance runs, so a fully cached run never starts it.
 */
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as endpoints from '../../../schemas/src/endpoints';
import { LOCK_FILE } from '../../../shared/src/pipelines/lock';
import { delimiter, dirname, join, resolve } from 'node:path';
import { type MlopsConfig } from '../../../schemas/src/mlops-yaml';
import { type StageResult } from '../../../schemas/src/pipelines';
import { type DaemonClient } from '../../../client/src/client';
import { flattenParams } from '../commands/runs';
import { probeEnvironment, readMetricFile } from '../commands/exec';
import { ObjectStore } from '../../../shared/src/objects';
import { statePaths } from '../../../shared/src/paths';
import { DATA_DEP } from '../../../shared/src/pipelines/checks';
import { type StageInstance } from '../../../shared/src/pipelines/plan';
import { type StageHost } from '../../../shared/src/pipelines/runner';
import { validateDataset } from '../../../shared/src/pipelines/validate';
import { deployStage } from './deploy';

export interface HostOptions {
  root: string;
  stateDir: string;
  config: MlopsConfig;
  env: NodeJS.ProcessEnv;
  /** Why the pipeline started: "manual", "schedule 0 3 * * *", "data change of train", … */
  trigger: string;
  command: string[];
  connect(): Promise<DaemonClient>;
  warn(text: string): void;
}

const METRIC_KEY_BAD = /[^\w.\-/: ]/g;

/** A copy of the params with dotted keys set (matrix values override the config). */
export function withOverrides(params: Record<string, unknown>, overrides: Record<string, unknown>): Record<string, unknown> {
  const out = structuredClone(params);
  for (const [dotted, value] of Object.entries(overrides)) {
    const parts = dotted.split('.');
    let node: Record<string, unknown> = out;
    for (const p of parts.slice(0, -1)) {
      const next = node[p];
      if (!next || typeof next !== 'object' || Array.isArray(next)) node[p] = {};
      node = node[p] as Record<string, unknown>;
    }
    node[parts[parts.length - 1] as string] = value;
  }
  return out;
}

/** The object-store paths of a dataset version's files ("train@3", or "train" for its latest). */
export async function datasetVersionFiles(client: DaemonClient, root: string, reference: string): Promise<string[]> {
  const [name, at] = reference.split('@') as [string, string | undefined];
  const versions = await client.request(endpoints.listDatasetVersions, { params: { name } });
  const version = at ? Number(at) : Math.max(0, ...versions.versions.map((v) => v.version));
  if (!Number.isInteger(version) || version < 1) throw new Error(`expectations.distribution.reference "${reference}": no version of dataset ${name} yet; snapshot it with \`mlops data snapshot ${name}\``);
  const manifest = await client.request(endpoints.getDatasetVersion, { params: { name, version } });
  const objects = new ObjectStore(statePaths(root).objects);
  return manifest.files.map((f) => objects.pathOf(f.sha256));
}

/** A fresh log for a built-in stage: created on the first line, appended after. */
function logTo(file: string): (text: string) => void {
  let started = false;
  return (text) => {
    if (!started) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, '');
      started = true;
    }
    appendFileSync(file, text);
  };
}

export class TrackingHost implements StageHost {
  private client?: DaemonClient;
  private pipelineRun?: string;
  private readonly stageRuns = new Map<string, string>();
  /** Versions the register stages of this run created, by model: what deploy stages point at. */
  private readonly registered = new Map<string, number>();
  private environment: Record<string, unknown> = {};
  private datasets: { dataset: string; version: number }[] = [];
  private readonly python: string;

  constructor(private readonly o: HostOptions) {
    this.python = o.env['MLOPS_PYTHON'] ?? o.config.python.interpreter;
  }

  private datasetsUsed(instances: StageInstance[]): string[] {
    const names = new Set<string>();
    for (const i of instances) {
      if (i.config.kind === 'validate' && i.config.dataset) names.add(i.config.dataset);
      for (const d of i.deps) {
        const m = DATA_DEP.exec(d);
        if (m) names.add(m[1] as string);
      }
    }
    return [...names];
  }

  async begin(instances: StageInstance[]): Promise<void> {
    const client = await this.o.connect();
    this.client = client;
    const [probe, datasets] = await Promise.all([probeEnvironment(this.python), this.snapshot(client, this.datasetsUsed(instances))]);
    if (probe.problem) this.o.warn(`mlops: warning: Python "${this.python}" could not be run (${probe.problem}); runs record no Python environment\n`);
    this.environment = probe.env;
    this.datasets = datasets;
    const run = await client.request(endpoints.createRun, { body: {
      experiment: 'pipeline',
      name: `pipeline ${new Date().toISOString().slice(0, 19)}`,
      command: this.o.command,
      environment: probe.env,
      datasets,
      tags: { 'mlops.kind': 'pipeline', 'mlops.trigger': this.o.trigger, 'mlops.stages': instances.map((i) => i.id).join(' ').slice(0, 1000) },
      params: flattenParams(this.o.config.params),
      config: this.o.config.params,
    } });
    this.pipelineRun = run.id;
    this.o.warn(`mlops: pipeline run ${run.id} started (${this.o.trigger})\n`);
  }

  private async snapshot(client: DaemonClient, names: string[]): Promise<{ dataset: string; version: number }[]> {
    const refs: { dataset: string; version: number }[] = [];
    for (const name of names) {
      try {
        refs.push({ dataset: name, version: (await client.snapshot(name, 'pipeline')).version.version });
      } catch (e) {
        this.o.warn(`mlops: warning: dataset ${name} not recorded: ${e instanceof Error ? e.message : String(e)}\n`);
      }
    }
    return refs;
  }

  async startStage(inst: StageInstance): Promise<NodeJS.ProcessEnv> {
    const client = this.client as DaemonClient;
    const run = await client.request(endpoints.createRun, { body: {
      experiment: 'pipeline',
      name: inst.id,
      command: inst.cmd ? ['/bin/sh', '-c', inst.cmd] : [`builtin:${inst.config.kind}`],
      environment: this.environment,
      datasets: this.datasets,
      tags: { 'mlops.kind': 'stage', 'mlops.stage': inst.stage, 'mlops.pipeline_run': this.pipelineRun ?? '', 'mlops.trigger': this.o.trigger },
      params: flattenParams(inst.params),
      config: withOverrides(this.o.config.params, inst.matrix),
    } });
    this.stageRuns.set(inst.id, run.id);
    const tmp = join(this.o.stateDir, 'tmp');
    mkdirSync(tmp, { recursive: true });
    const paramsFile = join(tmp, `params-${run.id}.json`);
    writeFileSync(paramsFile, JSON.stringify(withOverrides(this.o.config.params, inst.matrix), null, 2));
    const pathPrefix = this.python.includes('/') ? `${dirname(resolve(this.o.root, this.python))}${delimiter}` : '';
    return {
      ...this.o.env,
      PATH: `${pathPrefix}${this.o.env['PATH'] ?? ''}`,
      MLOPS_RUN_ID: run.id,
      MLOPS_API: client.baseUrl,
      MLOPS_TOKEN: client.conn.token,
      MLOPS_PARAMS: paramsFile,
      MLOPS_ROOT: this.o.root,
      MLOPS_PYTHON: this.python,
      MLOPS_STAGE: inst.id,
    };
  }

  async endStage(inst: StageInstance, ok: boolean, durationMs: number): Promise<void> {
    const client = this.client as DaemonClient;
    const runId = this.stageRuns.get(inst.id);
    if (!runId) return;
    const metrics: Record<string, number> = { duration_ms: durationMs };
    for (const f of inst.metrics) {
      try {
        Object.assign(metrics, readMetricFile(resolve(this.o.root, f)));
      } catch (e) {
        if (ok) this.o.warn(`mlops: warning: metrics file ${f} of ${inst.id} not read: ${e instanceof Error ? e.message : String(e)}\n`);
      }
    }
    await this.log(runId, metrics);
    if (this.pipelineRun) {
      const prefix = inst.id.replace(METRIC_KEY_BAD, '_');
      await this.log(this.pipelineRun, Object.fromEntries(Object.entries(metrics).map(([k, v]) => [`${prefix}/${k}`, v])));
    }
    await client.request(endpoints.setRunStatus, { params: { id: runId }, body: { status: ok ? 'finished' : 'failed', exit_code: ok ? 0 : 1 } });
  }

  private async log(runId: string, metrics: Record<string, number>): Promise<void> {
    const keys = Object.keys(metrics).map((k) => k.replace(METRIC_KEY_BAD, '_'));
    const now = Date.now();
    const values = Object.values(metrics);
    await (this.client as DaemonClient).request(endpoints.logMetricBatch, { params: { id: runId }, body: { keys, steps: keys.map(() => 0), timestamps: keys.map(() => now), values } });
  }

  async end(results: StageResult[]): Promise<void> {
    if (!this.client || !this.pipelineRun) return;
    // The lock as the run left it: every out's hash, which `mlops repro` compares against.
    if (existsSync(join(this.o.root, LOCK_FILE))) {
      const up = await this.client.upload(join(this.o.root, LOCK_FILE));
      await this.client.request(endpoints.logArtifact, { params: { id: this.pipelineRun }, body: { sha256: up.sha256, name: LOCK_FILE } });
    }
    const failed = results.some((r) => r.status === 'failed');
    await this.client.request(endpoints.setRunStatus, { params: { id: this.pipelineRun }, body: { status: failed ? 'failed' : 'finished', exit_code: failed ? 1 : 0 } });
  }

  async builtin(inst: StageInstance, logFile: string): Promise<string> {
    const c = inst.config;
    if (c.kind === 'validate') {
      const client = this.client;
      const referenceFiles = client ? (ref: string) => datasetVersionFiles(client, this.o.root, ref) : undefined;
      return validateDataset({ root: this.o.root, config: this.o.config, dataset: c.dataset as string, logFile, ...(referenceFiles ? { referenceFiles } : {}) });
    }
    if (c.kind === 'register') {
      const note = await this.register(inst);
      logTo(logFile)(`${note}\n`);
      return note;
    }
    return deployStage(this.client as DaemonClient, {
      deployment: c.deployment as string,
      registered: this.registered,
      reason: `pipeline run ${this.pipelineRun ?? '?'} (stage ${inst.id})`,
      log: logTo(logFile),
    });
  }

  private async register(inst: StageInstance): Promise<string> {
    const client = this.client as DaemonClient;
    const runId = this.stageRuns.get(inst.id);
    // The stage's metrics are those of the stages that wrote its deps' metric files.
    const metrics: Record<string, number> = {};
    for (const d of inst.deps) {
      if (!d.endsWith('.json')) continue;
      try {
        Object.assign(metrics, readMetricFile(resolve(this.o.root, d)));
      } catch {
        // Not a metrics file: only metrics files count.
      }
    }
    const r = await client.register(inst.config.model as string, {
      artifact_path: resolve(this.o.root, inst.config.artifact as string),
      ...(runId ? { run_id: runId } : {}),
      metrics,
      tags: { 'mlops.pipeline_run': this.pipelineRun ?? '', 'mlops.stage': inst.id },
    });
    this.registered.set(r.version.model, r.version.version);
    return `registered ${r.version.model} version ${r.version.version}`;
  }
}
