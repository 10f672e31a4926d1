/**
 * The bulk of what a serving process sends the daemon for monitoring, in its wire form: the
 * prediction log (`monitor_flush`) and a closed window's sample (`monitor_window`).
 *
 * Over the IPC channel (JSON, `serialization: 'json'`) the binary parts go as base64 (toIpc). On
 * the monitoring stream (fd 4), which is how the daemon's serving processes send, a log chunk goes
 * as one JSON header line (`monitor_log`) followed by its three parts as raw bytes, and a window's
 * sample as a `monitor_sample` header line followed by its numeric columns' float32 bytes
 * (encodeStreamMessage, StreamDecoder): base64 both ways and the log's text escaped inside a JSON
 * string and unescaped again were ~1 µs per prediction between the two sides, and JSON.stringify
 * scanning a window's base64 columns a quarter of the monitoring thread's time (docs/MONITORING.md).
 *
 * Why this form: the serving loop is single-threaded and shares two cores with everything else, so
 * every microsecond spent on a prediction's record is throughput lost. Measured (docs/MONITORING.md,
 * Benchmark): formatting numbers is what costs. JSON.stringify of a row of 20 doubles is 1–3 µs,
 * and the earlier form (columns of JSON values, outputs and inputs as JSON strings inside JSON, every
 * input formatted twice: for the log and for the window) cost 7 µs of the serving process and 6–8 µs
 * of the daemon per prediction. Now:
 *  - outputs are the very text the endpoint answered with (made once, for the response);
 *  - numbers are never formatted: a prediction's time, latency, version, status and numeric
 *    prediction go into float64 `meta`, its numeric inputs into float64 `inputs` (base64 both); the
 *    daemon stores inputs as a BLOB and formats them only when someone reads a prediction
 *    (`mlops predictions show`);
 *  - the window's sample is kept column by column as rows are sampled and goes as float32 bytes.
 * Measured with the recorder alone (CPU per request, rows of 20 features): 7 µs → 2.6 µs (lines with
 * their numbers in text) → 1.9 µs (this form) in the serving process, and 2.5 µs to read it in the
 * daemon (JSON.parse, schema, lines).
 *
 * The log chunk: `count` predictions in three parts, none of which formats a number.
 *  - `meta`: META float64 per prediction (base64), in the order of LOG_META: time_ms, latency_ms,
 *    version, status, predicted (when a number, else NaN), input_rows, input_width. Written into a
 *    typed array as the request is recorded: turning these five numbers into text per prediction
 *    (the previous form) was a fifth of the recorder's cost.
 *  - `log`: one line per prediction, fields separated by a tab, lines by '\n'. No field can hold
 *    either: JSON text escapes control characters, request ids are UUIDs or match
 *    REQUEST_ID_PATTERN. Fields: request_id · predicted (empty when `meta` holds it as a number,
 *    else a JSON string or `null`) · outputs (JSON array of the answer's records) · inputs (empty:
 *    not stored or in `inputs` bytes; else JSON text of the rows: a row holding a value that is not
 *    a number, left-out features null).
 *  - `inputs`: the numeric inputs (float64, base64) of the predictions whose input_rows > 0, in
 *    order: input_rows × input_width values each, NaN where a feature is left out.
 */

import { monitorLogFrameSchema, monitorSampleFrameSchema, REQUEST_ID_PATTERN, type MonitorLogFrame, type MonitorSampleFrame, type MonitoringFromServing, type WindowSampleWire } from './monitoring';

/**
 * Stored inputs in binary: an 8-byte header (uint32 LE width, uint32 LE rows) then rows × width
 * little-endian float64, NaN for a value not stored.
 */
export const BINARY_INPUTS_HEADER = 8;

export interface LoggedPrediction {
  request_id: string;
  time_ms: number;
  version: number;
  latency_ms: number;
  status: number;
  predicted: string | number | null;
  /** JSON text, stored as it arrives. */
  outputs: string;
  /** JSON text, binary rows (BINARY_INPUTS_HEADER), or null when not stored. */
  inputs: string | Buffer | null;
}

const FIELD_COUNT = 4;

/** Numbers per prediction in a chunk's `meta`, and where each sits. */
export const META = 7;
export const LOG_META = { time_ms: 0, latency_ms: 1, version: 2, status: 3, predicted: 4, input_rows: 5, input_width: 6 } as const;

