/**
 * Monitoring inside the serving process, in fixed memory. Each finished prediction request adds to:
 * the current time slice of its version (a log-spaced latency histogram, status counts, in-flight
 * peak), the prediction log (LogChunks, bounded), and the current window (see WindowAcc).
 *
 * What a prediction costs here is what its record costs (schemas/src/monitoring-wire.ts says how
 * that was brought down): its numbers and inputs written into the chunk's typed arrays, and a line
 * of text reusing the answer's JSON.
 * The log leaves in chunks of CHUNK, each built and sent on its own turn of the event loop. This
 * runs on monitoring's worker thread (recorder-worker.ts); when it ran on the serving loop,
 * serialising a second's worth of predictions at once (15,000 at full load) took 30–50 ms and was
 * the p99 of the whole endpoint (1.8× without monitoring), hence chunks and turns.
 */
import { type FeatureValue } from '../../../../schemas/src/serving';
import { type MonitoringBoot, type MonitoringFromServing, type SliceStats, type WindowSampleWire } from '../../../../schemas/src/monitoring';
import { bucketOf, newHistogram, sparse } from '../../../../shared/src/monitoring/histogram';
import { outputRoles, scalarOf, type OutputRoles } from '../../../../shared/src/monitoring/outputs';
import { type RunOutputs } from '../../../../shared/src/serving/model';
import { records } from '../../serving/protocols';
import { RECORDED_ROUTES, type RecordedRequest, type RequestView } from './record-ring';
import { EMPTY_CHUNK, LogChunks } from './log-chunks';
import { ColumnSample } from './column-sample';
import { WindowAcc } from './window';

export const PREDICTION_ROUTES: ReadonlySet<string> = new Set(RECORDED_ROUTES);

/**
 * Predictions per chunk of the log (one frame on the monitoring stream). Built and written by the
 * worker thread, not the serving loop, so a larger chunk stalls no request; what it saves is wake-ups:
 * on a two-core VM each wake of the worker or of the daemon costs far more than the bytes it moves,
 * and 1,024 rather than 256 cut the CPU per request of the worker (~4-5 -> ~3 µs) and of the
 * daemon reading it (~4-5 -> ~3 µs) (docs/MONITORING.md, "Monitoring's thread").
 */
export const CHUNK = 1024;
const NO_MASK: boolean[] = [];
/** Latency in ms as logged: to the microsecond. */
const latencyOf = (seconds: number): number => Math.round(seconds * 1000 * 1000) / 1000;
/** Closed windows waiting to be sent; past this (a stalled channel) the oldest is dropped and counted. */
const MAX_PENDING_WINDOWS = 8;

/** What the recorder reads of the model being served (a LoadedModel is one). */
export interface RecorderModel {
  features: readonly { name: string }[];
  spec: { task: 'classification' | 'regression' | null; version: number };
}

/**
 * A finished request as the recorder takes it: a RequestRecord, or one read back from the ring
 * (with its outputs rebuilt from their JSON, and when it finished and how many were in flight).
 */
export type RecorderInput = Omit<RecordedRequest, 'inFlight' | 'timeMs'> & { outputs?: RunOutputs; inFlight?: number; timeMs?: number };

interface SliceAcc {
  version: number | null;
  requests: number;
  errors: number;
  clientErrors: number;
  predictions: number;
  hist: Uint32Array;
  inFlightMax: number;
}

export class MonitorRecorder {
  private sliceStart: number;
  private slice = new Map<number | null, SliceAcc>();
  private closedSlices: SliceStats[] = [];
  /** The prediction log, in chunks of CHUNK (at most `ring` predictions held). */
  private readonly chunks: LogChunks;
  private window: WindowAcc;
  /** The window's sample, reused from one window to the next (its columns leave as bytes when a window closes). */
  private readonly sample: ColumnSample;
  private requestsSeen = 0;
  private cpuAt = process.cpuUsage();
  private cpuWall = performance.now();
  private readonly roles = new Map<number, OutputRoles>();
  /** Feature names of the version being served, computed once per loaded model (not per request). */
  private names: { model: RecorderModel | undefined; names: string[] } = { model: undefined, names: [] };
  /** For the same feature list: which positions of a row are stored (monitoring.store_inputs). */
  private stored: { names: string[] | undefined; keep: boolean[] } = { names: undefined, keep: [] };
  /** A chunk send is already scheduled (setImmediate), so the request that filled it is not delayed. */
  private sendScheduled = false;
  /** After a timer flush: keep sending chunks until the ring is empty, not only full ones. */
  private draining = false;
  /** Closed windows waiting to be sent, oldest first. */
  private windowsOut: WindowSampleWire[] = [];
  private windowScheduled = false;
  /** Windows dropped because too many waited to be sent (reported in the log with `dropped`). */
  windowsDropped = 0;

