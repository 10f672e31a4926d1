/**
 * The prediction log inside the serving process: chunks being filled as requests are recorded, in
 * the wire form of schemas/src/monitoring-wire.ts. A prediction's numbers go straight into the
 * chunk's float64 `meta` and its numeric inputs into the chunk's float64 `inputs` when it is
 * recorded: nothing is formatted and no request's rows are kept alive (rows held until a chunk was
 * built were carried by the garbage collector's write barrier and scavenges, seen in `perf`). Its
 * line of text (request id, outputs: what the request already made) goes into the chunk's `text`
 * bytes, copied from the ring's bytes by addFromRing (no string per request, none per chunk).
 *
 * Bounded: past `cap` predictions held (the daemon not reading), the oldest full chunk is dropped
 * and counted.
 */
import { type FeatureValue } from '../../../../schemas/src/serving';
import { encodePredictionLine, LOG_META, META, writeNumericRows } from '../../../../schemas/src/monitoring-wire';
import { type RequestView } from './record-ring';

/** A chunk as it leaves (`monitor_flush` without its slices). */
export interface ChunkWire {
  /** The lines, UTF-8: a view like `meta` and `inputs`. */
  log: Uint8Array;
  count: number;
  /**
   * Views of the chunk's typed arrays, valid until the next prediction is logged (the chunk is
   * reused): senders copy them at once (into the stream's frame, or as base64 over IPC, toIpc).
   */
  meta: Uint8Array;
  inputs: Uint8Array;
}

export const EMPTY_CHUNK: ChunkWire = { log: new Uint8Array(0), count: 0, meta: new Uint8Array(0), inputs: new Uint8Array(0) };

const TAB = 9;
const NEWLINE = 10;

class Chunk {
  count = 0;
  /** The lines so far, UTF-8, separated by '\n' (`textAt` bytes in use). */
  text = Buffer.allocUnsafeSlow(64 << 10);
  textAt = 0;
  /** Doubles of `inputs` in use. */
  at = 0;
  readonly meta: Float64Array;
  inputs = new Float64Array(4096);

  constructor(readonly size: number) {
    this.meta = new Float64Array(size * META);
  }

  /** Room for `n` more input values. */
  room(n: number): Float64Array {
    if (this.at + n > this.inputs.length) {
      const grown = new Float64Array(Math.max(this.inputs.length * 2, this.at + n));
      grown.set(this.inputs.subarray(0, this.at));
      this.inputs = grown;
    }
    return this.inputs;
  }

  /** Room for `n` more bytes of text, a newline first when a line is already there; returns where to write. */
  line(n: number): number {
    if (this.textAt + n + 1 > this.text.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(this.text.length * 2, this.textAt + n + 1));
      this.text.copy(grown, 0, 0, this.textAt);
      this.text = grown;
    }
    if (this.count > 0) this.text[this.textAt++] = NEWLINE;
    return this.textAt;
  }

  wire(): ChunkWire {
    const bytes = (a: Float64Array, n: number): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, n * 8);
    return { log: this.text.subarray(0, this.textAt), count: this.count, meta: bytes(this.meta, this.count * META), inputs: bytes(this.inputs, this.at) };
  }

  clear(): void {
    this.count = 0;
    this.textAt = 0;
    this.at = 0;
  }
}

export interface LoggedRequest {
  id: string;
  timeMs: number;
  version: number;
  latencyMs: number;
  status: number;
  predicted: string | number | null;
  outputsJson: string;
}

export class LogChunks {
  private filling: Chunk;
  private readonly full: Chunk[] = [];
  /** Sent chunks kept for reuse (their typed arrays), so a busy process does not allocate per chunk. */
  private readonly spare: Chunk[] = [];
  /** Predictions dropped because more than `cap` waited (the daemon not reading). */
  dropped = 0;

  constructor(
    private readonly chunkSize: number,
    private readonly cap: number,
  ) {
    this.filling = new Chunk(chunkSize);
  }

  /** Predictions held, full chunks and the one filling. */
  get held(): number {
    return this.full.length * this.chunkSize + this.filling.count;
  }

  get hasFull(): boolean {
    return this.full.length > 0;
  }

  /** Logs one prediction; `rows` are its inputs to store (null: none), `keep` which positions. Returns true when this filled a chunk. */
  add(r: LoggedRequest, rows: readonly FeatureValue[][] | null, keep: readonly boolean[]): boolean {
    const c = this.filling;
    const numeric = typeof r.predicted === 'number' && !Number.isNaN(r.predicted);
    const m = this.meta(c, r.timeMs, r.latencyMs, r.version, r.status, numeric ? (r.predicted as number) : NaN);
    const inputs = rows ? this.inputs(c, m, rows, keep) : '';
    if (!rows) c.meta[m + LOG_META.input_rows] = c.meta[m + LOG_META.input_width] = 0;
    const line = encodePredictionLine(r.id, numeric ? '' : JSON.stringify(r.predicted ?? null), r.outputsJson, inputs);
    const at = c.line(line.length * 3);
    c.textAt = at + c.text.write(line, at);
    return this.added(c);
  }

