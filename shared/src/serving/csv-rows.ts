/**
 * Streaming CSV rows (RFC 4180: quoted fields, doubled quotes, CR/LF line ends) for batch scoring,
 * which needs whole rows in file order rather than the drift reader's typed columns. Hand-written to
 * keep the CLI free of a parser dependency; tested against csv-parse as the reference.
 */
import { createReadStream } from 'node:fs';

export class CsvRowParser {
  private field = '';
  private row: string[] = [];
  private quoted = false;
  /** Inside quotes, a quote just seen: either the closing one or the first of a doubled pair. */
  private quoteSeen = false;
  private fieldStarted = false;
  private lastWasCR = false;

  constructor(private readonly onRow: (fields: string[]) => void) {}

  push(chunk: string): void {
    for (let i = 0; i < chunk.length; i++) this.char(chunk[i] as string);
  }

  private char(ch: string): void {
    if (this.quoted) {
      if (this.quoteSeen) {
        this.quoteSeen = false;
        if (ch === '"') {
          this.field += '"';
          return;
        }
        this.quoted = false;
      } else if (ch === '"') {
        this.quoteSeen = true;
        return;
      } else {
        this.field += ch;
        return;
      }
    }
    if (ch === '\n' && this.lastWasCR) {
      this.lastWasCR = false;
      return;
    }
    this.lastWasCR = ch === '\r';
    if (ch === '"' && !this.fieldStarted) {
      this.quoted = true;
      this.fieldStarted = true;
    } else if (ch === ',') this.endField();
    else if (ch === '\n' || ch === '\r') this.endRow();
    else {
      this.field += ch;
      this.fieldStarted = true;
    }
  }

  private endField(): void {
    this.row.push(this.field);
    this.field = '';
    this.fieldStarted = false;
  }

  private endRow(): void {
    this.endField();
    const row = this.row;
    this.row = [];
    // Blank lines carry no row.
    if (row.length === 1 && row[0] === '') return;
    this.onRow(row);
  }

  end(): void {
    if (this.quoteSeen) {
      this.quoted = false;
      this.quoteSeen = false;
    }
    if (this.fieldStarted || this.row.length) this.endRow();
  }
}

/** Reads a CSV file row by row; `onRow` may return a promise to pause reading (back-pressure). */
export async function readCsvRows(file: string, onRow: (fields: string[]) => void, onBytes?: (n: number) => void): Promise<void> {
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  const parser = new CsvRowParser(onRow);
  let first = true;
  for await (const chunk of stream as AsyncIterable<string>) {
    // A UTF-8 byte-order mark (Excel writes one) is not part of the first column name.
    parser.push(first && chunk.charCodeAt(0) === 0xfeff ? chunk.slice(1) : chunk);
    first = false;
    onBytes?.(stream.bytesRead);
  }
  parser.end();
}

/** One CSV field: quoted when it holds a comma, quote or line break. */
export function csvField(v: unknown): string {
  const s = Array.isArray(v) ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