  constructor(
    private readonly boot: MonitoringBoot,
    private readonly send: (m: MonitoringFromServing) => void,
    private readonly model: () => RecorderModel | undefined,
    private readonly inFlight: () => number,
    /** False while earlier flushes are still queued in the IPC channel (the daemon is behind). */
    private readonly canSend: () => boolean = () => true,
    private readonly now: () => number = Date.now,
  ) {
    const t = now();
    this.sliceStart = t - (t % boot.slice_ms);
    this.sample = new ColumnSample(boot.sample_size);
    this.chunks = new LogChunks(Math.min(CHUNK, boot.ring), boot.ring);
    this.window = new WindowAcc(t, this.sample, boot.ranges);
  }

  /** Predictions dropped because the log held `ring` (reported in the serving log). */
  get dropped(): number {
    return this.chunks.dropped;
  }

  /** Records one finished request (read back from the ring when it is not plain, see recordPlain). */
  record(r: RecorderInput): void {
    if (!PREDICTION_ROUTES.has(r.route)) return;
    const t = r.timeMs ?? this.now();
    const acc = this.countRequest(t, r.version, r.status, r.modelFailed === true, r.seconds, r.inFlight ?? this.inFlight() + 1);
    if (r.status === 400 && r.error?.where.feature) this.window.refused(r.error.where.feature, r.error.message);
    if (r.version === undefined || (r.status < 500 && !r.outputs && !r.scores)) return;
    const n = r.rows?.length ?? 0;
    if ((r.outputs || r.scores) && r.rows) {
      acc.predictions += n;
      this.addToWindow(r.version, r.rows, r, t);
    }
    const keepInputs = this.keepInputs();
    const predicted = r.scores ? (Number.isNaN(r.scores[0]) ? null : (r.scores[0] as number)) : r.outputs ? this.predictedOf(r.version, r.outputs) : null;
    const outputsJson = r.outputsJson ?? (r.outputs ? JSON.stringify(records(r.outputs, n)) : '[]');
    const rows = keepInputs && r.rows && this.boot.stored_features.length ? r.rows : null;
    this.logged(this.chunks.add({ id: r.requestId, timeMs: t, version: r.version, latencyMs: latencyOf(r.seconds), status: r.status, predicted, outputsJson }, rows, rows ? this.storedMask() : NO_MASK));
  }

  /**
   * Records a request read in place from the ring, as record() would, without making a string or
   * an array for it: its rows go from the ring into the window's sample and the log's chunk, its id
   * and outputs into the chunk as bytes. False (nothing recorded) when it is not plain (see
   * RequestView.plain) or its rows are not as wide as the features served: the caller then records
   * `v.request()`. Why: building each request's strings and arrays and the log's text from them
   * was most of this thread's CPU (docs/MONITORING.md, "Monitoring's thread").
   */
  recordPlain(v: RequestView): boolean {
    const n = v.rows;
    if (!v.plain || (n > 0 && v.width !== this.featureNames().length)) return false;
    const t = v.timeMs;
    const version = v.version;
    const status = v.status;
    const acc = this.countRequest(t, version, status, v.modelFailed, v.seconds, v.inFlight);
    const scored = v.scored;
    if (version === undefined || (status < 500 && !v.hasOutputs && !scored)) return true;
    if (scored && n > 0) {
      acc.predictions += n;
      this.window.addFlat(version, this.featureNames(), v.f64, v.rowsAt, n, v.width, v.scoresAt, this.model()?.spec.task === 'classification');
      this.windowFilled(t);
    }
    const stored = this.keepInputs() && n > 0 && this.boot.stored_features.length > 0;
    const predicted = scored ? (v.f64[v.scoresAt] as number) : NaN;
    this.logged(this.chunks.addFromRing(v, latencyOf(v.seconds), predicted, stored, stored ? this.storedMask() : NO_MASK));
    return true;
  }