  /**
   * Logs one prediction read in place from the ring (RequestView.plain), the same line add() makes:
   * its request id and outputs copied as bytes, its numeric prediction (NaN: none) into `meta`, and
   * with `stored` its rows straight from the ring's float64 (`keep`: which positions; the caller
   * checks that the rows are as wide). No string or array is made.
   */
  addFromRing(v: RequestView, latencyMs: number, predicted: number, stored: boolean, keep: readonly boolean[]): boolean {
    const c = this.filling;
    const m = this.meta(c, v.timeMs, latencyMs, v.version ?? 0, v.status, predicted);
    const n = stored ? v.rows : 0;
    const width = v.width;
    if (n > 0) {
      const out = c.room(n * width);
      const src = v.f64;
      for (let i = 0, k = c.at, s = v.rowsAt; i < n; i++) for (let j = 0; j < width; j++, s++) out[k++] = keep[j] ? (src[s] as number) : NaN;
      c.at += n * width;
    }
    c.meta[m + LOG_META.input_rows] = n;
    c.meta[m + LOG_META.input_width] = n > 0 ? width : 0;
    const idLen = v.idEnd - v.idStart;
    const outLen = v.hasOutputs ? v.outputsEnd - v.outputsStart : 2;
    const numeric = !Number.isNaN(predicted);
    let at = c.line(idLen + outLen + (numeric ? 0 : 4) + 3);
    const t = c.text;
    at += v.bytes.copy(t, at, v.idStart, v.idEnd);
    t[at++] = TAB;
    if (!numeric) at += t.write('null', at, 'latin1');
    t[at++] = TAB;
    at += v.hasOutputs ? v.bytes.copy(t, at, v.outputsStart, v.outputsEnd) : t.write('[]', at, 'latin1');
    t[at++] = TAB;
    c.textAt = at;
    return this.added(c);
  }

  /** Writes a prediction's numbers into the chunk's `meta`; returns where they start. */
  private meta(c: Chunk, timeMs: number, latencyMs: number, version: number, status: number, predicted: number): number {
    const m = c.count * META;
    c.meta[m + LOG_META.time_ms] = timeMs;
    c.meta[m + LOG_META.latency_ms] = latencyMs;
    c.meta[m + LOG_META.version] = version;
    c.meta[m + LOG_META.status] = status;
    c.meta[m + LOG_META.predicted] = predicted;
    return m;
  }

  /** Counts the prediction just written; true when it filled the chunk. */
  private added(c: Chunk): boolean {
    if (++c.count < this.chunkSize) return false;
    this.full.push(c);
    this.filling = this.spare.pop() ?? new Chunk(this.chunkSize);
    if (this.held > this.cap) this.dropOldest();
    return true;
  }

  /** Numeric rows into the chunk's bytes (returns ''), others as JSON text with left-out features null. */
  private inputs(c: Chunk, m: number, rows: readonly FeatureValue[][], keep: readonly boolean[]): string {
    const width = keep.length;
    if (rows.every((r) => r.length === width)) {
      const n = rows.length * width;
      if (writeNumericRows(rows, keep, c.room(n), c.at)) {
        c.at += n;
        c.meta[m + LOG_META.input_rows] = rows.length;
        c.meta[m + LOG_META.input_width] = width;
        return '';
      }
    }
    c.meta[m + LOG_META.input_rows] = c.meta[m + LOG_META.input_width] = 0;
    return JSON.stringify(rows.map((row) => row.map((v, j) => (keep[j] ? v : null))));
  }

  private dropOldest(): void {
    const c = this.full.shift();
    if (!c) return;
    this.dropped += c.count;
    this.recycle(c);
  }

  private recycle(c: Chunk): void {
    c.clear();
    if (this.spare.length < 2) this.spare.push(c);
  }

  /** The oldest full chunk in its wire form, or with `partial` the one filling when none is full; undefined when there is nothing. */
  take(partial: boolean): ChunkWire | undefined {
    let c = this.full.shift();
    if (!c && partial && this.filling.count) {
      c = this.filling;
      this.filling = this.spare.pop() ?? new Chunk(this.chunkSize);
    }
    if (!c) return undefined;
    const w = c.wire();
    this.recycle(c);
    return w;
  }
}
