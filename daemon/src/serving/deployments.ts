/**
 * Deployments: one supervised serving process each. Starts and stops them, restarts a crashed one
 * with backoff, brings running ones back after a daemon restart (the desired state is stored), and
 * follows the registry: when the stage or alias a deployment follows moves, the serving process
 * loads the new version beside the old one and switches with no failed request.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { type DeploymentConfig, type MlopsConfig } from '../../../schemas/src/mlops-yaml';
import { type DeploymentDetail, type DeploymentState, type DeploymentStatus, type FromServingMessage, type ServingModelSpec, type ServingStats, type ToServingMessage } from '../../../schemas/src/serving';
import { type MlopsEvent } from '../../../schemas/src/api';
import { type MonitoringBoot, type MonitoringFromServing } from '../../../schemas/src/monitoring';
import { type EventLog } from '../events/event-log';
import { type Registry } from '../registry/registry';
import { type Db } from '../store/db';
import { type ObjectStore } from '../../../shared/src/objects';
import { DomainError } from '../util/errors';
import { type Logger } from '../util/logger';
import { followsOf, servingSpec, targetVersion } from './resolve';
import { DeploymentStore } from './store';
import { ServingChild } from './supervisor';
import { checkFallback, servingSafety, shadowTarget } from './safety-config';
import { ShadowStore } from '../safety/shadow-store';
import { type BreakerStatus, type ShadowReport } from '../../../schemas/src/safety';

const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 30_000;
/** A process that served this long before crashing restarts without accumulated backoff. */
const STABLE_MS = 60_000;
const REGISTRY_KINDS = new Set(['model.stage_changed', 'model.rolled_back', 'model.alias_set', 'model.alias_removed']);

interface Live {
  name: string;
  child?: ServingChild;
  state: DeploymentState;
  version: number | null;
  /** Version being loaded beside the current one. */
  pending: number | null;
  spec?: ServingModelSpec;
  port: number | null;
  error: string | null;
  restarts: number;
  backoffMs: number;
  startedAt: Date | null;
  servingSince: number;
  /** Served at least once since the last `deploy`: a later exit is a crash to restart, not a failed start. */
  everServed: boolean;
  stats: ServingStats | null;
  breaker: BreakerStatus | null;
  /** What the process was last told (JSON), so a config change only sends what changed. */
  sentSafety: string;
  shadowVersion: number | null;
  /** The flag as last seen in mlops.yaml, to audit its changes once. */
  enabled: boolean | undefined;
  retry?: NodeJS.Timeout;
  waiters: (() => void)[];
}

/** Monitoring as deployments see it (daemon/src/monitoring): what a serving process records, and where its reports go. */
export interface MonitorSink {
  boot(name: string, spec: ServingModelSpec, feedbackToken: string): MonitoringBoot | null;
  /** A monitoring message from the serving process; `reply` answers it (feedback). */
  message(name: string, msg: MonitoringFromServing, reply: (m: ToServingMessage) => void): void;
}
/** Messages handed to monitoring; the names are checked against the schema, so a removed message cannot linger here. */
const MONITOR_MESSAGES: ReadonlySet<string> = new Set(['monitor_flush', 'monitor_window', 'feedback'] satisfies MonitoringFromServing['type'][]);

export interface DeploymentsDeps {
  monitor?: MonitorSink;
  db: Db;
  events: EventLog;
  registry: Registry;
  objects: ObjectStore;
  config: () => MlopsConfig | undefined;
  stateDir: string;
  log: Logger;
}

/** How long feedback waits for a serving process to send the predictions it still holds. */
const SYNC_TIMEOUT_MS = 3000;

export class Deployments {
  private readonly live = new Map<string, Live>();
  private syncSeq = 0;
  private readonly syncs = new Map<number, () => void>();
  private readonly store: DeploymentStore;
  private readonly shadows: ShadowStore;
  private unsubscribe?: () => void;
  private closing = false;

  constructor(private readonly deps: DeploymentsDeps) {
    this.store = new DeploymentStore(deps.db);
    this.shadows = new ShadowStore(deps.db);
    deps.registry.setReferenceCheck((model, version) =>
      [...this.live.values()].some((l) => l.spec?.model === model && (l.version === version || l.pending === version)),
    );
  }