  /** Counts a request in its version's slice (rolling the slice first when `t` is past it). */
  private countRequest(t: number, version: number | undefined, status: number, modelFailed: boolean, seconds: number, inFlight: number): SliceAcc {
    if (t >= this.sliceStart + this.boot.slice_ms) this.rollSlice(t);
    const acc = this.sliceOf(version ?? null);
    acc.requests++;
    // A fallback answer the model could not give (it threw, or its breaker is open) is an error of the model.
    if (status >= 500 || modelFailed) acc.errors++;
    else if (status >= 400) acc.clientErrors++;
    const b = bucketOf(seconds * 1000);
    acc.hist[b] = (acc.hist[b] as number) + 1;
    if (inFlight > acc.inFlightMax) acc.inFlightMax = inFlight;
    return acc;
  }

  /** Whether this prediction's inputs are stored (one in `input_every`). */
  private keepInputs(): boolean {
    return this.boot.input_every > 0 && this.requestsSeen++ % this.boot.input_every === 0;
  }

  /** A chunk of the log was filled: it is sent on the next turn (the request that filled it is not delayed). */
  private logged(filled: boolean): void {
    if (filled && !this.sendScheduled) {
      this.sendScheduled = true;
      setImmediate(() => this.sendChunks(false));
    }
  }

  /** Which positions of a row are stored (monitoring.store_inputs), for the feature list being served. */
  private storedMask(): boolean[] {
    const names = this.featureNames();
    if (this.stored.names !== names) {
      const keep = new Set(this.boot.stored_features);
      this.stored = { names, keep: names.map((n) => keep.has(n)) };
    }
    return this.stored.keep;
  }

  private sliceOf(version: number | null): SliceAcc {
    let acc = this.slice.get(version);
    if (!acc) {
      acc = { version, requests: 0, errors: 0, clientErrors: 0, predictions: 0, hist: newHistogram(), inFlightMax: 0 };
      this.slice.set(version, acc);
    }
    return acc;
  }

  private featureNames(): string[] {
    const m = this.model();
    if (this.names.model !== m) this.names = { model: m, names: m?.features.map((f) => f.name) ?? [] };
    return this.names.names;
  }

  /** Adds the instances to the window, with their scores when the serving loop made them, else from the outputs. */
  private addToWindow(version: number, rows: FeatureValue[][], r: RecorderInput, t: number): void {
    const m = this.model();
    const features = this.featureNames();
    const classification = m?.spec.task === 'classification';
    if (r.scores) this.window.addScored(version, features, rows, r.scores, classification);
    else if (r.outputs) {
      let roles = this.roles.get(version);
      if (!roles) this.roles.set(version, (roles = outputRoles([...r.outputs.keys()], m?.spec.task ?? null)));
      this.window.add(version, features, rows, r.outputs, roles, classification);
    }
    this.windowFilled(t);
  }

  /** Closes the window once it holds `window_predictions`. */
  private windowFilled(t: number): void {
    const limit = this.boot.window_predictions;
    if (limit !== null && this.window.predictions >= limit) this.closeWindow(t);
  }

