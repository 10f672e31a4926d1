/**
 * How a finished request reaches monitoring's worker thread: a single-producer, single-consumer
 * ring of bytes in a SharedArrayBuffer. The serving loop (the producer) only copies the request's
 * numbers and strings in, about 0.3 µs; everything else monitoring does (slices, windows, the
 * prediction log, serialising and sending it) runs on the worker (recorder-worker.ts).
 *
 * Why a ring and not postMessage: the serving loop is the one resource a deployment cannot add
 * (onnxruntime's session.run blocks it), and a structured clone per request cost more than the
 * recording it would move. Why bytes and not objects: nothing is allocated on the serving heap.
 *
 * Layout: a control block of Int32 (positions, counters, the consumer's sleep flag) then `capacity`
 * bytes of records. A record is 8-byte aligned: u32 length, u32 kind and flags, then its body. A record that
 * does not fit before the end leaves a WRAP marker and starts again at 0. When the ring is full the
 * producer drops the record and counts it (DROPPED): the serving loop never waits for monitoring.
 */
import { type FeatureValue } from '../../../../schemas/src/serving';

/*
 * Control words, each on a cache line of its own: one written by the producer on every request
 * (HEAD) must not share a line with one the consumer writes (TAIL), or every copy waits for the line
 * to come back from the other core.
 */
const HEAD = 0;
const TAIL = 16;
const DROPPED = 32;
/** The consumer is waiting (Atomics.waitAsync on HEAD): the producer notifies it after a write. */
const SLEEPING = 48;
/** IPC messages the main thread has not yet written (its backpressure, read by the worker). */
export const QUEUED = 64;
const CONTROL_BYTES = 320;

const KIND_WRAP = 0;
const KIND_REQUEST = 1;
const KIND_MODEL = 2;

const FLAG_MODEL_FAILED = 1;
const FLAG_OUTPUTS = 2;
const FLAG_ROWS_NUMERIC = 4;
const FLAG_ROWS_JSON = 8;
const FLAG_ERROR = 16;
const FLAG_VERSION = 32;
const FLAG_SCORES = 64;

/** The routes a request record can name, by their index (only prediction routes are recorded). */
export const RECORDED_ROUTES = ['/predict', '/invocations', '/v2/models/infer'] as const;
const ROUTE_CODES = new Map<string, number>(RECORDED_ROUTES.map((r, i) => [r, i]));

/**
 * A request record after its 8-byte header: these numbers (float64), then its rows' values
 * (float64, when every value is a number), then `scored` pairs of prediction and confidence
 * (float64, writeScores), then the bytes of its strings (UTF-8) in this order: request id, outputs
 * JSON, rows JSON, refused feature, refusal message.
 */
const N = { time: 0, seconds: 1, version: 2, status: 3, inFlight: 4, rows: 5, width: 6, route: 7, id: 8, outputs: 9, rowsJson: 10, feature: 11, message: 12, scored: 13 } as const;
const NUMBERS = 14;

/** What monitoring records of a request, as the worker reads it back. */
export interface RecordedRequest {
  requestId: string;
  route: string;
  status: number;
  seconds: number;
  version: number | undefined;
  rows?: FeatureValue[][];
  /** The answer's records as JSON text (`records(outputs)`), when the model or the fallback answered. */
  outputsJson?: string;
  modelFailed?: boolean;
  error?: { where: { feature?: string }; message: string };
  /** Requests in flight when this one finished, itself included. */
  inFlight: number;
  /** When it finished (ms since the epoch). */
  timeMs: number;
  /**
   * Each instance's prediction and confidence (writeScores: pairs, NaN for none), when every
   * prediction is a number. A view into the ring: valid only while the record is being read.
   */
  scores?: Float64Array;
}

/** What the serving loop hands the ring (a RequestRecord is one). */
export interface RingRequest {
  requestId: string;
  route: string;
  status: number;
  seconds: number;
  version: number | undefined;
  rows?: readonly (readonly FeatureValue[])[];
  modelFailed?: boolean;
  error?: { where: { feature?: string }; message: string };
}

/** The model being served when a request finished: what the recorder needs of it. */
export interface ServedModelInfo {
  version: number;
  task: 'classification' | 'regression' | null;
  features: string[];
}

export class RecordRing {
  readonly sab: SharedArrayBuffer;
  readonly control: Int32Array;
  protected readonly bytes: Buffer;
  protected readonly f64: Float64Array;
  protected readonly u32: Uint32Array;
  readonly capacity: number;