/** One line of the log (see above): `predicted` empty when `meta` holds it, `inputs` empty unless JSON. */
export function encodePredictionLine(id: string, predicted: string, outputsJson: string, inputs: string): string {
  return `${id}\t${predicted}\t${outputsJson}\t${inputs}`;
}

/** Writes `rows` into `out` from `at` when every value is a number, NaN where `keep[j]` is false; returns false (nothing usable) otherwise. */
export function writeNumericRows(rows: readonly (readonly unknown[])[], keep: readonly boolean[], out: Float64Array, at: number): boolean {
  let k = at;
  for (const row of rows) {
    for (let j = 0; j < row.length; j++) {
      const v = row[j];
      if (!keep[j]) out[k++] = NaN;
      else if (typeof v === 'number' && !Number.isNaN(v)) out[k++] = v;
      else return false;
    }
  }
  return true;
}

export interface DecodedLog {
  predictions: LoggedPrediction[];
  /** Lines that could not be read, each named by line number and field; they are skipped, not stored. */
  errors: string[];
}

const isInt = (v: number): boolean => Number.isInteger(v);

function predictedOf(s: string, meta: number): string | number | null | undefined {
  if (s === '') return Number.isFinite(meta) ? meta : undefined;
  if (s === 'null') return null;
  try {
    const v: unknown = JSON.parse(s);
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

const isJsonArray = (s: string): boolean => s.length >= 2 && s.charCodeAt(0) === 91 && s.charCodeAt(s.length - 1) === 93;

/**
 * The chunk's numeric inputs, taken in order by the predictions that announce them. Each stored BLOB
 * (BINARY_INPUTS_HEADER, then its values) is a view into one buffer made for the whole chunk: one
 * allocation per chunk instead of one per prediction.
 */
class InputBytes {
  private at = 0;
  private out: Buffer | undefined;
  private outAt = 0;
  constructor(
    private readonly bytes: Buffer,
    private readonly count: number,
  ) {}

  /** The next rows × width values as a stored BLOB, or an error when the chunk holds fewer. */
  take(rows: number, width: number): Buffer | string {
    const n = rows * width * 8;
    if (this.at + n > this.bytes.length) return `inputs: ${rows}x${width} values announced, ${(this.bytes.length - this.at) / 8} left in the chunk`;
    // Every value once plus at most one header per prediction: the buffer never has to grow.
    this.out ??= Buffer.allocUnsafe(this.bytes.length + this.count * BINARY_INPUTS_HEADER);
    const start = this.outAt;
    this.out.writeUInt32LE(width, start);
    this.out.writeUInt32LE(rows, start + 4);
    this.bytes.copy(this.out, start + BINARY_INPUTS_HEADER, this.at, this.at + n);
    this.at += n;
    this.outAt = start + BINARY_INPUTS_HEADER + n;
    return this.out.subarray(start, this.outAt);
  }
}

/** Bytes as a Buffer over the same memory (no copy). */
const viewOf = (b: Uint8Array): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** A binary part as bytes: base64 text (IPC) decoded, bytes (the stream) as they are. */
const bytesOf = (part: string | Uint8Array): Buffer => (typeof part === 'string' ? Buffer.from(part, 'base64') : viewOf(part));

/** A chunk's `meta` as numbers, or why not. */
function metaOf(part: string | Uint8Array, count: number): Float64Array | string {
  const b = bytesOf(part);
  if (b.length !== count * META * 8) return `meta: ${b.length} bytes where ${count} predictions need ${count * META * 8}`;
  // Float64Array needs 8-byte alignment: decoded or received bytes may sit anywhere in a shared pool.
  return b.byteOffset % 8 === 0 ? new Float64Array(b.buffer, b.byteOffset, count * META) : new Float64Array(Uint8Array.from(b).buffer);
}

function decodeInputs(inp: string, rows: number, width: number, bytes: InputBytes): { inputs: Buffer | string | null } | { error: string } {
  if (rows > 0) {
    if (inp !== '') return { error: 'inputs: both bytes and JSON announced' };
    if (!isInt(rows) || !isInt(width) || width < 1) return { error: 'input_rows/input_width: not counts' };
    const taken = bytes.take(rows, width);
    return typeof taken === 'string' ? { error: taken } : { inputs: taken };
  }
  if (inp === '') return { inputs: null };
  return isJsonArray(inp) ? { inputs: inp } : { error: 'inputs: not a JSON array or empty' };
}

/** Reads one line and its numbers (`meta` from `at`); returns the prediction or the name of the first bad field. */
function decodeLine(line: string, meta: Float64Array, at: number, bytes: InputBytes): LoggedPrediction | string {
  // The fields by their tabs, not split(): no array per line (this runs for every prediction the daemon stores).
  const t1 = line.indexOf('\t');
  const t2 = t1 < 0 ? -1 : line.indexOf('\t', t1 + 1);
  const t3 = t2 < 0 ? -1 : line.indexOf('\t', t2 + 1);
  if (t3 < 0 || line.indexOf('\t', t3 + 1) >= 0) return `${line.split('\t').length} fields where ${FIELD_COUNT} are expected`;
  const id = line.slice(0, t1);
  const time = meta[at + LOG_META.time_ms] as number;
  const latency = meta[at + LOG_META.latency_ms] as number;
  const version = meta[at + LOG_META.version] as number;
  const status = meta[at + LOG_META.status] as number;
  if (!REQUEST_ID_PATTERN.test(id)) return 'request_id: not a request id';
  if (!Number.isFinite(time)) return 'time_ms: not a number';
  if (!isInt(version)) return 'version: not an integer';
  if (!Number.isFinite(latency)) return 'latency_ms: not a number';
  if (!isInt(status)) return 'status: not an integer';
  const predicted = predictedOf(line.slice(t1 + 1, t2), meta[at + LOG_META.predicted] as number);
  if (predicted === undefined) return 'predicted: not a JSON string, number or null';
  const out = line.slice(t2 + 1, t3);
  if (!isJsonArray(out)) return 'outputs: not a JSON array';
  // Inputs last: a bad line before them must not take another line's values.
  const inputs = decodeInputs(line.slice(t3 + 1), meta[at + LOG_META.input_rows] as number, meta[at + LOG_META.input_width] as number, bytes);
  if ('error' in inputs) return inputs.error;
  return { request_id: id, time_ms: Math.round(time), version, latency_ms: latency, status, predicted, outputs: out, inputs: inputs.inputs };
}

/** Reads a chunk of the log (`monitor_flush`): `count` lines, their numbers (`meta`) and numeric inputs (`inputs`), as the sender wrote them. */
export function decodePredictionLog(log: string | Uint8Array, count: number, meta: string | Uint8Array, inputs: string | Uint8Array): DecodedLog {
  const predictions: LoggedPrediction[] = [];
  const errors: string[] = [];
  const text = textOf(log);
  if (text.length === 0) return { predictions, errors: count ? [`${count} predictions announced, none sent`] : [] };
  const numbers = metaOf(meta, count);
  if (typeof numbers === 'string') return { predictions, errors: [numbers] };
  const bytes = new InputBytes(bytesOf(inputs), count);
  const lines = text.split('\n');
  if (lines.length !== count) errors.push(`${lines.length} lines where ${count} predictions were announced`);
  const n = Math.min(lines.length, count);
  for (let i = 0; i < n; i++) {
    const p = decodeLine(lines[i] as string, numbers, i * META, bytes);
    if (typeof p === 'string') errors.push(`line ${i + 1}: ${p}`);
    else predictions.push(p);
  }
  return { predictions, errors };
}

/** Stored inputs as rows of values (a binary BLOB's NaN becomes null), for reading a prediction back. */
export function storedInputRows(stored: string | Buffer): unknown[][] {
  if (typeof stored === 'string') return JSON.parse(stored) as unknown[][];
  const width = stored.readUInt32LE(0);
  const rows = stored.readUInt32LE(4);
  if (stored.length !== BINARY_INPUTS_HEADER + rows * width * 8) throw new Error(`stored inputs: ${stored.length} bytes do not hold ${rows} rows of ${width} values`);
  return Array.from({ length: rows }, (_, r) =>
    Array.from({ length: width }, (_, j) => {
      const v = stored.readDoubleLE(BINARY_INPUTS_HEADER + (r * width + j) * 8);
      return Number.isNaN(v) ? null : v;
    }),
  );
}

// ---------- The monitoring stream ----------

const base64 = (part: string | Uint8Array): string => (typeof part === 'string' ? part : viewOf(part).toString('base64'));

/** A message for the IPC channel, which carries JSON only: a log chunk's and a window sample's binary parts as base64, the log's lines as text. */
export function toIpc(m: MonitoringFromServing): MonitoringFromServing {
  if (m.type === 'monitor_window' && hasBytes(m.window)) return { ...m, window: { ...m.window, columns: m.window.columns.map((c) => ('f32' in c ? { f32: base64(c.f32) } : c)) } };
  if (m.type !== 'monitor_flush' || (typeof m.meta === 'string' && typeof m.inputs === 'string' && typeof m.log === 'string')) return m;
  return { ...m, meta: base64(m.meta), inputs: base64(m.inputs), log: textOf(m.log) };
}

/** Whether a window's sample holds a column as bytes. */
const hasBytes = (w: WindowSampleWire): boolean => w.columns.some((c) => 'f32' in c && typeof c.f32 !== 'string');

/** The log's lines as text (they are UTF-8 bytes as the serving process writes them). */
const textOf = (part: string | Uint8Array): string => (typeof part === 'string' ? part : viewOf(part).toString('utf8'));

/**
 * A message as it goes on the monitoring stream: a JSON line; a log chunk whose parts are bytes as
 * its `monitor_log` header line followed by `meta`, `inputs` and the log's text (in that order, so
 * that `meta` starts the frame's body 8-byte aligned and is read in place); a window whose numeric
 * columns are bytes as its `monitor_sample` header line followed by them (encodeSample). One buffer: one write;
 * `alloc` gives it (FramePool: frames of a few hundred KB allocated anew for every chunk made the
 * garbage collector run for their external memory, half of what sending cost).
 */
export function encodeStreamMessage(m: MonitoringFromServing, alloc: (bytes: number) => Buffer = Buffer.allocUnsafe): string | Buffer {
  if (m.type === 'monitor_window' && hasBytes(m.window)) return encodeSample(m.window, alloc);
  if (m.type !== 'monitor_flush' || typeof m.meta === 'string' || typeof m.inputs === 'string') return `${JSON.stringify(toIpc(m))}\n`;
  const logBytes = typeof m.log === 'string' ? Buffer.byteLength(m.log) : m.log.byteLength;
  const header: MonitorLogFrame = { type: 'monitor_log', slices: m.slices, count: m.count, log_bytes: logBytes, meta_bytes: m.meta.byteLength, inputs_bytes: m.inputs.byteLength };
  const { out, at } = frame(header, m.meta.byteLength + m.inputs.byteLength + logBytes, alloc);
  out.set(m.meta, at);
  out.set(m.inputs, at + m.meta.byteLength);
  if (typeof m.log === 'string') out.write(m.log, at + m.meta.byteLength + m.inputs.byteLength);
  else out.set(m.log, at + m.meta.byteLength + m.inputs.byteLength);
  return out;
}

/** A window's sample as its `monitor_sample` header line, then its numeric columns' bytes in order. */
function encodeSample(w: WindowSampleWire, alloc: (bytes: number) => Buffer): Buffer {
  let body = 0;
  const columns = w.columns.map((c) => {
    if (!('f32' in c)) return c;
    const n = typeof c.f32 === 'string' ? Buffer.byteLength(c.f32, 'base64') : c.f32.byteLength;
    body += n;
    return { f32_bytes: n };
  });
  const { out, at } = frame({ type: 'monitor_sample', window: { ...w, columns } } satisfies MonitorSampleFrame, body, alloc);
  let k = at;
  for (const c of w.columns) {
    if (!('f32' in c)) continue;
    if (typeof c.f32 === 'string') k += out.write(c.f32, k, 'base64');
    else {
      out.set(c.f32, k);
      k += c.f32.byteLength;
    }
  }
  return out;
}

/** One buffer for a frame: its header line written, `body` bytes left after it (at `at`). */
function frame(header: MonitorLogFrame | MonitorSampleFrame, body: number, alloc: (bytes: number) => Buffer): { out: Buffer; at: number } {
  const head = `${JSON.stringify(header)}\n`;
  const at = Buffer.byteLength(head);
  const out = alloc(at + body);
  out.write(head, 0);
  return { out, at };
}

/** A frame's header as read: how many bytes follow it, and the message they make with it. */
interface PendingFrame {
  /** What it holds, for messages. */
  what: string;
  bytes: number;
  message(body: Buffer): unknown;
}

function logFrame(f: MonitorLogFrame): PendingFrame {
  return {
    what: 'log chunk',
    bytes: f.meta_bytes + f.inputs_bytes + f.log_bytes,
    message: (body) => {
      const inputsEnd = f.meta_bytes + f.inputs_bytes;
      return { type: 'monitor_flush', slices: f.slices, count: f.count, meta: body.subarray(0, f.meta_bytes), inputs: body.subarray(f.meta_bytes, inputsEnd), log: body.toString('utf8', inputsEnd) };
    },
  };
}

function sampleFrame(f: MonitorSampleFrame): PendingFrame {
  return {
    what: 'window sample',
    bytes: f.window.columns.reduce((n, c) => n + ('f32_bytes' in c ? c.f32_bytes : 0), 0),
    message: (body) => {
      let at = 0;
      const columns = f.window.columns.map((c) => ('f32_bytes' in c ? { f32: body.subarray(at, (at += c.f32_bytes)) } : c));
      return { type: 'monitor_window', window: { ...f.window, columns } };
    },
  };
}

/** The frame a header line announces, or why it is malformed; undefined for a plain message. */
function frameOf(raw: unknown): PendingFrame | string | undefined {
  const type = (raw as { type?: unknown } | null)?.type;
  if (type !== 'monitor_log' && type !== 'monitor_sample') return undefined;
  const header = type === 'monitor_log' ? monitorLogFrameSchema.safeParse(raw) : monitorSampleFrameSchema.safeParse(raw);
  if (!header.success) return `a malformed ${type === 'monitor_log' ? 'log chunk' : 'window sample'} header: ${header.error.issues[0]?.message ?? ''}`;
  return header.data.type === 'monitor_log' ? logFrame(header.data) : sampleFrame(header.data);
}

/**
 * The most a line or a frame's body may hold on the stream: a chunk of 1,024 predictions is well
 * under 1 MiB and a window's sample a few MiB. Past it the reader reports the line or frame and skips
 * it instead of holding the bytes (a corrupted header or a runaway line must not grow the daemon).
 */
export const MAX_FRAME_BYTES = 64 << 20;

/**
 * Reads the monitoring stream back into messages (unchecked: the caller checks them against the
 * schema, as IPC messages are): JSON lines, and after a `monitor_log` or `monitor_sample` header its
 * bytes, returned as the `monitor_flush` or `monitor_window` they make. Input arrives in pieces of
 * any size, each kept until its message is complete (a caller must not reuse a buffer it pushed); a
 * line that is not JSON or a malformed header is reported through `bad` and skipped. A
 * `monitor_flush`'s `meta` and `inputs` and a `monitor_window`'s byte columns are views of a buffer
 * reused for the next frame: valid during `each` only (the daemon stores a chunk and reads a window
 * before it returns; decodePredictionLog's stored inputs and decodeWindowSample's columns are copies).
 */
export class StreamDecoder {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  /** A frame (log chunk, window's sample) whose bytes are still arriving. */
  private frame: PendingFrame | undefined;
  /** Bytes still to pass over: the rest of a frame or line that was refused as too long. */
  private skipping: 'frame' | 'line' | undefined;
  private skipLeft = 0;
  /** Where lines and frames' bodies are put together, reused from one message to the next (takePending). */
  private readonly scratch: Record<'line' | 'body', Buffer> = { line: Buffer.alloc(0), body: Buffer.alloc(0) };

  constructor(
    private readonly each: (raw: unknown) => void,
    private readonly bad: (why: string) => void,
    /** The longest line or frame body kept (MAX_FRAME_BYTES; smaller in tests). */
    private readonly max = MAX_FRAME_BYTES,
  ) {}

  push(chunk: Buffer): void {
    let from = 0;
    while (from < chunk.length) {
      if (this.skipping) {
        from = this.skip(chunk, from);
        continue;
      }
      if (this.frame) {
        const take = Math.min(this.frame.bytes - this.pendingBytes, chunk.length - from);
        this.hold(chunk.subarray(from, from + take));
        from += take;
        if (this.pendingBytes === this.frame.bytes) this.endFrame(this.frame);
        continue;
      }
      const nl = chunk.indexOf(10, from);
      if (this.pendingBytes + (nl < 0 ? chunk.length : nl) - from > this.max) {
        this.refuse('line', `a line longer than ${this.max} bytes`);
        continue;
      }
      if (nl < 0) return this.hold(chunk.subarray(from));
      this.hold(chunk.subarray(from, nl));
      from = nl + 1;
      this.line(this.takePending('line').toString('utf8'));
    }
  }

  /** Drops what is held and passes over the rest of a line (to its newline) or of a frame (`skipLeft` bytes). */
  private refuse(what: 'frame' | 'line', why: string, left = 0): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.skipping = what;
    this.skipLeft = left;
    this.bad(`${why}: skipped`);
  }

  /** Passes over refused bytes from `from`; returns where reading goes on. */
  private skip(chunk: Buffer, from: number): number {
    if (this.skipping === 'frame') {
      const n = Math.min(this.skipLeft, chunk.length - from);
      this.skipLeft -= n;
      if (this.skipLeft === 0) this.skipping = undefined;
      return from + n;
    }
    const nl = chunk.indexOf(10, from);
    if (nl < 0) return chunk.length;
    this.skipping = undefined;
    return nl + 1;
  }

  private hold(b: Uint8Array): void {
    this.pending.push(b);
    this.pendingBytes += b.length;
  }

  /**
   * What was held as one buffer: a piece as it is when it is the only one, else copied into `into`
   * (grown when short). Reused from one message to the next: allocating ~100 KB per chunk (tens a
   * second) kept the garbage collector busy with external memory.
   */
  private takePending(into: 'line' | 'body'): Buffer {
    const parts = this.pending;
    const n = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    const only = parts.length === 1 ? (parts[0] as Uint8Array) : undefined;
    // A body is always copied: its `meta` is read in place as float64, which needs 8-byte alignment.
    if (only && into === 'line') return Buffer.from(only.buffer, only.byteOffset, n);
    let buf = this.scratch[into];
    if (buf.length < n) buf = this.scratch[into] = Buffer.allocUnsafeSlow(Math.max(n, 2 * buf.length));
    let at = 0;
    for (const p of parts) {
      buf.set(p, at);
      at += p.length;
    }
    return buf.subarray(0, n);
  }

  private line(text: string): void {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return this.bad(`a line of ${text.length} characters that is not JSON`);
    }
    const f = frameOf(raw);
    if (f === undefined) return this.each(raw);
    if (typeof f === 'string') return this.bad(f);
    if (f.bytes > this.max) return this.refuse('frame', `a ${f.what} of ${f.bytes} bytes (at most ${this.max})`, f.bytes);
    if (f.bytes === 0) return this.endFrame(f);
    this.frame = f;
  }

  private endFrame(f: PendingFrame): void {
    this.frame = undefined;
    this.each(f.message(this.takePending('body')));
  }
}