  /** Closes the current slice: its figures plus the process's CPU and memory since the last one. */
  private rollSlice(t: number): void {
    const cpu = process.cpuUsage(this.cpuAt);
    const wallMs = performance.now() - this.cpuWall;
    this.cpuAt = process.cpuUsage();
    this.cpuWall = performance.now();
    const cpuPct = wallMs > 0 ? Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 1000) / 10 : null;
    const rssMb = Math.round((process.memoryUsage.rss() / 1048576) * 10) / 10;
    if (!this.slice.size) this.sliceOf(this.model()?.spec.version ?? null);
    for (const acc of this.slice.values()) {
      this.closedSlices.push({
        start_ms: this.sliceStart,
        version: acc.version,
        requests: acc.requests,
        errors: acc.errors,
        client_errors: acc.clientErrors,
        predictions: acc.predictions,
        latency: sparse(acc.hist),
        in_flight_max: acc.inFlightMax,
        cpu_pct: cpuPct,
        rss_mb: rssMb,
      });
    }
    // A daemon that stopped reading must not make this grow: keep the newest day of slices at most.
    if (this.closedSlices.length > 8640) this.closedSlices.splice(0, this.closedSlices.length - 8640);
    this.slice = new Map();
    this.sliceStart = t - (t % this.boot.slice_ms);
  }

  private closeWindow(t: number): void {
    const sample = this.window.finish(t, this.featureNames());
    this.window = new WindowAcc(t, this.sample, this.boot.ranges);
    if (sample.predictions === 0) return;
    if (this.windowsOut.length >= MAX_PENDING_WINDOWS) {
      this.windowsOut.shift();
      this.windowsDropped++;
    }
    this.windowsOut.push(sample);
    this.scheduleWindows();
  }

  private scheduleWindows(): void {
    if (this.windowScheduled) return;
    this.windowScheduled = true;
    setImmediate(() => this.sendWindows(false));
  }

  /** Sends closed windows, one per event-loop turn; `all` sends every one at once (shutdown). */
  private sendWindows(all: boolean): void {
    this.windowScheduled = false;
    for (let w = this.windowsOut.shift(); w; w = all ? this.windowsOut.shift() : undefined) this.send({ type: 'monitor_window', window: w });
    if (this.windowsOut.length) this.scheduleWindows();
  }

  /**
   * Sends what was recorded since the last flush: on the timer (the rest of the log follows in
   * chunks), before feedback with `everything` (its predictions must be stored before it is matched
   * with them; IPC keeps the order), and at shutdown with `final`.
   */
  flush(final = false, everything = final): void {
    const t = this.now();
    if (final || t >= this.sliceStart + this.boot.slice_ms) this.rollSlice(t);
    const windowMs = this.boot.window_ms;
    if ((windowMs !== null && t - this.window.startMs >= windowMs) || (final && this.window.predictions > 0)) this.closeWindow(t);
    if (this.closedSlices.length) {
      const slices = this.closedSlices;
      this.closedSlices = [];
      // Slices are small and always go, even when the daemon is behind.
      this.send({ type: 'monitor_flush', slices, ...((this.canSend() || final ? this.chunks.take(true) : undefined) ?? EMPTY_CHUNK) });
    }
    this.draining = true;
    this.sendChunks(everything);
    if (final) this.sendWindows(true);
  }

  /**
   * Sends the logged predictions in chunks of CHUNK, yielding to the event loop between chunks: full
   * chunks as they fill, and after a timer flush (`draining`) the rest too. `all` (shutdown, or
   * feedback that must find its predictions stored first) sends them at once. A daemon that falls
   * behind must not make this process buffer without bound: predictions then wait in the ring,
   * which drops its oldest past `ring`.
   */
  private sendChunks(all: boolean): void {
    this.sendScheduled = false;
    if (!(this.canSend() || all)) return;
    for (let c = this.chunks.take(all || this.draining); c; c = all ? this.chunks.take(true) : undefined) this.send({ type: 'monitor_flush', slices: [], ...c });
    if (!this.chunks.held) this.draining = false;
    else if (this.chunks.hasFull || this.draining) {
      this.sendScheduled = true;
      setImmediate(() => this.sendChunks(false));
    }
  }

  /** The first instance's value of the output compared with labels (see OutputRoles). */
  private predictedOf(version: number, outputs: RunOutputs): string | number | null {
    let roles = this.roles.get(version);
    if (!roles) this.roles.set(version, (roles = outputRoles([...outputs.keys()], this.model()?.spec.task ?? null)));
    const v = roles.prediction ? scalarOf(outputs.get(roles.prediction)?.perRow[0]) : undefined;
    return v === undefined ? null : typeof v === 'boolean' ? Number(v) : v;
  }
}