  /** Follows registry events and brings back the deployments that were running before a restart. */
  start(): void {
    this.unsubscribe = this.deps.events.subscribe((ev) => this.onEvent(ev));
    for (const row of this.store.running()) {
      // A disabled deployment comes back too: it answers from its fallback (the feature flag is not a stop).
      if (!this.deps.config()?.deployments[row.name]) continue;
      this.deploy(row.name, 'daemon').catch((e: unknown) => this.deps.log.warn(`deployment ${row.name} did not come back: ${String(e)}`));
    }
  }

  private configOf(name: string): DeploymentConfig {
    const cfg = this.deps.config();
    const d = cfg?.deployments[name];
    if (!d) {
      const names = Object.keys(cfg?.deployments ?? {});
      throw new DomainError(404, 'not_found', `no deployment "${name}" in mlops.yaml (${names.length ? `defined: ${names.join(', ')}` : 'none is defined; add one under `deployments`'})`, undefined, 'deployment');
    }
    return d;
  }

  private liveOf(name: string): Live {
    let l = this.live.get(name);
    if (!l) {
      const row = this.store.get(name);
      l = { name, state: 'stopped', version: row?.version ?? null, pending: null, port: row?.port ?? null, error: null, restarts: 0, backoffMs: BACKOFF_MIN_MS, startedAt: null, servingSince: 0, everServed: false, stats: null, breaker: null, sentSafety: '', shadowVersion: null, enabled: this.deps.config()?.deployments[name]?.enabled, waiters: [] };
      this.live.set(name, l);
    }
    return l;
  }

  /** Starts (or restarts on its current version) and resolves once it is serving or failed. */
  async deploy(name: string, actor: string, waitMs = 120_000): Promise<DeploymentStatus> {
    const cfg = this.configOf(name);
    const version = targetVersion(this.deps.registry, cfg);
    const spec = servingSpec(this.deps.registry, this.deps.objects, this.deps.config(), cfg.model, version);
    checkFallback(name, cfg, spec.features);
    const l = this.liveOf(name);
    if (l.retry) clearTimeout(l.retry);
    l.retry = undefined;
    if (l.child) await this.halt(l);
    const row = this.store.get(name);
    // Every deployment has a token: `POST /feedback` needs it even when prediction routes do not (auth: none).
    const token = row?.token ?? randomBytes(24).toString('base64url');
    this.store.save({ name, desired: 'running', token, port: l.port, version });
    l.restarts = 0;
    l.backoffMs = BACKOFF_MIN_MS;
    l.everServed = false;
    this.spawn(l, cfg, spec, actor);
    await this.settled(l, waitMs);
    return this.status(name);
  }

  private spawn(l: Live, cfg: DeploymentConfig, spec: ServingModelSpec, actor: string): void {
    const row = this.store.get(l.name);
    l.state = 'starting';
    l.error = null;
    l.spec = spec;
    l.version = null;
    l.pending = spec.version;
    l.startedAt = new Date();
    const port = cfg.port || l.port || 0;
    const safety = servingSafety(this.deps.config(), l.name, cfg);
    l.sentSafety = JSON.stringify(safety);
    l.enabled = cfg.enabled;
    const shadow = this.shadowSpec(l, cfg);
    const child: ServingChild = new ServingChild(
      {
        deployment: l.name,
        host: '127.0.0.1',
        port,
        allowed_hosts: [],
        threads: cfg.threads,
        max_batch: cfg.max_batch,
        max_delay_ms: cfg.max_delay_ms,
        max_body_bytes: cfg.max_body_bytes,
        max_instances: cfg.max_instances,
        token: cfg.auth === 'token' ? (row?.token ?? null) : null,
        model: spec,
        safety,
        shadow,
        monitoring: row?.token ? (this.deps.monitor?.boot(l.name, spec, row.token) ?? null) : null,
      },
      join(this.deps.stateDir, 'serving'),
      {
        message: (m) => this.onMessage(l, child, m, actor),
        exit: (code, signal, tail) => this.onExit(l, child, code, signal, tail, port !== cfg.port),
      },
    );
    l.child = child;
  }

