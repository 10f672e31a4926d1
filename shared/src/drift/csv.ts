/**
 * Streaming CSV reader into columnar typed arrays: the file is read in 1 MiB chunks and parsed byte
 * by byte, numbers land in growable Float64Arrays, and no per-row object is ever created. A column
 * is numeric when every non-empty value parses as a number (NaN and ±inf included); any other
 * value makes it categorical, and a second pass then dictionary-encodes only those columns.
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
const CHUNK = 1 << 20;

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
 * through parseFloat on the text, so every value equals what Python's float() gives.
 */
export function parseNumberBytes(b: Buffer, s: number, e: number): number | undefined {
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
  if (digits > 15 || p < -22 || p > 22) return Number.parseFloat(b.toString('latin1', s, e));
  const v = p < 0 ? mant / (POW10[-p] as number) : mant * (POW10[p] as number);
  return neg ? -v : v;
}

interface Field {
  start: number;
  end: number;
  quoted: boolean;
}

type FieldSink = (col: number, buf: Buffer, f: Field, line: number) => void;

/**
 * Drives the byte-level state machine over the file in chunks, calling `sink` per field and
 * `endRow` per record. A record cut by a chunk boundary is carried into the next chunk.
 */
function scanFile(file: string, sink: FieldSink, endRow: (fields: number, line: number) => void): void {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    const why = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'is a directory' }[code] ?? (code || String(e));
    throw new CsvError(`${file}: cannot read: ${why}`);
  }
  try {
    let carry: Buffer = Buffer.alloc(0);
    let line = 1;
    for (;;) {
      const chunk = Buffer.allocUnsafe(CHUNK);
      const got = readSync(fd, chunk, 0, CHUNK, null);
      const eof = got === 0;
      const buf = carry.length ? Buffer.concat([carry, chunk.subarray(0, got)]) : chunk.subarray(0, got);
      const consumed = scanRecords(buf, eof, line, sink, endRow);
      line = consumed.line;
      carry = Buffer.from(buf.subarray(consumed.offset));
      if (eof) break;
    }
  } finally {
    closeSync(fd);
  }
}

function scanRecords(buf: Buffer, eof: boolean, firstLine: number, sink: FieldSink, endRow: (n: number, line: number) => void): { offset: number; line: number } {
  let pos = 0;
  let line = firstLine;
  const n = buf.length;
  const field: Field = { start: 0, end: 0, quoted: false };
  while (pos < n) {
    // Blank lines carry no record (common at the end of files).
    if (buf[pos] === LF || (buf[pos] === CR && buf[pos + 1] === LF)) {
      pos += buf[pos] === LF ? 1 : 2;
      line++;
      continue;
    }
    if (buf[pos] === CR && pos + 1 >= n && !eof) return { offset: pos, line };
    const recStart = pos;
    let col = 0;
    let i = pos;
    let complete = false;
    let extraLines = 0;
    for (;;) {
      field.quoted = false;
      if (i < n && buf[i] === QUOTE) {
        field.quoted = true;
        let j = i + 1;
        for (; j < n; j++) {
          if (buf[j] === QUOTE) {
            if (buf[j + 1] === QUOTE) j++;
            else break;
          } else if (buf[j] === LF) extraLines++;
        }
        if (j >= n) break;
        field.start = i + 1;
        field.end = j;
        i = j + 1;
      } else {
        field.start = i;
        while (i < n && buf[i] !== COMMA && buf[i] !== LF && buf[i] !== CR) i++;
        field.end = i;
      }
      if (i >= n && !eof) break;
      sink(col++, buf, field, line);
      if (i < n && buf[i] === COMMA) {
        i++;
        continue;
      }
      if (i < n && buf[i] === CR) i++;
      if (i < n && buf[i] === LF) i++;
      complete = true;
      break;
    }
    if (!complete) {
      if (!eof) return { offset: recStart, line };
      if (i >= n && col === 0) return { offset: n, line };
      throw new CsvError(`line ${line}: unterminated quoted field`);
    }
    endRow(col, line);
    line += 1 + extraLines;
    pos = i;
  }
  return { offset: pos, line };
}

function fieldText(buf: Buffer, f: Field): string {
  const raw = buf.toString('utf8', f.start, f.end);
  return f.quoted ? raw.replace(/""/g, '"') : raw;
}

