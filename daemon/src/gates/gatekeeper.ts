/**
 * The daemon's side of promotion gates: finds what the evaluation needs in the store (the versions'
 * artifacts and signatures, dataset versions, project files), runs shared/src/gates/evaluate.ts,
 * and records each result with the version (gate_runs) and in the audit log. The registry calls it
 * before any promotion to Production (registry.setStage).
 */
import { join } from 'node:path';
import { type CheckReport } from '../../../schemas/src/gates';
import { type MlopsConfig } from '../../../schemas/src/mlops-yaml';
import { evaluateGates, type GateContext, type ShadowSummary } from '../../../shared/src/gates/evaluate';
import { GateCannotRun } from '../../../shared/src/gates/data';
import { stopTemporaryEndpoints } from '../../../shared/src/gates/endpoint';
import { type ObjectStore } from '../../../shared/src/objects';
import { type Datasets } from '../datasets/datasets';
import { type EventLog } from '../events/event-log';
import { type Gatekeeper, type Registry } from '../registry/registry';
import { servingSpec } from '../serving/resolve';
import { servingScript } from '../serving/supervisor';
import { DomainError } from '../util/errors';
import { type Logger } from '../util/logger';
import { type GateRuns } from './store';

export interface GatekeeperDeps {
  root: string;
  registry: Registry;
  objects: ObjectStore;
  datasets: Datasets;
  events: EventLog;
  runs: GateRuns;
  config: () => MlopsConfig | undefined;
  log: Logger;
  /** Shadow results of a version, when the monitoring feature has them; null when there are none. */
  shadow?: (model: string, version: number) => ShadowSummary | null;
}

export class DaemonGatekeeper implements Gatekeeper {
  /** One evaluation at a time: each loads two models and the latency gate wants a quiet process. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly d: GatekeeperDeps) {}

  async evaluate(model: string, version: number, production: number | null): Promise<CheckReport | null> {
    const cfg = this.d.config();
    const gates = cfg?.models[model]?.gates;
    if (!cfg || !gates || !Object.values(gates).some((g) => g !== undefined)) return null;
    const run = this.queue.then(() => evaluateGates(this.context(cfg, model, version, production)));
    this.queue = run.catch(() => undefined);
    const report = await run;
    this.d.log.info(`gates of ${model} v${version} against ${production === null ? 'no Production' : `v${production}`}: exit ${report.exit_code} in ${report.seconds.toFixed(1)} s`);
    return report;
  }

  record(versionRowId: number, subject: string, report: CheckReport, forced: boolean, reason: string, actor: string): void {
    this.d.runs.insert(versionRowId, report, forced, reason);
    this.d.events.append({
      actor,
      kind: 'gates.evaluated',
      subject,
      after: { passed: report.passed, exit_code: report.exit_code, production_version: report.production_version, gates: report.gates },
      ...(forced ? { reason } : {}),
    });
  }

  /** `mlops check` through the daemon: evaluates and records, never promotes. */
  async check(model: string, version: number, against: number | undefined, actor: string): Promise<CheckReport> {
    const current = this.d.registry.getModel(model, 1).model.production_version;
    const production = against ?? (current === version ? null : current);
    if (production !== null) this.d.registry.getVersion(model, production);
    const row = this.d.registry.versionRowId(model, version);
    const report = await this.evaluate(model, version, production);
    if (!report) {
      return { model, candidate_version: version, production_version: production, passed: true, exit_code: 0, evaluated_at: new Date().toISOString(), seconds: 0, gates: [] };
    }
    this.d.events.transact(() => this.record(row, `model:${model}/${version}`, report, false, '', actor));
    return report;
  }

  /** Daemon shutdown: the latency gate's temporary endpoints go with it. */
  async close(): Promise<void> {
    await stopTemporaryEndpoints();
  }

  private context(cfg: MlopsConfig, model: string, version: number, production: number | null): GateContext {
    const modelCfg = cfg.models[model];
    if (!modelCfg) throw new DomainError(422, 'invalid_config', `model "${model}" is not declared under models in mlops.yaml`);
    const spec = (v: number) => servingSpec(this.d.registry, this.d.objects, cfg, model, v);
    return {
      model,
      gates: modelCfg.gates ?? {},
      task: modelCfg.task,
      candidate: { version, spec: spec(version) },
      production: production === null ? null : { version: production, spec: spec(production) },
      holdoutFiles: (ref) => this.holdoutFiles(cfg, ref),
      projectFile: (rel) => join(this.d.root, rel),
      shadow: () => this.d.shadow?.(model, version) ?? null,
      // The serving entry deployments run; the temporary endpoints are no deployments (no rows, no monitoring).
      endpoints: {
        script: servingScript(),
        onStart: (e) => this.d.log.info(`latency gate of ${model} v${version}: temporary endpoint of the ${e.role} on 127.0.0.1:${e.port} (pid ${e.pid})`),
      },
    };
  }

  /** "name@3": that stored version's files; "name": its latest stored version, else the files on disk. */
  private holdoutFiles(cfg: MlopsConfig, ref: string): string[] {
    const [name, v] = ref.split('@') as [string, string | undefined];
    const ds = cfg.data[name];
    if (!ds) throw new GateCannotRun(`no dataset "${name}" under data in mlops.yaml`);
    if (ds.format !== 'csv') throw new GateCannotRun(`dataset "${name}" is ${ds.format}; the holdout gate reads CSV`);
    const version = v !== undefined ? Number(v) : this.d.datasets.latestVersions([name])[0]?.version;
    if (version === undefined) return this.d.datasets.currentFiles(name).map((f) => join(this.d.root, f));
    let files;
    try {
      files = this.d.datasets.manifest(name, version).files;
    } catch (e) {
      if (e instanceof DomainError && e.status === 404) throw new GateCannotRun(`dataset "${name}" has no version ${version} (see \`mlops data versions ${name}\`)`);
      throw e;
    }
    return files.map((f) => this.d.objects.pathOf(f.sha256));
  }
}