// ---------- The window's sample ----------

/**
 * One sampled column in its wire form: float32 bytes (base64) when every value is a number or
 * missing (NaN), else the values. float32 because the sample only feeds drift statistics and binned
 * distributions, where seven significant digits change nothing, and it halves what crosses the
 * channel per prediction. The serving process's ColumnSample writes them.
 */
export type WireColumn = WindowSampleWire['columns'][number];

/** A column as the drift engine reads it: numbers (null where missing) or values. */
export type SampleColumn = (number | null)[] | unknown[];
/** A window's sample as the daemon evaluates it: its columns read. */
export type WindowSample = Omit<WindowSampleWire, 'columns'> & { columns: SampleColumn[] };

/** Reads a window's sample (`monitor_window.window`). */
export function decodeWindowSample(w: WindowSampleWire): WindowSample {
  return { ...w, columns: decodeColumns(w.columns, w.size, w.features) };
}

/** Reads the sample's columns (`monitor_window.window.columns`), each of `size` values. */
function decodeColumns(columns: readonly WireColumn[], size: number, features: readonly string[]): SampleColumn[] {
  if (columns.length !== features.length) throw new Error(`window sample: ${columns.length} columns for ${features.length} features`);
  return columns.map((c, j) => {
    if ('values' in c) {
      if (c.values.length !== size) throw new Error(`window sample column ${features[j]}: ${c.values.length} values where ${size} are expected`);
      return c.values;
    }
    const b = bytesOf(c.f32);
    if (b.length !== size * 4) throw new Error(`window sample column ${features[j]}: ${b.length / 4} values where ${size} are expected`);
    // Read in place when 4-byte aligned (a frame's body); decoded base64 may sit anywhere in a shared pool: copied.
    const f = b.byteOffset % 4 === 0 ? new Float32Array(b.buffer, b.byteOffset, size) : new Float32Array(Uint8Array.from(b).buffer);
    const out = new Array<number | null>(size);
    for (let i = 0; i < size; i++) {
      const v = f[i] as number;
      out[i] = Number.isNaN(v) ? null : v;
    }
    return out;
  });
}
