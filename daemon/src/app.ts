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
import { Router, serve, type Route } from './http/router';
import { createApiServer } from './http/server';
import { ConfigHolder } from './config/holder';
import { formatProblems } from '../../shared/src/mlops-yaml';
import { Datasets } from './datasets/datasets';
import { datasetRoutes } from './datasets/routes';
import { DatasetWatcher } from './datasets/watcher';
import { GarbageCollector } from './store/gc';
import { Runs } from './tracking/runs';
import { trackingRoutes } from './tracking/routes';
import { exportRoutes } from './export/routes';
import { ArtifactIntake } from './registry/intake';
import { Registry } from './registry/registry';
import { registryRoutes } from './registry/routes';
import { openStore, schemaVersion, type Db } from './store/db';
import { ObjectStore } from './store/objects';
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
  private server?: Server;
  private readonly startedAt = new Date();

  constructor(private readonly opts: AppOptions) {
    const dir = join(opts.root, '.mlops');
    this.db = openStore(join(dir, 'mlops.db'));
    this.events = new EventLog(this.db);
    this.objects = new ObjectStore(join(dir, 'objects'));
    this.registry = new Registry(this.db, this.events);
    this.config = new ConfigHolder(opts.root, opts.log);
    this.runs = new Runs(this.db, this.events);
    this.datasets = new Datasets(this.db, this.events, this.objects, opts.root, () => this.config.get(), () => {
      const r = this.config.current();
      return r.ok || r.missing ? undefined : formatProblems(r).split('\n').join('; ');
    });
    this.watcher = new DatasetWatcher(opts.root, this.datasets, opts.log);
  }

  /** Starts the background work: config and dataset watching. */
  async startWatching(): Promise<void> {
    this.config.start();
    this.config.onChange((cfg) => void this.watcher.update(cfg));
    await this.watcher.update(this.config.get());
  }

  /** Every route the daemon serves; each is a declaration from schemas/src/endpoints/ plus its handler. */
  routes(): Route[] {
    const intake = new ArtifactIntake(this.opts.root, this.objects);
    return [
      ...this.daemonRoutes(),
      ...eventRoutes(this.events),
      ...registryRoutes(this.registry, intake),
      ...exportRoutes(this.registry, intake),
      ...trackingRoutes(this.runs, this.objects, this.opts.root, {
        config: () => this.config.get()?.params,
        datasets: () => this.datasets.latestVersions(Object.keys(this.config.get()?.data ?? {})),
      }),
      ...datasetRoutes(this.datasets, new GarbageCollector(this.db, this.objects)),
    ];
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
