/** Numeric CSV in and out: the churn data is all numbers, so no quoting is needed or accepted. */
import { readFileSync, writeFileSync } from 'node:fs';

export interface NumericTable {
  header: string[];
  /** Row-major values, `rows * header.length` long. */
  values: Float64Array;
  rows: number;
}

export function writeCsv(path: string, header: readonly string[], rows: readonly number[][]): void {
  const lines = [header.join(','), ...rows.map((r) => r.join(','))];
  writeFileSync(path, lines.join('\n') + '\n');
}

/** Reads a header line and numeric rows; a bad cell is reported as file:line with its column name. */
export function readNumericCsv(path: string): NumericTable {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`${path}: cannot read the data file (${(e as NodeJS.ErrnoException).code ?? String(e)}); run generate-data.ts first`);
  }
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim());
  if (header.length < 2 || header.some((h) => !h)) throw new Error(`${path}:1: expected a header line of column names`);
  const body = lines.slice(1).filter((l) => l.trim() !== '');
  const values = new Float64Array(body.length * header.length);
  let lineNo = 1;
  let row = 0;
  for (const line of lines.slice(1)) {
    lineNo++;
    if (line.trim() === '') continue;
    const cells = line.split(',');
    if (cells.length !== header.length) {
      throw new Error(`${path}:${lineNo}: ${cells.length} values, the header has ${header.length} columns`);
    }
    cells.forEach((cell, j) => {
      const v = Number(cell);
      if (cell.trim() === '' || !Number.isFinite(v)) {
        throw new Error(`${path}:${lineNo}: column "${header[j]}": "${cell}" is not a number`);
      }
      values[row * header.length + j] = v;
    });
    row++;
  }
  if (row === 0) throw new Error(`${path}: no data rows`);
  return { header, values, rows: row };
}