function readHeader(file: string): string[] {
  const names: string[] = [];
  let done = false;
  try {
    scanFile(
      file,
      (_c, buf, f) => {
        if (!done) names.push(fieldText(buf, f).replace(/^\uFEFF/, '').trim());
      },
      () => {
        if (!done) {
          done = true;
          throw new HeaderDone();
        }
      },
    );
  } catch (e) {
    if (!(e instanceof HeaderDone)) throw e;
  }
  if (!names.length || (names.length === 1 && names[0] === '')) throw new CsvError(`${file}: empty file, expected a header row`);
  return names;
}

class HeaderDone extends Error {}

export interface ReadCsvOptions {
  /** Only these columns are parsed (all when absent). Unknown names are an error naming the file. */
  columns?: string[];
}

/** Reads a CSV file with a header row into typed columns. */
export function readCsv(file: string, options: ReadCsvOptions = {}): CsvTable {
  const header = readHeader(file);
  const wanted = selectColumns(file, header, options.columns);
  const numeric = wanted.map(() => new GrowableF64());
  const isNumeric = wanted.map(() => true);
  const missing = wanted.map(() => 0);
  const slot = new Int32Array(header.length).fill(-1);
  wanted.forEach((c, k) => (slot[c] = k));
  let rows = 0;
  scanWithRows(file, header.length, (col, buf, f) => {
    const k = slot[col] as number;
    if (k < 0 || !isNumeric[k]) return;
    const v = f.quoted ? parseNumberBytes(Buffer.from(fieldText(buf, f)), 0, Buffer.byteLength(fieldText(buf, f))) : parseNumberBytes(buf, f.start, f.end);
    if (v !== undefined) numeric[k]?.push(v);
    else if (isBlank(buf, f)) missing[k] = (missing[k] ?? 0) + 1;
    else isNumeric[k] = false;
  }, () => rows++);
  const columns: Column[] = wanted.map((c, k) => ({
    kind: 'numeric' as const,
    name: header[c] as string,
    values: (numeric[k] as GrowableF64).finish(),
    missing: missing[k] ?? 0,
  }));
  const cats = wanted.map((_, k) => k).filter((k) => !isNumeric[k]);
  if (cats.length) readCategorical(file, header, wanted, cats, columns);
  return { file, rows, columns };
}

function isBlank(buf: Buffer, f: Field): boolean {
  for (let i = f.start; i < f.end; i++) if (buf[i] !== 32) return false;
  return true;
}

function selectColumns(file: string, header: string[], names: string[] | undefined): number[] {
  const seen = new Map<string, number>();
  header.forEach((h, i) => {
    if (seen.has(h)) throw new CsvError(`${file}: column "${h}" appears twice in the header`);
    seen.set(h, i);
  });
  if (!names) return header.map((_, i) => i);
  return names.map((n) => {
    const i = seen.get(n);
    if (i === undefined) throw new CsvError(`${file}: no column "${n}" (columns: ${header.join(', ')})`);
    return i;
  });
}

/** Scans data rows (after the header), checking each row has the header's width. */
function scanWithRows(file: string, width: number, sink: FieldSink, onRow: () => void): void {
  let header = true;
  scanFile(
    file,
    (col, buf, f, line) => {
      if (!header) {
        if (col >= width) throw new CsvError(`${file}:${line}: more fields than the ${width} header columns`);
        sink(col, buf, f, line);
      }
    },
    (fields, line) => {
      if (header) header = false;
      else if (fields !== width) throw new CsvError(`${file}:${line}: ${fields} fields, expected ${width} as in the header`);
      else onRow();
    },
  );
}

function readCategorical(file: string, header: string[], wanted: number[], cats: number[], columns: Column[]): void {
  const dicts = cats.map(() => new Map<string, number>());
  const codes = cats.map(() => new GrowableF64());
  const missing = cats.map(() => 0);
  const slot = new Int32Array(header.length).fill(-1);
  cats.forEach((k, idx) => (slot[wanted[k] as number] = idx));
  scanWithRows(file, header.length, (col, buf, f) => {
    const idx = slot[col] as number;
    if (idx < 0) return;
    const text = fieldText(buf, f).trim();
    if (text === '') {
      missing[idx] = (missing[idx] ?? 0) + 1;
      return;
    }
    const dict = dicts[idx] as Map<string, number>;
    let code = dict.get(text);
    if (code === undefined) {
      code = dict.size;
      dict.set(text, code);
    }
    codes[idx]?.push(code);
  }, () => undefined);
  cats.forEach((k, idx) => {
    columns[k] = {
      kind: 'categorical',
      name: header[wanted[k] as number] as string,
      codes: Int32Array.from((codes[idx] as GrowableF64).finish()),
      categories: [...(dicts[idx] as Map<string, number>).keys()],
      missing: missing[idx] ?? 0,
    };
  });
}
