/**
 * The daemon's composition root: one object that owns the store, the event log, every domain
 * module and the HTTP server, and closes them in reverse order.
 */
import { type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type DaemonStatus } from '../../schemas/src/api';
import { getStatus, stopDaemon } from '../../schemas/src/endpoints/daemon';
import { EventLog } from './events/event-log';
import { eventRoutes } from './events/routes';
import { notebookRoutes } from './notebooks/routes';
import { Router, serve, type Route } from './http/router';
import { createApiServer } from './http/server';
import { ConfigHolder } from './config/holder';
import { formatProblems } from '../../shared/src/mlops-yaml';
import { Datasets } from './datasets/datasets';
import { datasetRoutes } from './datasets/routes';
import { DatasetDrift } from './dashboards/dataset-drift';
import { dashboardRoutes } from './dashboards/routes';
import { DatasetWatcher } from './datasets/watcher';
import { PipelineTriggers } from './pipelines/triggers';
import { pipelineRoutes } from './pipelines/routes';
import { GarbageCollector } from './store/gc';
import { Runs } from './tracking/runs';
import { trackingRoutes } from './tracking/routes';
import { exportRoutes } from './export/routes';
import { ArtifactIntake } from './registry/intake';
import { Registry } from './registry/registry';
import { registryRoutes } from './registry/routes';
import { DaemonGatekeeper } from './gates/gatekeeper';
import { gateRoutes } from './gates/routes';
import { GateRuns } from './gates/store';
import { shadowReader } from './gates/shadow';
import { Deployments } from './serving/deployments';
import { servingRoutes } from './serving/routes';
import { safetyRoutes } from './safety/routes';
import { AutoRollback } from './monitoring/rollback';
import { Monitoring } from './monitoring/monitoring';
import { monitoringRoutes } from './monitoring/routes';
import { mlflowRoutes } from './mlflow/routes';
import { openStore, schemaVersion, type Db } from './store/db';
import { bindObjects, checkBeforeOpen } from './store/guard';
import { createOwnerOnly, restrictStateDir } from './store/permissions';
import { ObjectStore } from '../../shared/src/objects';
import { objectRoutes } from './store/routes';
import { type Logger } from './util/logger';
import { VERSION } from '../../shared/src/version';

export interface AppOptions {
  root: string;
  token: string;
  log: Logger;
  /** Called when a client asks the daemon to stop. */
  onStopRequest?: () => void;
}

export class DaemonApp {
  readonly db: Db;
  readonly events: EventLog;
  readonly objects: ObjectStore;
  readonly registry: Registry;
  readonly config: ConfigHolder;
  readonly runs: Runs;
  readonly datasets: Datasets;
  readonly watcher: DatasetWatcher;
  readonly deployments: Deployments;
  readonly autoRollback: AutoRollback;
  readonly triggers: PipelineTriggers;
  readonly gateRuns: GateRuns;
  readonly gatekeeper: DaemonGatekeeper;
  readonly monitoring: Monitoring;
  private server?: Server;
  private readonly startedAt = new Date();

  constructor(private readonly opts: AppOptions) {
    const dir = join(opts.root, '.mlops');
    restrictStateDir(dir);
    checkBeforeOpen(join(dir, 'mlops.db'), join(dir, 'objects'));
    createOwnerOnly(join(dir, 'mlops.db'));
    this.db = openStore(join(dir, 'mlops.db'));
    restrictStateDir(dir);
    this.events = new EventLog(this.db);
    this.objects = new ObjectStore(join(dir, 'objects'));
    bindObjects(this.db, this.objects.dir);
    // No write is running (this process holds the project lock): every temp file is a leftover.
    const leftovers = this.objects.cleanTemp();
    if (leftovers.files) opts.log.info(`removed ${leftovers.files} temp files (${leftovers.bytes} bytes) left by an interrupted write`);
    this.registry = new Registry(this.db, this.events);
    this.config = new ConfigHolder(opts.root, opts.log, (problems) =>
      this.events.record({ actor: 'daemon', kind: 'config.invalid', subject: 'config:mlops.yaml', reason: problems.slice(0, 2000) }),
    );
    this.runs = new Runs(this.db, this.events);
    this.datasets = new Datasets(this.db, this.events, this.objects, opts.root, () => this.config.get(), () => {
      const r = this.config.current();
      return r.ok || r.missing ? undefined : formatProblems(r).split('\n').join('; ');
    });
    this.watcher = new DatasetWatcher(opts.root, this.datasets, opts.log);
    this.monitoring = new Monitoring({
      db: this.db,
      events: this.events,
      config: () => this.config.get(),
      datasets: this.datasets,
      objects: this.objects,
      status: (name) => this.deployments.status(name),
      log: opts.log,
      sync: (name) => this.deployments.syncMonitoring(name),
    });
    this.deployments = new Deployments({
      monitor: this.monitoring,
      db: this.db,
      events: this.events,
      registry: this.registry,
      objects: this.objects,
      config: () => this.config.get(),
      stateDir: dir,
      log: opts.log,
    });
    this.autoRollback = new AutoRollback({ db: this.db, events: this.events, registry: this.registry, alerts: this.monitoring.alerts, config: () => this.config.get(), log: opts.log });
    this.triggers = new PipelineTriggers(opts.root, this.events, opts.log);
    this.gateRuns = new GateRuns(this.db);
    this.gatekeeper = new DaemonGatekeeper({
      root: opts.root,
      registry: this.registry,
      objects: this.objects,
      datasets: this.datasets,
      events: this.events,
      runs: this.gateRuns,
      config: () => this.config.get(),
      log: opts.log,
      shadow: shadowReader(this.db),
    });
    // Every promotion to Production, whichever path it takes, runs the model's gates first.
    this.registry.setGatekeeper(this.gatekeeper);
  }