  constructor(sabOrCapacity: SharedArrayBuffer | number) {
    this.sab = typeof sabOrCapacity === 'number' ? new SharedArrayBuffer(CONTROL_BYTES + Math.ceil(sabOrCapacity / 8) * 8) : sabOrCapacity;
    this.capacity = this.sab.byteLength - CONTROL_BYTES;
    this.control = new Int32Array(this.sab, 0, CONTROL_BYTES / 4);
    this.bytes = Buffer.from(this.sab, CONTROL_BYTES, this.capacity);
    this.f64 = new Float64Array(this.sab, CONTROL_BYTES, this.capacity / 8);
    this.u32 = new Uint32Array(this.sab, CONTROL_BYTES, this.capacity / 4);
  }

  /** Records dropped because the ring was full. */
  get dropped(): number {
    return Atomics.load(this.control, DROPPED);
  }
}

/** A string's room in a record: at most 3 bytes per UTF-16 unit. */
const room = (s: string | undefined): number => (s === undefined ? 0 : s.length * 3);

/** The producer side, on the serving loop. */
export class RecordWriter extends RecordRing {
  private at = 0;
  /** TAIL as last read: the consumer only moves it forward, so free room is re-read only when it looks short. */
  private tail = 0;

  /**
   * Copies one finished request in (`timeMs` when it finished, `inFlight` requests then, itself
   * included); false when it was not (the ring full: dropped, counted; not a prediction route).
   * Arguments rather than one object and numbers in place: nothing is allocated on the serving loop.
   * `scores`: `scored` pairs of prediction and confidence (writeScores), or 0 when there are none.
   */
  request(r: RingRequest, timeMs: number, inFlight: number, outputsJson: string | undefined, scores?: Float64Array, scored = 0): boolean {
    const route = ROUTE_CODES.get(r.route);
    if (route === undefined) return false;
    const rows = r.rows;
    const n = rows?.length ?? 0;
    const width = n ? (rows?.[0]?.length ?? 0) : 0;
    const numeric = rows !== undefined && allNumbers(rows, width);
    const rowsJson = rows !== undefined && !numeric ? JSON.stringify(rows) : undefined;
    const feature = r.error?.where.feature ?? '';
    const message = r.error?.message;
    const start = this.reserve(8 + NUMBERS * 8 + (numeric ? n * width * 8 : 0) + scored * 16 + room(r.requestId) + room(outputsJson) + room(rowsJson) + (message === undefined ? 0 : room(feature) + room(message)));
    if (start < 0) return false;
    const flags =
      (r.modelFailed ? FLAG_MODEL_FAILED : 0) | (outputsJson !== undefined ? FLAG_OUTPUTS : 0) | (numeric ? FLAG_ROWS_NUMERIC : 0) |
      (rowsJson !== undefined ? FLAG_ROWS_JSON : 0) | (message !== undefined ? FLAG_ERROR : 0) | (r.version !== undefined ? FLAG_VERSION : 0) | (scored > 0 && scores ? FLAG_SCORES : 0);
    const f = this.f64;
    const h = start / 8 + 1;
    f[h + N.time] = timeMs;
    f[h + N.seconds] = r.seconds;
    f[h + N.version] = r.version ?? 0;
    f[h + N.status] = r.status;
    f[h + N.inFlight] = inFlight;
    f[h + N.rows] = numeric ? n : 0;
    f[h + N.width] = numeric ? width : 0;
    f[h + N.route] = route;
    f[h + N.scored] = scores ? scored : 0;
    let k = h + NUMBERS;
    if (numeric && rows) {
      for (let i = 0; i < n; i++) {
        const row = rows[i] as readonly FeatureValue[];
        for (let j = 0; j < width; j++) f[k++] = row[j] as number;
      }
    }
    if (scores) for (let i = 0; i < 2 * scored; i++) f[k++] = scores[i] as number;
    const b = this.bytes;
    let at = k * 8;
    // Request ids are ASCII (UUIDs or REQUEST_ID_PATTERN): one byte per character.
    at += f[h + N.id] = b.write(r.requestId, at, 'latin1');
    at += f[h + N.outputs] = outputsJson === undefined ? 0 : b.write(outputsJson, at);
    at += f[h + N.rowsJson] = rowsJson === undefined ? 0 : b.write(rowsJson, at);
    at += f[h + N.feature] = message === undefined ? 0 : b.write(feature, at);
    at += f[h + N.message] = message === undefined ? 0 : b.write(message, at);
    this.commit(start, at, KIND_REQUEST, flags);
    return true;
  }

  /** Announces the model now served; requests written after it were answered while it served. */
  model(m: ServedModelInfo | undefined): boolean {
    const text = JSON.stringify(m ?? null);
    const start = this.reserve(16 + room(text));
    if (start < 0) return false;
    const n = (this.f64[start / 8 + 1] = this.bytes.write(text, start + 16));
    this.commit(start, start + 16 + n, KIND_MODEL, 0);
    return true;
  }

  /** Free bytes from `from` up to the tail; one slot stays empty so that HEAD === TAIL always means empty. */
  private free(from: number): number {
    return (this.tail > from ? this.tail - from : this.capacity - from + this.tail) - 8;
  }

