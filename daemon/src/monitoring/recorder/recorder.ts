/**
 * Monitoring inside the serving process, in fixed memory. Each finished prediction request adds to:
 * the current time slice of its version (a log-spaced latency histogram, status counts, in-flight
 * peak), the prediction log (a bounded ring), and the current window (see WindowAcc).
 *
 * What a prediction costs here is what its record costs (schemas/src/monitoring-wire.ts says how
 * that was brought down): its line of text, reusing the answer's JSON, and references to its rows.
 * The log leaves in chunks of CHUNK, each built and sent on its own turn of the event loop: the
 * serving loop is single-threaded, so any work done in one go stalls every request waiting behind
 * it. Serialising a second's worth of predictions at once (15,000 at full load) took 30–50 ms and
 * was the p99 of the whole endpoint (1.8× without monitoring).
 */
import { type FeatureValue } from '../../../../schemas/src/serving';
import { type MonitoringBoot, type MonitoringFromServing, type SliceStats, type WindowSampleWire } from '../../../../schemas/src/monitoring';
import { encodePredictionLine, writeNumericRows } from '../../../../schemas/src/monitoring-wire';
import { bucketOf, newHistogram, sparse } from '../../../../shared/src/monitoring/histogram';
import { outputRoles, scalarOf, type OutputRoles } from '../../../../shared/src/monitoring/outputs';
import { type LoadedModel, type RunOutputs } from '../../../../shared/src/serving/model';
import { type RequestRecord } from '../../serving/http';
import { records } from '../../serving/protocols';
import { WindowAcc } from './window';

export const PREDICTION_ROUTES = new Set(['/predict', '/invocations', '/v2/models/infer']);