  /** Starts the background work: config and dataset watching. */
  async startWatching(): Promise<void> {
    this.config.start();
    this.config.onChange((cfg) => {
      this.watcher.update(cfg).catch((e: unknown) => this.opts.log.warn(`dataset watcher: ${String(e)}`));
      this.triggers.update(cfg);
      this.deployments.applyConfig('mlops.yaml');
    });
    this.triggers.update(this.config.get());
    // Watching is a convenience: a config it cannot watch is logged, never a failed start.
    await this.watcher.update(this.config.get()).catch((e: unknown) => this.opts.log.warn(`dataset watcher: ${String(e)}`));
    this.deployments.start();
    this.autoRollback.start();
    this.monitoring.start();
  }

  /** Every route the daemon serves; each is a declaration from schemas/src/endpoints/ plus its handler. */
  routes(): Route[] {
    const intake = new ArtifactIntake(this.opts.root, this.objects);
    return [
      ...this.daemonRoutes(),
      ...eventRoutes(this.events),
      ...notebookRoutes(this.events),
      ...objectRoutes(this.objects),
      ...registryRoutes(this.registry, intake),
      ...exportRoutes(this.registry, intake),
      ...gateRoutes(this.gatekeeper, this.gateRuns, this.registry),
      ...trackingRoutes(this.runs, this.objects, this.opts.root, {
        config: () => this.config.get()?.params,
        datasets: () => this.datasets.latestVersions(Object.keys(this.config.get()?.data ?? {})),
      }),
      ...datasetRoutes(this.datasets, new GarbageCollector(this.db, this.objects)),
      ...servingRoutes(this.deployments),
      ...safetyRoutes(this.deployments, this.opts.root),
      ...dashboardRoutes(new DatasetDrift(this.datasets, this.objects, () => this.config.get())),
      ...this.pipelineRoutes(),
      ...monitoringRoutes(this.monitoring),
      ...mlflowRoutes({
        db: this.db,
        root: this.opts.root,
        runs: this.runs,
        registry: this.registry,
        intake,
        objects: this.objects,
        events: this.events,
      }),
    ];
  }

  private pipelineRoutes(): Route[] {
    const deps = {
      root: this.opts.root,
      stateDir: join(this.opts.root, '.mlops'),
      objects: this.objects,
      config: () => this.config.get(),
      recentRuns: () => this.runs.list({ experiment: 'pipeline', limit: 1000 }).runs,
      running: () => this.triggers.running,
    };
    return pipelineRoutes(deps, this.triggers, () => {
      const r = this.config.current();
      return r.ok || r.missing ? undefined : formatProblems(r).split('\n').join('; ');
    });
  }

  private daemonRoutes(): Route[] {
    return [
      serve(getStatus, () => this.status()),
      serve(stopDaemon, () => {
        setImmediate(() => this.opts.onStopRequest?.());
        return { stopping: true as const };
      }),
    ];
  }

  status(): DaemonStatus {
    const counts = this.registry.counts();
    return {
      version: VERSION,
      pid: process.pid,
      root: this.opts.root,
      started_at: this.startedAt.toISOString(),
      uptime_s: (Date.now() - this.startedAt.getTime()) / 1000,
      schema_version: schemaVersion(this.db),
      node_version: process.version,
      last_event_seq: this.events.lastSeq(),
      counts: { ...counts, events: this.events.lastSeq() },
      schedules: this.triggers.schedules(),
    };
  }

  /** Listens on 127.0.0.1 and resolves with the port chosen. */
  listen(port = 0): Promise<number> {
    const server = createApiServer({ router: new Router(this.routes()), token: this.opts.token, log: this.opts.log });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });
  }

  /** Stops accepting requests, lets in-flight ones finish, then closes the store. */
  async close(): Promise<void> {
    this.triggers.close();
    this.autoRollback.close();
    await this.gatekeeper.close();
    await this.deployments.close();
    this.monitoring.close();
    await this.watcher.close();
    await this.config.close();
    this.runs.flushMetricEvents();
    const server = this.server;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      });
    }
    if (this.db.open) {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
      this.db.close();
    }
  }
}