  /**
   * A byte position where `max` bytes fit contiguously, wrapping to 0 (with a WRAP marker) when
   * they do not fit before the end; -1 (dropped, counted) when the consumer has not freed them.
   */
  private reserve(max: number): number {
    const need = Math.ceil(max / 8) * 8;
    if (need > this.capacity / 2) return this.drop();
    let at = this.at;
    const wrap = at + need > this.capacity;
    const want = wrap ? this.capacity - at + need : need;
    if (this.free(at) < want) {
      this.tail = Atomics.load(this.control, TAIL);
      if (this.free(at) < want) return this.drop();
    }
    if (wrap) {
      this.u32[at / 4] = this.capacity - at;
      this.u32[at / 4 + 1] = KIND_WRAP;
      at = 0;
    }
    return at;
  }

  private drop(): number {
    Atomics.add(this.control, DROPPED, 1);
    return -1;
  }

  private commit(start: number, end: number, kind: number, flags: number): void {
    const len = Math.ceil((end - start) / 8) * 8;
    this.u32[start / 4] = len;
    this.u32[start / 4 + 1] = kind | (flags << 8);
    this.at = (start + len) % this.capacity;
    Atomics.store(this.control, HEAD, this.at);
    if (Atomics.load(this.control, SLEEPING) === 1) {
      Atomics.store(this.control, SLEEPING, 0);
      Atomics.notify(this.control, HEAD);
    }
  }
}

function allNumbers(rows: readonly (readonly FeatureValue[])[], width: number): boolean {
  for (const row of rows) {
    if (row.length !== width) return false;
    for (let j = 0; j < width; j++) if (typeof row[j] !== 'number') return false;
  }
  return true;
}

/** Atomics.waitAsync (Node ≥ 16; not in this TypeScript lib): waits without blocking the worker's loop. */
const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, index: number, value: number, timeoutMs: number): { value: string | Promise<string> } }).waitAsync;

export type RingEntry = { kind: 'request'; request: RecordedRequest } | { kind: 'model'; model: ServedModelInfo | undefined };

/**
 * A request record read in place: its numbers, and where its rows, scores and strings sit in the
 * ring (`f64` indices, `bytes` offsets), so that the worker can copy them straight into the log's
 * chunk and the window's sample without making a string or an array per request (RecordedRequest
 * is what `request()` makes when it needs them). One view, moved from record to record: valid only
 * during the callback it is passed to.
 */
export class RequestView {
  /** The record's numbers start at f64[h]. */
  private h = 0;
  private flags = 0;
  /** f64 index of its first row's first value (numeric rows), and of its scores. */
  rowsAt = 0;
  scoresAt = 0;
  /** Byte range of its request id and of its outputs' JSON in `bytes`. */
  idStart = 0;
  idEnd = 0;
  outputsStart = 0;
  outputsEnd = 0;

  constructor(
    readonly f64: Float64Array,
    readonly bytes: Buffer,
  ) {}

  /** Moves the view to the record at byte `start`. */
  at(start: number, flags: number): this {
    const f = this.f64;
    const h = (this.h = start / 8 + 1);
    this.flags = flags;
    this.rowsAt = h + NUMBERS;
    this.scoresAt = this.rowsAt + (flags & FLAG_ROWS_NUMERIC ? (f[h + N.rows] as number) * (f[h + N.width] as number) : 0);
    this.idStart = (this.scoresAt + (flags & FLAG_SCORES ? 2 * (f[h + N.scored] as number) : 0)) * 8;
    this.idEnd = this.outputsStart = this.idStart + (f[h + N.id] as number);
    this.outputsEnd = this.outputsStart + (flags & FLAG_OUTPUTS ? (f[h + N.outputs] as number) : 0);
    return this;
  }

  /**
   * The common case, read without making objects: numeric rows (or none) scored by the serving loop,
   * outputs as JSON, no refusal. Anything else goes through request().
   */
  get plain(): boolean {
    return (this.flags & (FLAG_ROWS_JSON | FLAG_ERROR)) === 0 && (this.flags & (FLAG_SCORES | FLAG_OUTPUTS)) !== FLAG_OUTPUTS;
  }

