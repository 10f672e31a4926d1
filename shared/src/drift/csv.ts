/**
 * Streaming CSV reader into columnar typed arrays (RFC 4180: quoted fields holding commas, quotes
 * and newlines; LF, CRLF or CR line ends; a UTF-8 BOM; blank lines skipped). The file is read in
 * chunks into one reused buffer and cut into records by a byte-level state machine. A record is
 * handed on only once it is complete: one cut by a chunk boundary is carried to the front of the
 * buffer and scanned again with the next chunk, so no field is ever counted twice. Numbers land in
 * growable Float64Arrays and no per-row object is created. A column is numeric when every non-empty
 * value parses as a number (NaN and ±inf included); any other value makes it categorical, and a
 * second pass then dictionary-encodes only those columns.
 */
import { closeSync, openSync, readSync } from 'node:fs';

export interface NumericColumn {
  kind: 'numeric';
  name: string;
  /** Every non-empty value in file order (NaN and ±Infinity kept; the engine drops them). */
  values: Float64Array;
  /** Empty cells. */
  missing: number;
}

export interface CategoricalColumn {
  kind: 'categorical';
  name: string;
  /** Index into `categories` per non-empty value. */
  codes: Int32Array;
  categories: string[];
  missing: number;
}

export type Column = NumericColumn | CategoricalColumn;

export interface CsvTable {
  file: string;
  rows: number;
  columns: Column[];
}

export class CsvError extends Error {}

const COMMA = 44;
const LF = 10;
const CR = 13;
const QUOTE = 34;
/** Bytes per read. Tests pass tiny sizes so that records are cut at every offset. */
export const DEFAULT_CHUNK = 1 << 20;

