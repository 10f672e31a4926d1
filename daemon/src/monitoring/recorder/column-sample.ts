/**
 * A window's sampled rows kept column by column, for the reservoir (WindowAcc). Why not the rows:
 * keeping each sampled request's row alive until the window closes made the serving process's
 * garbage collector carry up to `sample_size` small arrays, and turning them into columns when the
 * window closed was a stall of the serving loop, seen in its p99. Numbers go straight into float32
 * (what the wire carries, schemas/src/monitoring-wire.ts); a column that meets a value of another
 * kind (text, a boolean) becomes a list of values from then on.
 */
import { type WireColumn } from '../../../../schemas/src/monitoring-wire';

export class ColumnSample {
  /** Row width the columns hold; a row of another width (a new feature list) starts them afresh. */
  width = -1;
  /** Rows held: the slots 0..size-1 of every column. */
  size = 0;
  private allocated = 0;
  private numeric: (Float32Array | null)[] = [];
  private values: (unknown[] | null)[] = [];

  constructor(readonly capacity: number) {}

  /** Stores `row` in slot `k` (k ≤ size: a new row at the end, or a replacement). */
  put(k: number, row: readonly unknown[]): void {
    if (k >= this.allocated) this.grow(k + 1);
    for (let j = 0; j < row.length; j++) {
      const v = row[j];
      const f = this.numeric[j];
      if (f && typeof v === 'number') f[k] = v;
      else if (f && v == null) f[k] = NaN;
      else (this.values[j] ?? this.toValues(j))[k] = v ?? null;
    }
    if (k >= this.size) this.size = k + 1;
  }

  /** put() of a row read in place: `width` numbers from `f64[at]` (NaN: missing). */
  putFlat(k: number, f64: Float64Array, at: number, width: number): void {
    if (k >= this.allocated) this.grow(k + 1);
    for (let j = 0; j < width; j++) {
      const v = f64[at + j] as number;
      const f = this.numeric[j];
      if (f) f[k] = v;
      else (this.values[j] ?? this.toValues(j))[k] = Number.isNaN(v) ? null : v;
    }
    if (k >= this.size) this.size = k + 1;
  }

  /**
   * Empties the sample for the next window, keeping its width and the room it grew (a window fills
   * about as much as the last one): growing again every window was a hundred typed arrays per window.
   */
  clear(): void {
    this.size = 0;
    for (let j = 0; j < this.numeric.length; j++) {
      if (this.numeric[j]) continue;
      this.numeric[j] = new Float32Array(this.allocated);
      this.values[j] = null;
    }
  }

  /** Empties the sample for rows of `width` values. */
  reset(width: number): void {
    this.width = width;
    this.size = 0;
    this.allocated = 0;
    this.numeric = Array.from({ length: width }, () => new Float32Array(0));
    this.values = Array.from({ length: width }, () => null);
  }

  /**
   * The columns in their wire form: numeric ones as float32 bytes, copied into one buffer (the
   * sample is refilled by the next window before this one is sent), which the monitoring stream
   * writes as they are (a `monitor_sample` frame) and IPC as base64 (toIpc).
   */
  columns(): WireColumn[] {
    const n = this.size * 4;
    const bytes = Buffer.allocUnsafe(n * this.numeric.filter((f) => f).length);
    let at = 0;
    return this.numeric.map((f, j) => {
      if (!f) return { values: (this.values[j] as unknown[]).slice(0, this.size) };
      bytes.set(new Uint8Array(f.buffer, f.byteOffset, n), at);
      return { f32: bytes.subarray(at, (at += n)) };
    });
  }

  /** Room for `n` rows: doubling up to the capacity, so a small window never holds a full sample's memory. */
  private grow(n: number): void {
    const to = Math.min(this.capacity, Math.max(n, this.allocated * 2, 64));
    this.numeric = this.numeric.map((f) => {
      if (!f) return null;
      const g = new Float32Array(to);
      g.set(f.subarray(0, this.size));
      return g;
    });
    this.allocated = to;
  }

  private toValues(j: number): unknown[] {
    const f = this.numeric[j] as Float32Array;
    const vals = new Array<unknown>(this.allocated);
    for (let i = 0; i < this.size; i++) vals[i] = Number.isNaN(f[i]) ? null : f[i];
    this.numeric[j] = null;
    this.values[j] = vals;
    return vals;
  }
}
