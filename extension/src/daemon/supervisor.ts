/**
 * Keeps one project's daemon reachable for the extension: finds it through `.mlops/daemon.json`,
 * starts it with the configured Node when none answers, follows its event stream (resuming with
 * Last-Event-ID), and restarts a dead daemon a few times a minute at most before giving up and
 * saying so. Free of `vscode` so it runs under node tests against a real daemon.
 */
import { type MlopsEvent, type DaemonStatus } from '../../../schemas/src/api';
import { type DaemonClient } from '../../../client/src/client';
import { probeDaemon, spawnDaemon, readDaemonInfo } from '../../../client/src/connect';
import { EventStream } from '../../../client/src/events';
import { NODE_MAJOR_REQUIRED } from '../../../shared/src/version';
import { Emitter } from '../util/emitter';
import { type Logger } from '../util/logger';
import { checkNode, type NodeCheck } from './node-check';
import { RestartBudget } from './restart-budget';
import * as endpoints from '../../../schemas/src/endpoints';

export type DaemonState =
  | { kind: 'starting' }
  | { kind: 'connected'; status: DaemonStatus }
  | { kind: 'reconnecting'; reason: string }
  | { kind: 'failed'; message: string }
  | { kind: 'stopped' }
  /** Set by the extension, never by the supervisor: the workspace is not trusted, so nothing starts. */
  | { kind: 'disabled'; message: string };

export interface SupervisorSettings {
  nodePath: string;
  autoStart: boolean;
  maxRestartsPerMinute: number;
}

export interface SupervisorOptions {
  root: string;
  /** dist/daemon.js of this installation. */
  daemonScript: string;
  settings(): SupervisorSettings;
  log: Logger;
  actor?: string;
  startTimeoutMs?: number;
  /** Upper bound of the event stream's reconnect backoff. */
  maxBackoffMs?: number;
  now?: () => number;
}

/** Thrown when the daemon cannot be reached and will not be started; the message says why. */
export class DaemonUnreachable extends Error {}

export class DaemonSupervisor {
  readonly onState = new Emitter<DaemonState>();
  readonly onEvent = new Emitter<MlopsEvent>();
  /** Fired on the first connection only: owners load their snapshot then. */
  readonly onFirstConnect = new Emitter<DaemonClient>();
  private current: DaemonState = { kind: 'stopped' };
  private client?: DaemonClient;
  private stream?: EventStream;
  private ensuring?: Promise<DaemonClient>;
  private nodeChecked?: { path: string; result: NodeCheck };
  private budget: RestartBudget;
  private connectedOnce = false;
  private disposed = false;
  private spawnedPids: number[] = [];
  private bootTimer?: NodeJS.Timeout;

  constructor(private readonly opts: SupervisorOptions) {
    this.budget = new RestartBudget(opts.settings().maxRestartsPerMinute);
  }

  get state(): DaemonState {
    return this.current;
  }

  /** Pids this supervisor spawned (the daemon outlives the window on purpose; tests stop it). */
  get spawned(): readonly number[] {
    return this.spawnedPids;
  }

  /** Starts in the background; never throws. */
  start(): void {
    this.setState({ kind: 'starting' });
    void this.boot(250);
  }

  /** First connection, retried with backoff until it works (settings or the daemon may be fixed meanwhile). */
  private async boot(delay: number): Promise<void> {
    this.bootTimer = undefined;
    try {
      const client = await this.ensure();
      // Follow events after the daemon's current position: owners load a snapshot on connect.
      const st = await client.request(endpoints.getStatus);
      if (this.disposed || this.stream) return;
      this.stream = new EventStream({
        after: st.last_event_seq,
        connection: () => this.ensure().then((c) => c.conn),
        onEvent: (ev) => this.onEvent.fire(ev),
        onState: (s, err) => void this.streamState(s, err),
        maxBackoffMs: this.opts.maxBackoffMs ?? 5000,
      }).start();
    } catch (e) {
      this.fail(e);
      if (!this.disposed) this.bootTimer = setTimeout(() => void this.boot(Math.min(delay * 2, 5000)), delay);
    }
  }

  /** The client of a live daemon, starting one when allowed. */
  async getClient(): Promise<DaemonClient> {
    // While the stream is up the daemon is known alive: skip the probe round trip.
    if (this.client && this.current.kind === 'connected') return this.client;
    return this.ensure();
  }