  /**
   * Resolves once the serving process of `name` has sent every prediction it recorded so far (they
   * leave in chunks, so the newest may still be in its ring), or at once when it is not running; a
   * process that does not answer within SYNC_TIMEOUT_MS is not waited for longer.
   */
  syncMonitoring(name: string): Promise<void> {
    const child = this.live.get(name)?.child;
    if (!child) return Promise.resolve();
    const id = ++this.syncSeq;
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.syncs.delete(id);
        resolve();
      };
      const timer = setTimeout(done, SYNC_TIMEOUT_MS);
      timer.unref();
      this.syncs.set(id, done);
      // A process that has gone holds nothing more to send: no reason to wait for the timeout.
      if (!child.tell({ type: 'monitor_sync', id })) done();
    });
  }

  private onMessage(l: Live, child: ServingChild, m: FromServingMessage, actor: string): void {
    if (m.type === 'monitor_synced') return void this.syncs.get(m.id)?.();
    // Monitoring reports count even from a process being stopped: its last flush arrives after the hand-off.
    if (MONITOR_MESSAGES.has(m.type)) return this.deps.monitor?.message(l.name, m as MonitoringFromServing, (r) => child.tell(r));
    if (l.child !== child) return;
    if (m.type === 'listening') {
      l.port = m.port;
      this.persist(l);
    } else if (m.type === 'stats') l.stats = m.stats;
    else if (m.type === 'breaker') this.onBreaker(l, m);
    else if (m.type === 'shadow_stats' && l.spec) this.shadows.add(l.name, l.spec.model, m.delta);
    else if (m.type === 'loaded') this.onLoaded(l, m.version, m.load_ms + m.warmup_ms, actor);
    else if (m.type === 'load_failed') this.onLoadFailed(l, m.version, m.error, actor);
  }

  private onLoaded(l: Live, version: number, ms: number, actor: string): void {
    const from = l.version;
    l.version = version;
    if (l.pending === version) l.pending = null;
    l.error = null;
    this.persist(l);
    if (l.state !== 'serving') {
      l.state = 'serving';
      l.everServed = true;
      l.servingSince = Date.now();
      this.record(actor, 'deployment.started', l, null, { version, url: this.url(l), pid: l.child?.pid ?? null, load_ms: Math.round(ms) });
      this.wake(l);
    } else if (from !== version) {
      this.record(actor, 'deployment.switched', l, { version: from }, { version, load_ms: Math.round(ms) });
    }
  }

  private onLoadFailed(l: Live, version: number, error: string, actor: string): void {
    if (l.pending === version) l.pending = null;
    if (l.state === 'serving') {
      // The old version keeps serving: the failure is reported, never turned into downtime.
      l.error = `version ${version} failed to load, still serving version ${l.version}: ${error}`;
      this.record(actor, 'deployment.load_failed', l, { version: l.version }, { version, error });
      return;
    }
    if (this.deps.config()?.deployments[l.name]?.fallback) {
      // With rules the process stays up: its breaker is open and the rules answer until a version loads.
      l.state = 'serving';
      l.everServed = true;
      l.servingSince = Date.now();
      l.error = `version ${version} failed to load: ${error}; answering from the fallback rules (circuit breaker open)`;
      this.record(actor, 'deployment.load_failed', l, null, { version, error });
      this.wake(l);
      return;
    }
    l.state = 'failed';
    l.error = `version ${version} failed to load: ${error}`;
    this.record(actor, 'deployment.failed', l, null, { version, error });
    this.store.save({ ...this.rowOf(l), desired: 'stopped' });
    void this.halt(l);
    this.wake(l);
  }

  private onExit(l: Live, child: ServingChild, code: number | null, signal: NodeJS.Signals | null, tail: string, rememberedPort: boolean): void {
    if (l.child !== child) return;
    l.child = undefined;
    l.stats = null;
    l.breaker = null;
    if (this.closing || l.state === 'stopped' || l.state === 'failed') return;
    const how = signal ? `killed by ${signal}` : `exited with code ${code}`;
    const lastLine = tail.trim().split('\n').slice(-3).join(' | ');
    if (!l.everServed) {
      if (rememberedPort && code === 2 && l.port) {
        // The remembered port was taken meanwhile: take any free one instead.
        l.port = null;
        if (l.spec) this.spawn(l, this.configOf(l.name), l.spec, 'daemon');
        return;
      }
      l.state = 'failed';
      l.error = `the serving process ${how} before serving: ${lastLine}`;
      this.record('daemon', 'deployment.failed', l, null, { error: l.error });
      this.store.save({ ...this.rowOf(l), desired: 'stopped' });
      this.wake(l);
      return;
    }
    if (Date.now() - l.servingSince > STABLE_MS) l.backoffMs = BACKOFF_MIN_MS;
    const delay = l.backoffMs;
    l.backoffMs = Math.min(BACKOFF_MAX_MS, l.backoffMs * 2);
    l.restarts++;
    l.state = 'starting';
    l.error = `the serving process ${how}; restarting in ${delay} ms`;
    this.record('daemon', 'deployment.crashed', l, { version: l.version }, { how, restart_in_ms: delay, restarts: l.restarts, stderr: lastLine });
    l.retry = setTimeout(() => this.restart(l), delay);
  }

  private restart(l: Live): void {
    l.retry = undefined;
    try {
      const cfg = this.configOf(l.name);
      const version = targetVersion(this.deps.registry, cfg);
      this.spawn(l, cfg, servingSpec(this.deps.registry, this.deps.objects, this.deps.config(), cfg.model, version), 'daemon');
    } catch (e) {
      l.state = 'failed';
      l.error = `restart failed: ${e instanceof Error ? e.message : String(e)}`;
      this.record('daemon', 'deployment.failed', l, null, { error: l.error });
      this.wake(l);
    }
  }

  /** Registry moved: every deployment following the model's stage or alias checks its target. */
  private onEvent(ev: MlopsEvent): void {
    if (!REGISTRY_KINDS.has(ev.kind)) return;
    const model = /^model:([^/@]+)/.exec(ev.subject)?.[1];
    for (const l of this.live.values()) {
      if (!l.child || l.spec?.model !== model || (l.state !== 'serving' && l.state !== 'starting')) continue;
      this.follow(l, ev.actor);
    }
  }

  private follow(l: Live, actor: string): void {
    let cfg: DeploymentConfig;
    let target: number;
    try {
      cfg = this.configOf(l.name);
      target = targetVersion(this.deps.registry, cfg);
    } catch (e) {
      l.error = `${e instanceof Error ? e.message : String(e)}; still serving version ${l.version}`;
      return;
    }
    this.followShadow(l, cfg);
    if (target === (l.pending ?? l.version)) return;
    try {
      const spec = servingSpec(this.deps.registry, this.deps.objects, this.deps.config(), cfg.model, target);
      l.pending = target;
      l.spec = spec;
      l.child?.load(spec);
    } catch (e) {
      this.onLoadFailed(l, target, e instanceof Error ? e.message : String(e), actor);
    }
  }

  async stop(name: string, actor: string): Promise<DeploymentStatus> {
    this.configOf(name);
    const l = this.liveOf(name);
    const was = l.state;
    if (l.retry) clearTimeout(l.retry);
    l.retry = undefined;
    l.state = 'stopped';
    await this.halt(l);
    this.store.save({ ...this.rowOf(l), desired: 'stopped' });
    if (was !== 'stopped') this.record(actor, 'deployment.stopped', l, { state: was, version: l.version }, null);
    this.wake(l);
    return this.status(name);
  }

  private async halt(l: Live): Promise<void> {
    const child = l.child;
    l.child = undefined;
    l.stats = null;
    l.breaker = null;
    await child?.stop();
  }

  /** Daemon shutdown: processes stop, the desired state stays, so they come back with the daemon. */
  async close(): Promise<void> {
    this.closing = true;
    this.unsubscribe?.();
    await Promise.all([...this.live.values()].map((l) => {
      if (l.retry) clearTimeout(l.retry);
      return this.halt(l);
    }));
  }

  private settled(l: Live, waitMs: number): Promise<void> {
    if (l.state === 'serving' || l.state === 'failed' || l.state === 'stopped') return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, waitMs);
      l.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private wake(l: Live): void {
    const w = l.waiters;
    l.waiters = [];
    for (const f of w) f();
  }

  private url(l: Live): string | null {
    return l.state === 'serving' && l.port ? `http://127.0.0.1:${l.port}` : null;
  }

  private rowOf(l: Live): { name: string; desired: 'running' | 'stopped'; token: string | null; port: number | null; version: number | null } {
    const row = this.store.get(l.name);
    return { name: l.name, desired: row?.desired ?? 'running', token: row?.token ?? null, port: l.port, version: l.version };
  }

  private persist(l: Live): void {
    this.store.save(this.rowOf(l));
  }

  private onBreaker(l: Live, m: Extract<FromServingMessage, { type: 'breaker' }>): void {
    const before = l.breaker;
    l.breaker = { state: m.state, since: new Date().toISOString(), reason: m.reason, fallback_answers: m.fallback_answers };
    const kind = m.state === 'open' ? 'breaker.opened' : m.state === 'half_open' ? 'breaker.half_open' : 'breaker.closed';
    if (!this.closing) this.deps.events.record({ actor: 'daemon', kind, subject: `deployment:${l.name}`, before: before ? { state: before.state } : null, after: { state: m.state, version: m.version, fallback_answers: m.fallback_answers }, reason: m.reason });
  }

  /** The shadow version's spec, or null (none named, or it cannot be resolved: then said in `error`). */
  private shadowSpec(l: Live, cfg: DeploymentConfig): ServingModelSpec | null {
    const t = shadowTarget(this.deps.registry, cfg);
    l.shadowVersion = t && 'version' in t ? t.version : null;
    if (!t) return null;
    if ('error' in t) {
      this.deps.log.warn(`deployment ${l.name}: ${t.error}; no shadow meanwhile`);
      return null;
    }
    try {
      return servingSpec(this.deps.registry, this.deps.objects, this.deps.config(), cfg.model, t.version);
    } catch (e) {
      this.deps.log.warn(`deployment ${l.name}: shadow version ${t.version}: ${String(e)}`);
      l.shadowVersion = null;
      return null;
    }
  }

  private followShadow(l: Live, cfg: DeploymentConfig): void {
    const was = l.shadowVersion;
    const spec = this.shadowSpec(l, cfg);
    if (l.shadowVersion !== was) l.child?.tell({ type: 'shadow', model: spec });
  }

  /**
   * mlops.yaml changed (or `deployments enable|disable` edited it): running processes get their new
   * flag, rules and thresholds, and follow a changed shadow; a flag change is audited once.
   */
  applyConfig(actor: string, reason = ''): void {
    const config = this.deps.config();
    for (const [name, cfg] of Object.entries(config?.deployments ?? {})) {
      const l = this.liveOf(name);
      if (l.enabled !== undefined && l.enabled !== cfg.enabled) {
        this.deps.events.record({ actor, kind: 'deployment.flag_changed', subject: `deployment:${name}`, before: { enabled: l.enabled }, after: { enabled: cfg.enabled }, reason });
      }
      l.enabled = cfg.enabled;
      if (!l.child) continue;
      const safety = servingSafety(config, name, cfg);
      const text = JSON.stringify(safety);
      if (text !== l.sentSafety) {
        if (l.spec && cfg.fallback) {
          try {
            checkFallback(name, cfg, l.spec.features);
          } catch (e) {
            l.error = `${e instanceof Error ? e.message : String(e)}; the previous rules stay`;
            continue;
          }
        }
        l.sentSafety = text;
        l.child.tell({ type: 'safety', safety });
      }
      this.followShadow(l, cfg);
    }
  }

  shadowReport(name: string): ShadowReport {
    const cfg = this.configOf(name);
    return { deployment: name, shadow: cfg.shadow === undefined ? null : String(cfg.shadow), pairs: this.shadows.forDeployment(name) };
  }

  private record(actor: string, kind: 'deployment.started' | 'deployment.stopped' | 'deployment.switched' | 'deployment.load_failed' | 'deployment.crashed' | 'deployment.failed', l: Live, before: unknown, after: unknown): void {
    if (this.closing) return;
    this.deps.events.record({ actor, kind, subject: `deployment:${l.name}`, before, after, reason: l.error ?? '' });
  }

  list(): DeploymentStatus[] {
    return Object.keys(this.deps.config()?.deployments ?? {}).sort().map((n) => this.status(n));
  }

  status(name: string): DeploymentStatus {
    const cfg = this.configOf(name);
    const l = this.liveOf(name);
    return {
      name,
      model: cfg.model,
      version: l.state === 'stopped' || l.state === 'failed' ? (l.version ?? this.store.get(name)?.version ?? null) : l.version,
      follows: followsOf(cfg),
      state: l.state,
      url: this.url(l),
      port: l.port,
      pid: l.child?.pid ?? null,
      auth: cfg.auth,
      enabled: cfg.enabled,
      error: l.error,
      restarts: l.restarts,
      started_at: l.startedAt?.toISOString() ?? null,
      stats: l.stats,
      breaker: l.child ? l.breaker : null,
    };
  }

  detail(name: string): DeploymentDetail {
    const st = this.status(name);
    const cfg = this.configOf(name);
    const version = st.version;
    let spec: ServingModelSpec | null = null;
    if (version !== null) {
      try {
        spec = servingSpec(this.deps.registry, this.deps.objects, this.deps.config(), cfg.model, version);
      } catch {
        spec = null;
      }
    }
    const sha = spec?.artifact_sha256 ?? null;
    return {
      ...st,
      token: this.store.get(name)?.token ?? null,
      log_path: join(this.deps.stateDir, 'serving', `${name}.log`),
      artifact_sha256: sha,
      artifact_path: sha ? this.deps.objects.pathOf(sha) : null,
      config: { ...cfg },
      spec,
    };
  }
}
