/**
 * Monitoring's worker thread inside a serving process: it reads finished requests from the ring
 * (record-ring.ts), records them (MonitorRecorder: slices, windows, the prediction log), and writes
 * the reports to the daemon on the monitoring stream (`boot.stream_fd`: JSON lines, log chunks as
 * bytes, monitoring-wire.ts) itself, so that neither recording nor serialising nor writing costs
 * the serving loop. Without a stream (a process forked without fd 4) it hands them to the main
 * thread, which sends them over IPC.
 *
 * The protocol with the main thread (attach.ts), in both directions:
 *  - main → worker `flush` {id, everything, then?}: read the ring, send what is recorded
 *    (`everything`: the whole log, before feedback is matched), then the message `then` (feedback,
 *    `monitor_synced`: on the same stream, so after the predictions), then answer `flushed` {id};
 *    `close` {id} does the same at shutdown (final slices and window).
 *  - worker → main `send` {message} (without a stream): a message for the daemon, in order; `log`
 *    {line}: a line for the serving log; `flushed` {id}.
 */
import { Socket } from 'node:net';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { type MonitoringBoot, type MonitoringFromServing } from '../../../../schemas/src/monitoring';
import { encodeStreamMessage, toIpc } from '../../../../schemas/src/monitoring-wire';
import { type PredictionValue } from '../../../../schemas/src/serving';
import { type RunOutputs } from '../../../../shared/src/serving/model';
import { QUEUED, RecordReader, type RequestView, type ServedModelInfo } from './record-ring';
import { MonitorRecorder, type RecorderInput, type RecorderModel } from './recorder';

/**
 * What may wait unwritten, past which predictions wait in the log's ring instead (where the oldest
 * are dropped past `ring`): IPC messages through the main thread, or bytes on the stream (about
 * 10,000 predictions either way, a few seconds of full load).
 */
const MAX_QUEUED_MESSAGES = 40;
const MAX_QUEUED_BYTES = 4 << 20;
/**
 * How often the ring is read while requests keep coming (when it is empty the worker sleeps until
 * woken). 25 ms was tried (fewer wake-ups): the worker's CPU barely moved and the benchmark's
 * throughput was lower (88-89 % against 92-96 % at 5 ms, two runs each): longer bursts of
 * recording on the core the load generator needs.
 */
const READ_EVERY_MS = 5;
/** The longest sleep: the dropped counters are looked at even when no request comes. */
const SLEEP_MS = 1000;

export type ToMonitoringWorker = { type: 'flush'; id: number; everything: boolean; then?: MonitoringFromServing } | { type: 'close'; id: number };
export type FromMonitoringWorker = { type: 'send'; message: MonitoringFromServing } | { type: 'log'; line: string } | { type: 'flushed'; id: number; sent: boolean };

export interface MonitoringWorkerData {
  boot: MonitoringBoot;
  ring: SharedArrayBuffer;
}

/** The answer's records (`records(outputs)` as JSON) back into outputs, as the recorder reads them. */
export function outputsFromJson(json: string): RunOutputs {
  const recs = JSON.parse(json) as Record<string, PredictionValue>[];
  const out: RunOutputs = new Map();
  const first = recs[0];
  if (!first) return out;
  for (const name of Object.keys(first)) out.set(name, { type: 'float32', perRow: recs.map((r) => r[name] as PredictionValue), rowShape: [] });
  return out;
}

/**
 * Records one request read from the ring: in place when it is plain (MonitorRecorder.recordPlain),
 * else as an object, its outputs rebuilt from the answer's JSON when the serving loop could not
 * score it (a prediction that is not a number).
 */
export function recordFromRing(recorder: MonitorRecorder, v: RequestView): void {
  if (recorder.recordPlain(v)) return;
  const r: RecorderInput = v.request();
  if (r.outputsJson !== undefined && !r.scores) r.outputs = outputsFromJson(r.outputsJson);
  recorder.record(r);
}

function modelOf(m: ServedModelInfo | undefined): RecorderModel | undefined {
  return m && { features: m.features.map((name) => ({ name })), spec: { task: m.task, version: m.version } };
}

interface Out {
  send(m: MonitoringFromServing): boolean;
  canSend(): boolean;
  /** Resolves once everything sent has been written (shutdown: the process exits next). */
  end(): Promise<void>;
}

/** Where reports go: the stream, or the main thread (IPC). */
function output(data: MonitoringWorkerData, reader: RecordReader, post: (m: FromMonitoringWorker) => void): Out {
  const fd = data.boot.stream_fd;
  if (fd === undefined) {
    return {
      send: (message) => (post({ type: 'send', message: toIpc(message) }), true),
      canSend: () => Atomics.load(reader.control, QUEUED) <= MAX_QUEUED_MESSAGES,
      end: () => Promise.resolve(),
    };
  }
  const stream = new Socket({ fd, readable: false, writable: true });
  let open = true;
  stream.on('error', (e) => {
    open = false;
    post({ type: 'log', line: `monitoring: the daemon's stream failed (${e.message}); reports stop` });
  });
  stream.on('close', () => (open = false));
  const pool = new FramePool();
  return {
    send: (m) => {
      if (!open) return false;
      const frame = encodeStreamMessage(m, pool.alloc);
      stream.write(frame, () => typeof frame !== 'string' && pool.free(frame));
      return true;
    },
    canSend: () => stream.writableLength <= MAX_QUEUED_BYTES,
    end: () => new Promise((resolve) => (open ? stream.end(resolve) : resolve())),
  };
}

