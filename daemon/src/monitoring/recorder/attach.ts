/**
 * Plugs monitoring into a serving process: the record step on the serving loop, the worker thread
 * that does the recording (recorder-worker.ts), and the `/feedback` route.
 *
 * The serving loop only copies each finished prediction request into a ring in shared memory
 * (record-ring.ts); the worker reads it, records, and posts the messages for the daemon back here,
 * where they go out on the IPC channel in the order it produced them. Why a thread: onnxruntime's
 * session.run blocks the serving loop, which is the one resource a deployment cannot add; monitoring
 * on it cost ~6 % of its busy time at full load (CPU profile, docs/MONITORING.md), now what the
 * copy and the sends cost.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type MonitoringFromServing } from '../../../../schemas/src/monitoring';
import { type ServingBoot, type ToServingMessage } from '../../../../schemas/src/serving';
import { type LoadedModel } from '../../../../shared/src/serving/model';
import { type ModelHost } from '../../serving/host';
import { type RequestRecord, type ServingServer } from '../../serving/http';
import { type ServingMetrics } from '../../serving/metrics';
import { records } from '../../serving/protocols';
import { RowScorer } from '../../../../shared/src/monitoring/outputs';
import { FeedbackRoute } from './feedback-route';
import { QUEUED, RECORDED_ROUTES, RecordWriter } from './record-ring';
import { type FromMonitoringWorker, type MonitoringWorkerData, type ToMonitoringWorker } from './recorder-worker';

/**
 * Bytes of the ring: about 6,000 requests of 20 features (0.4 s of full load) for the worker to fall
 * behind by, small enough to stay in the CPU's caches (an 8 MiB ring made each copy miss them).
 */
const RING_BYTES = 2 << 20;
/** How long shutdown waits for the worker's last messages. */
const CLOSE_TIMEOUT_MS = 3000;

export interface AttachedMonitoring {
  /** Messages from the daemon meant for monitoring (feedback answers, sync requests). */
  onMessage(msg: ToServingMessage): void;
  /** Sends everything still held; resolves once it is written (the process exits next). */
  close(): Promise<void>;
}

/** The record step on the serving loop: copies each finished prediction request into the ring. */
const RECORDED: ReadonlySet<string> = new Set(RECORDED_ROUTES);

class RingRecorder {
  private served: LoadedModel | undefined | null = null;
  /** Each instance's prediction and confidence, made here so that the worker never parses the answer back. */
  private readonly scorer = new RowScorer();

  constructor(
    readonly writer: RecordWriter,
    private readonly host: ModelHost,
    private readonly metrics: ServingMetrics,
  ) {}

  record(r: RequestRecord): void {
    if (!RECORDED.has(r.route)) return;
    const m = this.host.model;
    if (m !== this.served) {
      this.served = m;
      this.writer.model(m && { version: m.spec.version, task: m.spec.task, features: m.features.map((f) => f.name) });
    }
    // The answer's text when the route made it (/predict); the other routes' answers are made here.
    const json = r.outputsJson ?? (r.outputs ? JSON.stringify(records(r.outputs, r.rows?.length ?? 0)) : undefined);
    const n = r.outputs && r.rows ? r.rows.length : 0;
    const scored = r.outputs && n > 0 && this.scorer.score(r.outputs, n, m?.spec.task ?? null) ? n : 0;
    this.writer.request(r, Date.now(), this.metrics.inFlight + 1, json, this.scorer.scores, scored);
  }
}

export function attachMonitoring(
  boot: ServingBoot,
  server: ServingServer,
  host: ModelHost,
  metrics: ServingMetrics,
  send: (m: MonitoringFromServing) => boolean,
  log: (line: string) => void,
): AttachedMonitoring | undefined {
  const mon = boot.monitoring;
  if (!mon) return undefined;
  const writer = new RecordWriter(RING_BYTES);
  let queued = 0;
  const sendCounted = (m: MonitoringFromServing): void => {
    if (!process.send || !process.connected) return void send(m);
    Atomics.store(writer.control, QUEUED, ++queued);
    process.send(m, undefined, undefined, () => Atomics.store(writer.control, QUEUED, --queued));
  };
  const data: MonitoringWorkerData = { boot: mon, ring: writer.sab };
  // Its own small bundle beside this one (dist/monitoring-worker.js): no onnxruntime, no HTTP server.
  const worker = new Worker(join(__dirname, 'monitoring-worker.js'), { workerData: data, stdout: false, stderr: false });
  worker.unref();
  let alive = true;
  let nextId = 1;
  const waiting = new Map<number, (sent: boolean) => void>();
  const stop = (why: string): void => {
    if (!alive) return;
    alive = false;
    log(`monitoring stopped: ${why}`);
    for (const w of waiting.values()) w(false);
    waiting.clear();
  };
  worker.on('message', (m: FromMonitoringWorker) => {
    if (m.type === 'send') sendCounted(m.message);
    else if (m.type === 'log') log(m.line);
    else {
      waiting.get(m.id)?.(m.sent);
      waiting.delete(m.id);
    }
  });
  worker.on('error', (e) => stop(`its thread failed: ${e.message}`));
  worker.on('exit', (code) => stop(`its thread exited (${code})`));
  /**
   * Asks the worker to send everything it holds, then `then` after it on the same channel; resolves
   * with whether it was sent (close: once everything is written).
   */
  const flush = (m: { type: 'flush'; everything: boolean; then?: MonitoringFromServing } | { type: 'close' }): Promise<boolean> =>
    new Promise((resolve) => {
      if (!alive) return resolve(false);
      const id = nextId++;
      waiting.set(id, resolve);
      worker.postMessage({ ...m, id } satisfies ToMonitoringWorker);
    });
  const ring = new RingRecorder(writer, host, metrics);
  server.recorders.push((r) => {
    if (alive) ring.record(r);
  });
  const feedback = new FeedbackRoute(boot.deployment, mon.feedback_token, (then) => flush({ type: 'flush', everything: true, then }));
  server.postRoutes.set('/feedback', feedback);
  return {
    onMessage: (msg) => {
      if (msg.type === 'feedback_result') feedback.reply(msg.id, msg.status, msg.body);
      // Answered after every prediction recorded before it, on the same channel (or at once if the thread is gone).
      else if (msg.type === 'monitor_sync') void flush({ type: 'flush', everything: true, then: { type: 'monitor_synced', id: msg.id } }).then((sent) => sent || sendCounted({ type: 'monitor_synced', id: msg.id }));
    },
    close: async () => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_TIMEOUT_MS)));
      await Promise.race([flush({ type: 'close' }), late]);
      clearTimeout(timer);
      alive = false;
      await worker.terminate();
    },
  };
}