class GrowableF64 {
  data = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  finish(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

function parseSpecial(text: string): number | undefined {
  const t = text.toLowerCase();
  const sign = t.startsWith('-') ? -1 : 1;
  const body = t.startsWith('-') || t.startsWith('+') ? t.slice(1) : t;
  if (body === 'nan') return Number.NaN;
  if (body === 'inf' || body === 'infinity') return sign * Infinity;
  return undefined;
}

/**
 * Parses a decimal number from bytes [s, e). Mantissas below 2^53 with a power of ten up to 22 are
 * converted by one correctly rounded multiply or divide (Clinger's fast path); anything longer goes
 * through the engine's own conversion of the text, so every value equals what Python's float()
 * gives. `latin1` returns the whole buffer decoded once, when the caller has it.
 */
export function parseNumberBytes(b: Buffer, s: number, e: number, latin1?: () => string): number | undefined {
  while (s < e && b[s] === 32) s++;
  while (e > s && b[e - 1] === 32) e--;
  if (s >= e) return undefined;
  let i = s;
  let neg = false;
  if (b[i] === 45 || b[i] === 43) neg = b[i++] === 45;
  let mant = 0;
  let digits = 0;
  let scale = 0;
  let sawDot = false;
  let sawDigit = false;
  for (; i < e; i++) {
    const c = b[i] as number;
    if (c >= 48 && c <= 57) {
      sawDigit = true;
      if (mant === 0 && c === 48) {
        if (sawDot) scale--;
        continue;
      }
      mant = mant * 10 + (c - 48);
      digits++;
      if (sawDot) scale--;
    } else if (c === 46 && !sawDot) sawDot = true;
    else break;
  }
  let exp = 0;
  if (i < e && sawDigit && (b[i] === 101 || b[i] === 69)) {
    i++;
    let eneg = false;
    if (b[i] === 45 || b[i] === 43) eneg = b[i++] === 45;
    const start = i;
    while (i < e && (b[i] as number) >= 48 && (b[i] as number) <= 57) exp = exp * 10 + ((b[i++] as number) - 48);
    if (i === start) return undefined;
    if (eneg) exp = -exp;
  }
  if (i !== e || !sawDigit) {
    const text = b.toString('latin1', s, e);
    return sawDigit ? undefined : parseSpecial(text);
  }
  const p = scale + exp;
  // The text is a validated decimal here, so Number() reads it exactly as parseFloat would; a
  // substring of the chunk's text decoded once is far cheaper than decoding each field.
  if (digits > 15 || p < -22 || p > 22) return latin1 ? Number(latin1().substring(s, e)) : Number.parseFloat(b.toString('latin1', s, e));
  const v = p < 0 ? mant / (POW10[-p] as number) : mant * (POW10[p] as number);
  return neg ? -v : v;
}

/** Field boundaries of the record being scanned; one instance is reused for every record. */
class RecordFields {
  starts = new Int32Array(64);
  ends = new Int32Array(64);
  quoted = new Uint8Array(64);
  count = 0;
  /** The chunk decoded as latin1, made on first use and dropped when the buffer is refilled. */
  private chunkText: string | undefined;
  private chunk: Buffer | undefined;
  readonly latin1 = (): string => (this.chunkText ??= (this.chunk as Buffer).toString('latin1'));
  /** Line the record starts on (1-based), and how many lines it spans (quoted newlines). */
  line = 1;
  lines = 1;

  newChunk(buf: Buffer): void {
    this.chunk = buf;
    this.chunkText = undefined;
  }

  reset(line: number): void {
    this.count = 0;
    this.line = line;
    this.lines = 1;
  }

  add(start: number, end: number, quoted: number): void {
    if (this.count === this.starts.length) {
      const grow = <T extends Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
        const next = make(a.length * 2);
        next.set(a);
        return next;
      };
      this.starts = grow(this.starts, (n) => new Int32Array(n));
      this.ends = grow(this.ends, (n) => new Int32Array(n));
      this.quoted = grow(this.quoted, (n) => new Uint8Array(n));
    }
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.quoted[this.count++] = quoted;
  }

  /** Text of field `k`, quotes unescaped. */
  text(buf: Buffer, k: number): string {
    const raw = buf.toString('utf8', this.starts[k], this.ends[k]);
    return this.quoted[k] ? raw.replace(/""/g, '"') : raw;
  }
}

type RecordSink = (buf: Buffer, rec: RecordFields) => void;

function openCsv(file: string): number {
  try {
    return openSync(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    const why = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'is a directory' }[code] ?? (code || String(e));
    throw new CsvError(`${file}: cannot read: ${why}`);
  }
}

const hasBom = (b: Buffer, n: number): boolean => n >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;

/**
 * Reads the file in chunks, calling `sink` once per complete record. The unconsumed tail (a cut
 * record) moves to the front of the same buffer and the next chunk is read after it; the buffer
 * grows only when one record is longer than a chunk.
 */
function scanFile(file: string, chunkSize: number, sink: RecordSink): void {
  const fd = openCsv(file);
  const rec = new RecordFields();
  try {
    let buf = Buffer.allocUnsafe(chunkSize);
    let kept = 0;
    let line = 1;
    let bomChecked = false;
    for (;;) {
      if (buf.length - kept < chunkSize) buf = Buffer.concat([buf.subarray(0, kept)], kept + chunkSize);
      const got = readSync(fd, buf, kept, chunkSize, null);
      const n = kept + got;
      const eof = got === 0;
      let from = 0;
      if (!bomChecked) {
        // The BOM decision needs the first three bytes, which a tiny chunk may not hold yet.
        if (n < 3 && !eof) {
          kept = n;
          continue;
        }
        bomChecked = true;
        if (hasBom(buf, n)) from = 3;
      }
      const done = scanRecords(buf, from, n, eof, line, rec, sink, file);
      line = done.line;
      buf.copyWithin(0, done.offset, n);
      kept = n - done.offset;
      if (eof) break;
    }
  } finally {
    closeSync(fd);
  }
}

/** Hands every complete record in buf[pos, n) to `sink`; returns where the first incomplete one starts. */
function scanRecords(buf: Buffer, pos: number, n: number, eof: boolean, firstLine: number, rec: RecordFields, sink: RecordSink, file: string): { offset: number; line: number } {
  let line = firstLine;
  rec.newChunk(buf);
  while (pos < n) {
    const c = buf[pos];
    // Blank lines carry no record (common at the end of files).
    if (c === LF || c === CR) {
      if (c === CR && pos + 1 >= n && !eof) break;
      pos += c === CR && buf[pos + 1] === LF ? 2 : 1;
      line++;
      continue;
    }
    rec.reset(line);
    const end = scanRecord(buf, pos, n, eof, rec, file);
    if (end < 0) break;
    sink(buf, rec);
    line += rec.lines;
    pos = end;
  }
  return { offset: pos, line };
}

/**
 * Collects the fields of the record starting at `pos` into `rec` and returns the offset after its
 * line end, or -1 when the chunk ends before the record does (more input may change it).
 */
function scanRecord(buf: Buffer, pos: number, n: number, eof: boolean, rec: RecordFields, file: string): number {
  let i = pos;
  for (;;) {
    let start = i;
    let quoted = 0;
    if (i < n && buf[i] === QUOTE) {
      quoted = 1;
      const close = closingQuote(buf, i + 1, n, eof, rec);
      if (close < 0) {
        if (!eof) return -1;
        throw new CsvError(`${file}:${rec.line}: unterminated quoted field`);
      }
      start = i + 1;
      i = close + 1;
      if (i < n && buf[i] !== COMMA && buf[i] !== LF && buf[i] !== CR) {
        throw new CsvError(`${file}:${rec.line + rec.lines - 1}: unexpected character after the closing quote of a field (quote the whole field and double the quotes inside it)`);
      }
      rec.add(start, close, quoted);
    } else {
      while (i < n) {
        const c = buf[i];
        if (c === COMMA || c === LF || c === CR) break;
        i++;
      }
      rec.add(start, i, quoted);
    }
    if (i >= n) return eof ? n : -1;
    const c = buf[i];
    if (c === COMMA) {
      i++;
      continue;
    }
    if (c === LF) return i + 1;
    // CR: one byte more decides between CRLF and a bare CR.
    if (i + 1 >= n) return eof ? n : -1;
    return buf[i + 1] === LF ? i + 2 : i + 1;
  }
}

/** Offset of the quote closing a quoted field whose text starts at `j` ("" is an escaped quote), or -1. */
function closingQuote(buf: Buffer, j: number, n: number, eof: boolean, rec: RecordFields): number {
  let lines = 0;
  for (; j < n; j++) {
    const c = buf[j];
    if (c === LF) lines++;
    else if (c === QUOTE) {
      if (j + 1 >= n && !eof) return -1;
      if (buf[j + 1] !== QUOTE) break;
      j++;
    }
  }
  if (j >= n) return -1;
  rec.lines += lines;
  return j;
}

export interface ReadCsvOptions {
  /** Only these columns are parsed (all when absent). Unknown names are an error naming the file. */
  columns?: string[];
  /** Bytes per read (default 1 MiB); tests use tiny chunks to cut records at every offset. */
  chunkSize?: number;
}

/** Reads the header and checks every later record has its width; `onRow` gets each data record. */
function scanTable(file: string, chunkSize: number, onHeader: (names: string[]) => void, onRow: RecordSink): void {
  let width = -1;
  scanFile(file, chunkSize, (buf, rec) => {
    if (width < 0) {
      width = rec.count;
      onHeader(Array.from({ length: rec.count }, (_, k) => rec.text(buf, k).trim()));
      return;
    }
    if (rec.count !== width) throw new CsvError(`${file}:${rec.line}: ${rec.count} fields, expected ${width} as in the header`);
    onRow(buf, rec);
  });
  if (width < 0) throw new CsvError(`${file}: empty file, expected a header row`);
}

/** Reads a CSV file with a header row into typed columns. */
export function readCsv(file: string, options: ReadCsvOptions = {}): CsvTable {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK;
  let header: string[] = [];
  let wanted: number[] = [];
  let numeric: GrowableF64[] = [];
  let isNumeric: boolean[] = [];
  let missing: number[] = [];
  let rows = 0;
  const onHeader = (names: string[]): void => {
    header = names;
    wanted = selectColumns(file, header, options.columns);
    numeric = wanted.map(() => new GrowableF64());
    isNumeric = wanted.map(() => true);
    missing = wanted.map(() => 0);
  };
  scanTable(file, chunkSize, onHeader, (buf, rec) => {
    rows++;
    for (let k = 0; k < wanted.length; k++) {
      if (!isNumeric[k]) continue;
      const c = wanted[k] as number;
      const s = rec.starts[c] as number;
      const e = rec.ends[c] as number;
      const v = rec.quoted[c] ? parseQuotedNumber(rec.text(buf, c)) : parseNumberBytes(buf, s, e, rec.latin1);
      if (v !== undefined) (numeric[k] as GrowableF64).push(v);
      else if (isBlank(buf, s, e)) missing[k] = (missing[k] as number) + 1;
      else isNumeric[k] = false;
    }
  });
  const columns: Column[] = wanted.map((c, k) => ({
    kind: 'numeric' as const,
    name: header[c] as string,
    values: (numeric[k] as GrowableF64).finish(),
    missing: missing[k] ?? 0,
  }));
  const cats = wanted.map((_, k) => k).filter((k) => !isNumeric[k]);
  if (cats.length) readCategorical(file, chunkSize, wanted, cats, columns);
  return { file, rows, columns };
}

function parseQuotedNumber(text: string): number | undefined {
  const b = Buffer.from(text, 'utf8');
  return parseNumberBytes(b, 0, b.length);
}

function isBlank(buf: Buffer, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if (buf[i] !== 32) return false;
  return true;
}

function selectColumns(file: string, header: string[], names: string[] | undefined): number[] {
  const seen = new Map<string, number>();
  header.forEach((h, i) => {
    if (seen.has(h)) throw new CsvError(`${file}: column "${h}" appears twice in the header`);
    seen.set(h, i);
  });
  if (header.length === 1 && header[0] === '') throw new CsvError(`${file}: empty header row`);
  if (!names) return header.map((_, i) => i);
  return names.map((n) => {
    const i = seen.get(n);
    if (i === undefined) throw new CsvError(`${file}: no column "${n}" (columns: ${header.join(', ')})`);
    return i;
  });
}

function readCategorical(file: string, chunkSize: number, wanted: number[], cats: number[], columns: Column[]): void {
  const dicts = cats.map(() => new Map<string, number>());
  const codes = cats.map(() => new GrowableF64());
  const missing = cats.map(() => 0);
  const fields = cats.map((k) => wanted[k] as number);
  scanTable(file, chunkSize, () => undefined, (buf, rec) => {
    for (let idx = 0; idx < fields.length; idx++) {
      const text = rec.text(buf, fields[idx] as number).trim();
      if (text === '') {
        missing[idx] = (missing[idx] as number) + 1;
        continue;
      }
      const dict = dicts[idx] as Map<string, number>;
      let code = dict.get(text);
      if (code === undefined) {
        code = dict.size;
        dict.set(text, code);
      }
      (codes[idx] as GrowableF64).push(code);
    }
  });
  cats.forEach((k, idx) => {
    columns[k] = {
      kind: 'categorical',
      name: (columns[k] as Column).name,
      codes: Int32Array.from((codes[idx] as GrowableF64).finish()),
      categories: [...(dicts[idx] as Map<string, number>).keys()],
      missing: missing[idx] ?? 0,
    };
  });
}
