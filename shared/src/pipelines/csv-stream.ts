/**
 * A streaming CSV reader (RFC 4180: quoted fields, doubled quotes, newlines inside quotes, CRLF)
 * that holds one record at a time, so files larger than memory can be validated. Chunk boundaries
 * may fall anywhere, including inside a quoted field or between "\r" and "\n". Tested against
 * csv-parse on the same inputs.
 */
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

export class CsvStreamError extends Error {}

interface State {
  field: string;
  record: string[];
  quoted: boolean;
  /** Inside quotes, and the previous character was a quote: either "" or the closing quote. */
  quotePending: boolean;
  /** The field started with a quote (so `a"b` stays literal in unquoted fields). */
  wasQuoted: boolean;
  skipLf: boolean;
  line: number;
}

/** Feeds text into the state; calls `emit` for each complete record. */
function feed(s: State, text: string, emit: (r: string[]) => void): void {
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (s.skipLf) {
      s.skipLf = false;
      if (c === '\n') continue;
    }
    if (s.quoted) {
      if (s.quotePending) {
        s.quotePending = false;
        if (c === '"') {
          s.field += '"';
          continue;
        }
        s.quoted = false; // the quote closed the field; fall through to handle c
      } else if (c === '"') {
        s.quotePending = true;
        continue;
      } else {
        if (c === '\n') s.line++;
        s.field += c;
        continue;
      }
    }
    if (c === ',') {
      s.record.push(s.field);
      s.field = '';
      s.wasQuoted = false;
    } else if (c === '\n' || c === '\r') {
      s.record.push(s.field);
      emit(s.record);
      s.record = [];
      s.field = '';
      s.wasQuoted = false;
      s.line++;
      s.skipLf = c === '\r';
    } else if (c === '"' && s.field === '' && !s.wasQuoted) {
      s.quoted = true;
      s.wasQuoted = true;
    } else s.field += c;
  }
}

/**
 * Yields each record as strings; the first is the header. Empty lines are skipped (as csv-parse's
 * `skip_empty_lines`). An unterminated quote at the end is an error naming its line.
 */
export async function* csvRecords(file: string): AsyncGenerator<string[]> {
  const s: State = { field: '', record: [], quoted: false, quotePending: false, wasQuoted: false, skipLf: false, line: 1 };
  const decoder = new StringDecoder('utf8');
  let batch: string[][] = [];
  const emit = (r: string[]): void => {
    if (r.length === 1 && r[0] === '') return;
    batch.push(r);
  };
  let first = true;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 16 })) {
    let text = decoder.write(chunk as Buffer);
    if (first && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    first = false;
    feed(s, text, emit);
    yield* batch;
    batch = [];
  }
  feed(s, decoder.end(), emit);
  if (s.quoted && !s.quotePending) throw new CsvStreamError(`${file}: a quoted field opened before line ${s.line} is never closed`);
  if (s.field !== '' || s.record.length || s.wasQuoted) {
    s.record.push(s.field);
    emit(s.record);
  }
  yield* batch;
}