  /** User-requested restart: stops the daemon (if it answers), clears the budget and connects again. */
  async restart(): Promise<DaemonClient> {
    this.budget.reset();
    this.nodeChecked = undefined;
    const live = await probeDaemon(this.opts.root, this.actor);
    if (live) {
      this.opts.log.info('stopping the daemon for a restart');
      await live.request(endpoints.stopDaemon).catch(() => undefined);
      await waitFor(async () => !(await probeDaemon(this.opts.root, this.actor)), 10_000);
    }
    this.client = undefined;
    this.setState({ kind: 'starting' });
    const client = await this.ensure();
    if (!this.stream) {
      clearTimeout(this.bootTimer);
      await this.boot(250);
    }
    return client;
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.bootTimer);
    this.stream?.close();
    this.onState.clear();
    this.onEvent.clear();
    this.onFirstConnect.clear();
  }

  private get actor(): string {
    return this.opts.actor ?? 'vscode';
  }

  private setState(s: DaemonState): void {
    this.current = s;
    if (!this.disposed) this.onState.fire(s);
  }

  private fail(e: unknown): void {
    const message = e instanceof Error ? e.message : String(e);
    if (this.current.kind === 'failed' && this.current.message === message) return;
    this.opts.log.error(message);
    this.setState({ kind: 'failed', message });
  }

  private async streamState(s: 'connected' | 'disconnected', err?: Error): Promise<void> {
    if (this.disposed) return;
    if (s === 'disconnected') {
      // The stream asks ensure() before each reconnect: a refusal to start the daemon surfaces here.
      if (err instanceof DaemonUnreachable) {
        this.fail(err);
        return;
      }
      if (this.current.kind === 'connected') {
        this.opts.log.warn(`lost the daemon's event stream: ${err?.message ?? 'closed'}; reconnecting`);
        this.setState({ kind: 'reconnecting', reason: err?.message ?? 'event stream closed' });
      }
      return;
    }
    try {
      const client = await this.ensure();
      this.setState({ kind: 'connected', status: await client.request(endpoints.getStatus) });
    } catch (e) {
      this.fail(e);
    }
  }

  /** One attempt at a live client; concurrent callers share it. */
  private ensure(): Promise<DaemonClient> {
    this.ensuring ??= this.attach().finally(() => {
      this.ensuring = undefined;
    });
    return this.ensuring;
  }

  private async attach(): Promise<DaemonClient> {
    if (this.disposed) throw new DaemonUnreachable('the extension is shutting down');
    const running = await probeDaemon(this.opts.root, this.actor);
    const client = running ?? (await this.startDaemon());
    this.client = client;
    if (!this.connectedOnce) {
      this.connectedOnce = true;
      this.setState({ kind: 'connected', status: await client.request(endpoints.getStatus) });
      this.onFirstConnect.fire(client);
    }
    return client;
  }

  private async startDaemon(): Promise<DaemonClient> {
    const settings = this.opts.settings();
    if (!settings.autoStart) {
      throw new DaemonUnreachable('No MLOps daemon is running and "mlops.daemon.autoStart" is off. Run "MLOps: Restart Daemon" to start one.');
    }
    const node = await this.checkNodeOnce(settings.nodePath);
    if (!node.ok) throw new DaemonUnreachable(node.message);
    const now = (this.opts.now ?? Date.now)();
    if (this.connectedOnce && !this.budget.take(now)) {
      const wait = Math.ceil((this.budget.nextAllowedAt(now) - now) / 1000);
      throw new DaemonUnreachable(
        `The MLOps daemon stopped ${settings.maxRestartsPerMinute} times within a minute; not restarting it for ${wait} s. ` +
          'See .mlops/daemon.log, then run "MLOps: Restart Daemon".',
      );
    }
    this.setState(this.connectedOnce ? { kind: 'reconnecting', reason: 'restarting the daemon' } : { kind: 'starting' });
    this.opts.log.info(`starting the daemon: ${settings.nodePath} (${node.version}) ${this.opts.daemonScript} --root ${this.opts.root}`);
    const pid = spawnDaemon(this.opts.root, { nodePath: settings.nodePath, daemonScript: this.opts.daemonScript }).pid;
    if (pid) this.spawnedPids.push(pid);
    const timeout = this.opts.startTimeoutMs ?? 15_000;
    const client = await waitFor(() => probeDaemon(this.opts.root, this.actor), timeout);
    if (!client) {
      throw new DaemonUnreachable(`The MLOps daemon did not answer within ${timeout / 1000} s; see .mlops/daemon.log in ${this.opts.root}.`);
    }
    this.opts.log.info(`daemon started (pid ${readDaemonInfo(this.opts.root)?.pid ?? '?'})`);
    return client;
  }

  private async checkNodeOnce(nodePath: string): Promise<NodeCheck> {
    if (this.nodeChecked?.path !== nodePath) {
      this.nodeChecked = { path: nodePath, result: await checkNode(nodePath, NODE_MAJOR_REQUIRED) };
    }
    return this.nodeChecked.result;
  }
}

/** Polls `probe` with growing pauses until it returns something truthy or the time is up. */
async function waitFor<T>(probe: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  let pause = 25;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() >= deadline) return undefined;
    await new Promise((r) => setTimeout(r, pause));
    pause = Math.min(pause * 2, 250);
  }
}
