/**
 * The prediction log inside the serving process: chunks being filled as requests are recorded, in
 * the wire form of schemas/src/monitoring-wire.ts. A prediction's numbers go straight into the
 * chunk's float64 `meta` and its numeric inputs into the chunk's float64 `inputs` when it is
 * recorded: nothing is formatted and no request's rows are kept alive (rows held until a chunk was
 * built were carried by the garbage collector's write barrier and scavenges, seen in `perf`). Only
 * the line of text (request id, outputs: strings the request already made) waits in the chunk.
 *
 * Bounded: past `cap` predictions held (the daemon not reading), the oldest full chunk is dropped
 * and counted.
 */
import { type FeatureValue } from '../../../../schemas/src/serving';
import { encodePredictionLine, LOG_META, META, writeNumericRows } from '../../../../schemas/src/monitoring-wire';

/** A chunk as it leaves (`monitor_flush` without its slices). */
export interface ChunkWire {
  log: string;
  count: number;
  /**
   * Views of the chunk's typed arrays, valid until the next prediction is logged (the chunk is
   * reused): senders copy them at once (into the stream's frame, or as base64 over IPC, toIpc).
   */
  meta: Uint8Array;
  inputs: Uint8Array;
}

export const EMPTY_CHUNK: ChunkWire = { log: '', count: 0, meta: new Uint8Array(0), inputs: new Uint8Array(0) };

class Chunk {
  count = 0;
  lines: string[] = [];
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

  wire(): ChunkWire {
    const bytes = (a: Float64Array, n: number): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, n * 8);
    return { log: this.lines.join('\n'), count: this.count, meta: bytes(this.meta, this.count * META), inputs: bytes(this.inputs, this.at) };
  }

  clear(): void {
    this.count = 0;
    this.lines = [];
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
    const m = c.count * META;
    c.meta[m + LOG_META.time_ms] = r.timeMs;
    c.meta[m + LOG_META.latency_ms] = r.latencyMs;
    c.meta[m + LOG_META.version] = r.version;
    c.meta[m + LOG_META.status] = r.status;
    const numeric = typeof r.predicted === 'number' && !Number.isNaN(r.predicted);
    c.meta[m + LOG_META.predicted] = numeric ? (r.predicted as number) : NaN;
    const inputs = rows ? this.inputs(c, m, rows, keep) : '';
    if (!rows) c.meta[m + LOG_META.input_rows] = c.meta[m + LOG_META.input_width] = 0;
    c.lines.push(encodePredictionLine(r.id, numeric ? '' : JSON.stringify(r.predicted ?? null), r.outputsJson, inputs));
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
