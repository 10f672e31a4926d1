/** Readable output: aligned tables, JSON, relative times, byte sizes, and a progress bar on stderr. */
import { type CliIo } from './framework';

export type Cell = string | number | boolean | null | undefined;

/** Renders rows as an aligned table; numbers are right-aligned. */
export function table(headers: string[], rows: Cell[][]): string {
  const text = rows.map((r) => headers.map((_, i) => fmtCell(r[i])));
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((r) => (r[i] ?? '').length)));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number' || r[i] == null));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const out = [line(headers.map((h) => h.toUpperCase())), ...text.map(line)];
  if (!rows.length) out.push('(none)');
  return out.join('\n') + '\n';
}

function fmtCell(v: Cell): string {
  if (v == null) return '-';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : fmtNumber(v);
  return String(v);
}

export function fmtNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(3);
  return String(Number(v.toPrecision(5)));
}

export function printJson(io: CliIo, value: unknown): void {
  io.out(JSON.stringify(value, null, 2) + '\n');
}

export function fmtBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(1)} ${units[u]}`;
}

export function fmtTime(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** A progress bar on stderr, drawn only on a terminal and at most every 100 ms. */
export class Progress {
  private last = 0;
  private readonly started = Date.now();
  constructor(
    private readonly io: CliIo,
    private readonly label: string,
    public total: number,
    private readonly unit: 'bytes' | 'items' = 'items',
  ) {}

  update(done: number): void {
    if (!this.io.interactive) return;
    const now = Date.now();
    if (now - this.last < 100 && done < this.total) return;
    this.last = now;
    const frac = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const width = 28;
    const bar = '█'.repeat(Math.round(frac * width)).padEnd(width, '░');
    const show = (n: number): string => (this.unit === 'bytes' ? fmtBytes(n) : String(n));
    const secs = (now - this.started) / 1000;
    this.io.err(`\r${this.label} ${bar} ${(frac * 100).toFixed(0).padStart(3)}% ${show(done)}/${show(this.total)} ${secs.toFixed(1)}s`);
  }

  done(): void {
    if (this.io.interactive) this.io.err('\r\x1b[2K');
  }
}
