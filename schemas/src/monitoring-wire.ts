/**
 * The bulk of what a serving process sends the daemon for monitoring, in its wire form: the
 * prediction log (`monitor_flush`) and a closed window's sample (`monitor_window`).
 *
 * The channel stays JSON (`serialization: 'json'`): with this form, V8 serialisation and raw bytes
 * measured no better at full load (same-run A/B: 0.998×), so binary goes as base64.
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

import { REQUEST_ID_PATTERN, type WindowSampleWire } from './monitoring';

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

/** The chunk's numeric inputs, taken in order by the predictions that announce them. */
class InputBytes {
  private at = 0;
  constructor(private readonly bytes: Buffer) {}

  /** The next rows × width values as a stored BLOB, or an error when the chunk holds fewer. */
  take(rows: number, width: number): Buffer | string {
    const n = rows * width * 8;
    if (this.at + n > this.bytes.length) return `inputs: ${rows}x${width} values announced, ${(this.bytes.length - this.at) / 8} left in the chunk`;
    const out = Buffer.allocUnsafe(BINARY_INPUTS_HEADER + n);
    out.writeUInt32LE(width, 0);
    out.writeUInt32LE(rows, 4);
    this.bytes.copy(out, BINARY_INPUTS_HEADER, this.at, this.at + n);
    this.at += n;
    return out;
  }
}

/** A chunk's `meta` as numbers, or why not. */
function metaOf(b64: string, count: number): Float64Array | string {
  const b = Buffer.from(b64, 'base64');
  if (b.length !== count * META * 8) return `meta: ${b.length} bytes where ${count} predictions need ${count * META * 8}`;
  // A copy: decoded bytes may sit anywhere in a shared pool, not 8-byte aligned.
  return new Float64Array(Uint8Array.from(b).buffer);
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
  const f = line.split('\t');
  if (f.length !== FIELD_COUNT) return `${f.length} fields where ${FIELD_COUNT} are expected`;
  const [id, pred, out, inp] = f as [string, string, string, string];
  const m = (k: keyof typeof LOG_META): number => meta[at + LOG_META[k]] as number;
  if (!REQUEST_ID_PATTERN.test(id)) return 'request_id: not a request id';
  if (!Number.isFinite(m('time_ms'))) return 'time_ms: not a number';
  if (!isInt(m('version'))) return 'version: not an integer';
  if (!Number.isFinite(m('latency_ms'))) return 'latency_ms: not a number';
  if (!isInt(m('status'))) return 'status: not an integer';
  const predicted = predictedOf(pred, m('predicted'));
  if (predicted === undefined) return 'predicted: not a JSON string, number or null';
  if (!isJsonArray(out)) return 'outputs: not a JSON array';
  // Inputs last: a bad line before them must not take another line's values.
  const inputs = decodeInputs(inp, m('input_rows'), m('input_width'), bytes);
  if ('error' in inputs) return inputs.error;
  return { request_id: id, time_ms: Math.round(m('time_ms')), version: m('version'), latency_ms: m('latency_ms'), status: m('status'), predicted, outputs: out, inputs: inputs.inputs };
}

/** Reads a chunk of the log (`monitor_flush`): `count` lines, their numbers (`meta`) and numeric inputs (`inputs`), as the sender wrote them. */
export function decodePredictionLog(text: string, count: number, meta: string, inputs: string): DecodedLog {
  const predictions: LoggedPrediction[] = [];
  const errors: string[] = [];
  if (text.length === 0) return { predictions, errors: count ? [`${count} predictions announced, none sent`] : [] };
  const numbers = metaOf(meta, count);
  if (typeof numbers === 'string') return { predictions, errors: [numbers] };
  const bytes = new InputBytes(Buffer.from(inputs, 'base64'));
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
    const b = Buffer.from(c.f32, 'base64');
    if (b.length !== size * 4) throw new Error(`window sample column ${features[j]}: ${b.length / 4} values where ${size} are expected`);
    // A copy: decoded bytes may sit anywhere in a shared pool, not 4-byte aligned.
    const f = new Float32Array(Uint8Array.from(b).buffer);
    const out = new Array<number | null>(size);
    for (let i = 0; i < size; i++) {
      const v = f[i] as number;
      out[i] = Number.isNaN(v) ? null : v;
    }
    return out;
  });
}