  get timeMs(): number {
    return this.f64[this.h + N.time] as number;
  }
  get seconds(): number {
    return this.f64[this.h + N.seconds] as number;
  }
  get status(): number {
    return this.f64[this.h + N.status] as number;
  }
  get inFlight(): number {
    return this.f64[this.h + N.inFlight] as number;
  }
  get version(): number | undefined {
    return this.flags & FLAG_VERSION ? (this.f64[this.h + N.version] as number) : undefined;
  }
  get modelFailed(): boolean {
    return (this.flags & FLAG_MODEL_FAILED) !== 0;
  }
  get hasOutputs(): boolean {
    return (this.flags & FLAG_OUTPUTS) !== 0;
  }
  /** Numeric rows held (0 with no rows, or rows as JSON). */
  get rows(): number {
    return this.flags & FLAG_ROWS_NUMERIC ? (this.f64[this.h + N.rows] as number) : 0;
  }
  get width(): number {
    return this.flags & FLAG_ROWS_NUMERIC ? (this.f64[this.h + N.width] as number) : 0;
  }
  /** Instances scored (pairs at scoresAt). */
  get scored(): number {
    return this.flags & FLAG_SCORES ? (this.f64[this.h + N.scored] as number) : 0;
  }

  /** The record as an object (strings and rows made). */
  request(): RecordedRequest {
    const f = this.f64;
    const h = this.h;
    const flags = this.flags;
    const b = this.bytes;
    const r: RecordedRequest = {
      requestId: b.toString('latin1', this.idStart, this.idEnd),
      route: RECORDED_ROUTES[f[h + N.route] as number] as string,
      status: this.status,
      seconds: this.seconds,
      version: this.version,
      inFlight: this.inFlight,
      timeMs: this.timeMs,
    };
    const n = this.rows;
    if (n) {
      const width = this.width;
      const rows = new Array<FeatureValue[]>(n);
      for (let i = 0, k = this.rowsAt; i < n; i++) {
        const row = new Array<number>(width);
        for (let j = 0; j < width; j++) row[j] = f[k++] as number;
        rows[i] = row;
      }
      r.rows = rows;
    }
    if (flags & FLAG_SCORES) r.scores = f.subarray(this.scoresAt, this.scoresAt + 2 * this.scored);
    if (flags & FLAG_MODEL_FAILED) r.modelFailed = true;
    if (flags & FLAG_OUTPUTS) r.outputsJson = b.toString('utf8', this.outputsStart, this.outputsEnd);
    let at = this.outputsEnd;
    if (flags & FLAG_ROWS_JSON) r.rows = JSON.parse(b.toString('utf8', at, (at += f[h + N.rowsJson] as number))) as FeatureValue[][];
    if (flags & FLAG_ERROR) {
      const feature = b.toString('utf8', at, (at += f[h + N.feature] as number));
      r.error = { where: feature ? { feature } : {}, message: b.toString('utf8', at, at + (f[h + N.message] as number)) };
    }
    return r;
  }
}

/** The consumer side, on the worker. */
export class RecordReader extends RecordRing {
  private readonly view = new RequestView(this.f64, this.bytes);

  /** Reads every record written so far, oldest first, and frees their room; returns how many. */
  drain(each: (e: RingEntry) => void): number {
    return this.drainViews(
      (v) => each({ kind: 'request', request: v.request() }),
      (model) => each({ kind: 'model', model }),
    );
  }

  /** drain() with each request as a view read in place (RequestView: valid during the call only). */
  drainViews(request: (v: RequestView) => void, model: (m: ServedModelInfo | undefined) => void): number {
    let tail = Atomics.load(this.control, TAIL);
    const head = Atomics.load(this.control, HEAD);
    let read = 0;
    while (tail !== head) {
      const len = this.u32[tail / 4] as number;
      const word = this.u32[tail / 4 + 1] as number;
      const kind = word & 0xff;
      if (kind === KIND_REQUEST) request(this.view.at(tail, word >> 8));
      else if (kind === KIND_MODEL) {
        const n = this.f64[tail / 8 + 1] as number;
        model((JSON.parse(this.bytes.toString('utf8', tail + 16, tail + 16 + n)) as ServedModelInfo | null) ?? undefined);
      }
      if (kind !== KIND_WRAP) read++;
      tail = (tail + len) % this.capacity;
    }
    // Once per drain, not per record: the producer reads it only when the ring looks full.
    Atomics.store(this.control, TAIL, tail);
    return read;
  }

  /** The consumer is reading again: writes need not wake it. */
  awake(): void {
    Atomics.store(this.control, SLEEPING, 0);
  }

  /** Resolves when the producer writes after `head` (it notifies a sleeping consumer), or after `ms`. */
  waitForWrite(head: number, ms: number): Promise<unknown> {
    const woken = waitAsync(this.control, HEAD, head, ms).value;
    return typeof woken === 'string' ? Promise.resolve() : woken;
  }

  /** Marks the consumer as waiting when nothing is left; undefined (not waiting) if something arrived meanwhile. */
  sleep(): { head: number } | undefined {
    Atomics.store(this.control, SLEEPING, 1);
    const head = Atomics.load(this.control, HEAD);
    if (head !== Atomics.load(this.control, TAIL)) {
      Atomics.store(this.control, SLEEPING, 0);
      return undefined;
    }
    return { head };
  }
}
