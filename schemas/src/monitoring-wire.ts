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
 *  - numeric inputs are never formatted: the chunk carries them as float64 bytes (base64), the
 *    daemon stores them as a BLOB and formats them only when someone reads a prediction
 *    (`mlops predictions show`);
 *  - the window's sample is kept column by column as rows are sampled and goes as float32 bytes.
 * Measured with the recorder alone (CPU per prediction, rows of 20 features): 7 µs → 1.7 µs in the
 * serving process, and 2.5 µs to read it in the daemon (JSON.parse, schema, lines).
 *
 * The log: one line per prediction, fields separated by a tab, lines by '\n'. No field can hold
 * either: JSON text escapes control characters, request ids are UUIDs or match REQUEST_ID_PATTERN,
 * numbers are plain. Fields, in order:
 *   request_id · time_ms · version · latency_ms · status · predicted (a JSON scalar: the value compared
 *   with feedback labels, `null` when none) · outputs (JSON array of the answer's records) · inputs
 * where inputs is empty (not stored), `#<rows>x<width>` (the next rows × width doubles of the
 * chunk's `inputs` bytes, NaN where a feature is left out) or JSON text of the rows (a row holding a
 * value that is not a number, left-out features null).
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

const FIELD_COUNT = 8;

/** One line of the log without its inputs field (the recorder adds it when the chunk is built). */
export function encodePredictionLine(id: string, timeMs: number, version: number, latencyMs: number, status: number, predictedJson: string, outputsJson: string): string {
  return `${id}\t${timeMs}\t${version}\t${latencyMs}\t${status}\t${predictedJson}\t${outputsJson}\t`;
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

function num(s: string | undefined, int: boolean): number | undefined {
  if (s === undefined || s === '') return undefined;
  const v = Number(s);
  return Number.isFinite(v) && (!int || Number.isInteger(v)) ? v : undefined;
}

function scalar(s: string): string | number | null | undefined {
  if (s === 'null') return null;
  const n = Number(s);
  if (s !== '' && Number.isFinite(n) && s.charCodeAt(0) !== 34) return n;
  try {
    const v: unknown = JSON.parse(s);
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

const isJsonArray = (s: string): boolean => s.length >= 2 && s.charCodeAt(0) === 91 && s.charCodeAt(s.length - 1) === 93;
const BINARY_REF = /^#(\d+)x(\d+)$/;

/** The chunk's numeric inputs, taken in order by the lines that refer to them. */
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

function decodeInputs(inp: string, bytes: InputBytes): { inputs: Buffer | string | null } | { error: string } {
  if (inp === '') return { inputs: null };
  if (inp.charCodeAt(0) === 35) {
    const m = BINARY_REF.exec(inp);
    const taken = m ? bytes.take(Number(m[1]), Number(m[2])) : 'inputs: not #<rows>x<width>';
    return typeof taken === 'string' ? { error: taken } : { inputs: taken };
  }
  return isJsonArray(inp) ? { inputs: inp } : { error: 'inputs: not a JSON array, a binary reference or empty' };
}

/** Reads one line; returns the prediction or the name of the first bad field. */
function decodeLine(line: string, bytes: InputBytes): LoggedPrediction | string {
  const f = line.split('\t');
  if (f.length !== FIELD_COUNT) return `${f.length} fields where ${FIELD_COUNT} are expected`;
  const [id, t, v, ms, st, pred, out, inp] = f as [string, string, string, string, string, string, string, string];
  if (!REQUEST_ID_PATTERN.test(id)) return 'request_id: not a request id';
  const time = num(t, false);
  const version = num(v, true);
  const latency = num(ms, false);
  const status = num(st, true);
  const predicted = scalar(pred);
  if (time === undefined) return 'time_ms: not a number';
  if (version === undefined) return 'version: not an integer';
  if (latency === undefined) return 'latency_ms: not a number';
  if (status === undefined) return 'status: not an integer';
  if (predicted === undefined) return 'predicted: not a JSON string, number or null';
  if (!isJsonArray(out)) return 'outputs: not a JSON array';
  // Inputs last: a bad line before them must not take another line's values.
  const inputs = decodeInputs(inp, bytes);
  if ('error' in inputs) return inputs.error;
  return { request_id: id, time_ms: Math.round(time), version, latency_ms: latency, status, predicted, outputs: out, inputs: inputs.inputs };
}

/** Reads a chunk of the log (`monitor_flush`): `count` lines the sender wrote (UTF-8), `inputs` the bytes of their numeric inputs. */
export function decodePredictionLog(text: string, count: number, inputs: string): DecodedLog {
  const predictions: LoggedPrediction[] = [];
  const errors: string[] = [];
  if (text.length === 0) return { predictions, errors: count ? [`${count} predictions announced, none sent`] : [] };
  const bytes = new InputBytes(Buffer.from(inputs, 'base64'));
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const p = decodeLine(lines[i] as string, bytes);
    if (typeof p === 'string') errors.push(`line ${i + 1}: ${p}`);
    else predictions.push(p);
  }
  if (lines.length !== count) errors.push(`${lines.length} lines where ${count} predictions were announced`);
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