/**
 * Buffers for the stream's frames, reused once written: a log chunk's frame is a few hundred KB,
 * and one allocated per chunk (tens a second at full load) was external memory that kept the
 * garbage collector busy. At most SPARE buffers kept; a frame that fits none gets a new one.
 */
class FramePool {
  private static readonly SPARE = 4;
  private readonly spare: ArrayBuffer[] = [];

  readonly alloc = (bytes: number): Buffer => {
    const i = this.spare.findIndex((b) => b.byteLength >= bytes);
    // A quarter more than asked: the next chunk's frame, a little longer or shorter, fits it too.
    const ab = i < 0 ? new ArrayBuffer(Math.max(Math.ceil(bytes * 1.25), 128 << 10)) : (this.spare.splice(i, 1)[0] as ArrayBuffer);
    return Buffer.from(ab, 0, bytes);
  };

  /** Takes a written frame's buffer back; when the pool is full it replaces the smallest one, if smaller (a small early frame must not keep large ones out). */
  free(frame: Buffer): void {
    const ab = frame.buffer;
    if (frame.byteOffset !== 0 || !(ab instanceof ArrayBuffer)) return;
    if (this.spare.length >= FramePool.SPARE) {
      const smallest = this.spare.reduce((min, b, i) => (b.byteLength < (this.spare[min] as ArrayBuffer).byteLength ? i : min), 0);
      if ((this.spare[smallest] as ArrayBuffer).byteLength >= ab.byteLength) return;
      this.spare.splice(smallest, 1);
    }
    this.spare.push(ab);
  }
}

/**
 * The thread's nice value. On Linux it is per thread (setpriority on the calling thread): the serving
 * loop keeps its CPU whenever both want one, and monitoring uses what is left over; at 10 it still
 * gets about a tenth of a contended core, more than it needs to keep up with a saturated endpoint.
 */
const NICE = 10;

export function runMonitoringWorker(data: MonitoringWorkerData): void {
  const port = parentPort;
  if (!port) throw new Error('the monitoring worker runs in a worker thread');
  try {
    setPriority(NICE);
  } catch {
    // Not allowed here (or not Linux): the thread runs at the process's priority.
  }
  const post = (m: FromMonitoringWorker): void => port.postMessage(m);
  const reader = new RecordReader(data.ring);
  const out = output(data, reader, post);
  let model: RecorderModel | undefined;
  const recorder = new MonitorRecorder(data.boot, (m) => void out.send(m), () => model, () => 1, () => out.canSend());
  const read = (): number =>
    reader.drainViews(
      (v) => recordFromRing(recorder, v),
      (m) => (model = modelOf(m)),
    );

  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  const loop = (): void => {
    timer = undefined;
    reader.awake();
    if (read() > 0) return void (timer = setTimeout(loop, READ_EVERY_MS));
    const asleep = reader.sleep();
    if (!asleep) return void (timer = setTimeout(loop, READ_EVERY_MS));
    void reader.waitForWrite(asleep.head, SLEEP_MS).then(() => {
      if (!closed) loop();
    });
  };
  let reported = { log: 0, ring: 0, windows: 0 };
  const report = (): void => {
    if (recorder.dropped > reported.log) post({ type: 'log', line: `monitoring: ${recorder.dropped - reported.log} predictions dropped from the log (more than ${data.boot.ring} waited for the daemon)` });
    if (reader.dropped > reported.ring) post({ type: 'log', line: `monitoring: ${reader.dropped - reported.ring} requests not recorded (the monitoring thread fell behind the endpoint)` });
    if (recorder.windowsDropped > reported.windows) post({ type: 'log', line: `monitoring: ${recorder.windowsDropped - reported.windows} windows dropped (the daemon is not reading)` });
    reported = { log: recorder.dropped, ring: reader.dropped, windows: recorder.windowsDropped };
  };
  // Also what keeps this thread alive: a pending Atomics.waitAsync does not.
  const flushTimer = setInterval(() => {
    read();
    recorder.flush();
    report();
  }, data.boot.flush_ms);

  port.on('message', (m: ToMonitoringWorker) => {
    read();
    if (m.type === 'close') {
      closed = true;
      clearInterval(flushTimer);
      if (timer) clearTimeout(timer);
      recorder.flush(true);
      report();
      void out.end().then(() => post({ type: 'flushed', id: m.id, sent: true }));
      return;
    }
    recorder.flush(false, m.everything);
    post({ type: 'flushed', id: m.id, sent: m.then ? out.send(m.then) : true });
  });
  loop();
}