/** Predictions per IPC message: small enough that building and writing one stays well under a millisecond. */
export const CHUNK = 256;
/** Closed windows waiting to be sent; past this (a stalled channel) the oldest is dropped and counted. */
const MAX_PENDING_WINDOWS = 8;

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
  /** Logged predictions: each its wire line but the inputs, and the rows whose inputs are stored (parallel rings). */
  private readonly ring: (string | undefined)[];
  private readonly ringRows: (FeatureValue[][] | null | undefined)[];
  /** Numeric inputs of the chunk being built (grown as needed, reused). */
  private scratch = new Float64Array(4096);
  private ringHead = 0;
  private ringCount = 0;
  /** Predictions dropped because the ring filled between two flushes (reported in the log). */
  dropped = 0;
  private window: WindowAcc;
  private requestsSeen = 0;
  private cpuAt = process.cpuUsage();
  private cpuWall = performance.now();
  private readonly roles = new Map<number, OutputRoles>();
  /** Feature names of the version being served, computed once per loaded model (not per request). */
  private names: { model: LoadedModel | undefined; names: string[] } = { model: undefined, names: [] };
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
    private readonly model: () => LoadedModel | undefined,
    private readonly inFlight: () => number,
    /** False while earlier flushes are still queued in the IPC channel (the daemon is behind). */
    private readonly canSend: () => boolean = () => true,
    private readonly now: () => number = Date.now,
  ) {
    const t = now();
    this.sliceStart = t - (t % boot.slice_ms);
    this.ring = new Array<string | undefined>(boot.ring);
    this.ringRows = new Array<FeatureValue[][] | null | undefined>(boot.ring);
    this.window = new WindowAcc(t, boot.sample_size, boot.ranges);
  }

  /** The record step of every request (ServingServer.recorders). */
  record(r: RequestRecord): void {
    if (!PREDICTION_ROUTES.has(r.route)) return;
    const t = this.now();
    if (t >= this.sliceStart + this.boot.slice_ms) this.rollSlice(t);
    const acc = this.sliceOf(r.version ?? null);
    acc.requests++;
    // A fallback answer the model could not give (it threw, or its breaker is open) is an error of the model.
    if (r.status >= 500 || r.modelFailed) acc.errors++;
    else if (r.status >= 400) acc.clientErrors++;
    const ms = r.seconds * 1000;
    const b = bucketOf(ms);
    acc.hist[b] = (acc.hist[b] as number) + 1;
    const flying = this.inFlight() + 1;
    if (flying > acc.inFlightMax) acc.inFlightMax = flying;
    if (r.status === 400 && r.error?.where.feature) this.window.refused(r.error.where.feature, r.error.message);
    if (r.version === undefined || (r.status < 500 && !r.outputs)) return;
    const n = r.rows?.length ?? 0;
    if (r.outputs && r.rows) {
      acc.predictions += n;
      this.addToWindow(r.version, r.rows, r.outputs, t);
    }
    const keepInputs = this.boot.input_every > 0 && this.requestsSeen++ % this.boot.input_every === 0;
    const predicted = r.outputs ? this.predictedOf(r.version, r.outputs) : null;
    const outputs = r.outputsJson ?? (r.outputs ? JSON.stringify(records(r.outputs, n)) : '[]');
    const line = encodePredictionLine(r.requestId, t, r.version, Math.round(ms * 1000) / 1000, r.status, JSON.stringify(predicted), outputs);
    this.log(line, keepInputs && r.rows && this.boot.stored_features.length ? r.rows : null);
    if (this.ringCount >= CHUNK && !this.sendScheduled) {
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

  /**
   * The inputs field of a logged prediction (monitoring-wire.ts): numeric rows go into the chunk's
   * bytes at `at` (returned advanced), others as JSON with left-out features null.
   */
  private inputsField(rows: FeatureValue[][], keep: boolean[], at: number): { field: string; at: number } {
    const width = keep.length;
    const need = rows.length * width;
    if (rows.every((r) => r.length === width)) {
      if (at + need > this.scratch.length) {
        const grown = new Float64Array(Math.max(this.scratch.length * 2, at + need));
        grown.set(this.scratch.subarray(0, at));
        this.scratch = grown;
      }
      if (writeNumericRows(rows, keep, this.scratch, at)) return { field: `#${rows.length}x${width}`, at: at + need };
    }
    return { field: JSON.stringify(rows.map((row) => row.map((v, j) => (keep[j] ? v : null)))), at };
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

  private addToWindow(version: number, rows: FeatureValue[][], outputs: RunOutputs, t: number): void {
    const m = this.model();
    const features = this.featureNames();
    let roles = this.roles.get(version);
    if (!roles) this.roles.set(version, (roles = outputRoles([...outputs.keys()], m?.spec.task ?? null)));
    this.window.add(version, features, rows, outputs, roles, m?.spec.task === 'classification');
    const limit = this.boot.window_predictions;
    if (limit !== null && this.window.predictions >= limit) this.closeWindow(t);
  }

  private log(line: string, rows: FeatureValue[][] | null): void {
    const cap = this.ring.length;
    if (this.ringCount === cap) {
      this.ringHead = (this.ringHead + 1) % cap;
      this.ringCount--;
      this.dropped++;
    }
    const i = (this.ringHead + this.ringCount) % cap;
    this.ring[i] = line;
    this.ringRows[i] = rows;
    this.ringCount++;
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
    this.window = new WindowAcc(t, this.boot.sample_size, this.boot.ranges);
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
      this.send({ type: 'monitor_flush', slices, ...this.takeChunk(this.canSend() || final ? CHUNK : 0) });
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
    if (!this.ringCount || !(this.canSend() || all)) return;
    this.send({ type: 'monitor_flush', slices: [], ...this.takeChunk(all ? this.ringCount : CHUNK) });
    if (!this.ringCount) this.draining = false;
    else if (this.ringCount >= CHUNK || this.draining) {
      this.sendScheduled = true;
      setImmediate(() => this.sendChunks(false));
    }
  }

  /** Removes up to `max` of the oldest logged predictions from the ring: their lines and their numeric inputs' bytes. */
  private takeChunk(max: number): { log: string; count: number; inputs: string } {
    const cap = this.ring.length;
    const n = Math.min(max, this.ringCount);
    const keep = this.storedMask();
    let log = '';
    let at = 0;
    for (let k = 0; k < n; k++) {
      const i = (this.ringHead + k) % cap;
      const rows = this.ringRows[i];
      let field = '';
      if (rows) ({ field, at } = this.inputsField(rows, keep, at));
      log += k ? `\n${this.ring[i] as string}${field}` : `${this.ring[i] as string}${field}`;
      this.ring[i] = undefined;
      this.ringRows[i] = undefined;
    }
    this.ringHead = (this.ringHead + n) % cap;
    this.ringCount -= n;
    // Encoded now: the scratch is reused for the next chunk.
    return { log, count: n, inputs: Buffer.from(this.scratch.buffer, 0, at * 8).toString('base64') };
  }

  /** The first instance's value of the output compared with labels (see OutputRoles). */
  private predictedOf(version: number, outputs: RunOutputs): string | number | null {
    let roles = this.roles.get(version);
    if (!roles) this.roles.set(version, (roles = outputRoles([...outputs.keys()], this.model()?.spec.task ?? null)));
    const v = roles.prediction ? scalarOf(outputs.get(roles.prediction)?.perRow[0]) : undefined;
    return v === undefined ? null : typeof v === 'boolean' ? Number(v) : v;
  }
}
