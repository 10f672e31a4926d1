/**
 * The drift CSV reader against csv-parse (a well-kept RFC 4180 parser) on generated files with
 * quoted fields holding commas, quotes and newlines, CRLF, a BOM, empty fields and numbers in every
 * notation, read with chunk sizes that cut records at every offset; and KS p-values on a
 * 200,000-row file against scipy's ks_2samp reading the same file.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { readCsv, type Column } from '../../../shared/src/drift/csv';
import { ks2sampSorted, sortedCopy } from '../../../shared/src/drift/ks';

let dir = '';
before(() => (dir = mkdtempSync(join(tmpdir(), 'drift-csv-ref-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

/** MINSTD: small, seeded, the same on every run. */
function rng(seed: number): () => number {
  let x = seed % 2147483647 || 1;
  return () => (x = (48271 * x) % 2147483647) / 2147483647;
}

const quote = (s: string): string => `"${s.replace(/"/g, '""')}"`;

/** One field of each column kind, some quoted, some empty; numbers in many notations. */
function fields(r: () => number, row: number): string[] {
  const u = r();
  const num = [String(u * 100 - 50), (u * 1e-7).toExponential(3), String(Math.round(u * 1e6)), `${u < 0.5 ? '-' : '+'}${(u * 9).toFixed(2)}`, '.5', '7.', 'nan', '-inf'][row % 8] as string;
  const text = ['plain', 'has, comma', 'say "hi"', 'two\nlines', 'crlf\r\ninside', '', ' padded ', 'é ü 中'][Math.floor(u * 8)] as string;
  return [
    String(row),
    r() < 0.3 ? quote(num) : num,
    text === '' || r() < 0.2 ? (text.includes(',') || text.includes('"') || text.includes('\n') ? quote(text) : text) : quote(text),
    r() < 0.25 ? '' : (r() * 10).toFixed(4),
    ['a', 'b', 'c', ''][Math.floor(r() * 4)] as string,
  ];
}

interface Shape {
  rows: number;
  seed: number;
  crlf?: boolean;
  bom?: boolean;
  trailingNewline?: boolean;
  blankLines?: boolean;
}

function makeCsv(shape: Shape): string {
  const r = rng(shape.seed);
  const eol = shape.crlf ? '\r\n' : '\n';
  const lines = ['id,value,"note, quoted header",sparse,cat'];
  for (let i = 0; i < shape.rows; i++) {
    lines.push(fields(r, i).join(','));
    if (shape.blankLines && i % 17 === 3) lines.push('');
  }
  return (shape.bom ? '\uFEFF' : '') + lines.join(eol) + (shape.trailingNewline === false ? '' : eol);
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function numberOf(text: string): number | undefined {
  if (NUMBER.test(text)) return Number.parseFloat(text);
  const t = text.toLowerCase().replace(/^\+/, '');
  if (t === 'nan' || t === '-nan') return NaN;
  if (t === 'inf' || t === 'infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  return undefined;
}

/** What readCsv must return for each column, derived from csv-parse's records. */
function expected(text: string): { header: string[]; rows: number; columns: Column[] } {
  const records = parse(text, { bom: true, skip_empty_lines: true }) as string[][];
  const header = (records.shift() ?? []).map((h) => h.trim());
  const columns = header.map((name, c): Column => {
    const cells = records.map((rec) => (rec[c] ?? '').trim());
    const present = cells.filter((v) => v !== '');
    const missing = cells.length - present.length;
    const nums = present.map(numberOf);
    if (nums.every((v) => v !== undefined)) return { kind: 'numeric', name, values: Float64Array.from(nums as number[]), missing };
    const categories = [...new Set(present)];
    const index = new Map(categories.map((v, i) => [v, i]));
    return { kind: 'categorical', name, codes: Int32Array.from(present.map((v) => index.get(v) ?? -1)), categories, missing };
  });
  return { header, rows: records.length, columns };
}

function assertSameTable(file: string, text: string, chunkSizes: number[]): void {
  const want = expected(text);
  for (const chunkSize of chunkSizes) assertSameColumns(file, want, chunkSize);
}

function assertSameColumns(file: string, want: ReturnType<typeof expected>, chunkSize: number): void {
  const got = readCsv(file, { chunkSize });
  const where = `chunk ${chunkSize}`;
  assert.equal(got.rows, want.rows, `${where}: rows`);
  assert.deepEqual(got.columns.map((c) => c.name), want.header, `${where}: header`);
  want.columns.forEach((w, k) => {
    const g = got.columns[k];
    assert.equal(g?.kind, w.kind, `${where}: kind of ${w.name}`);
    assert.equal(g?.missing, w.missing, `${where}: missing in ${w.name}`);
    if (g?.kind === 'numeric' && w.kind === 'numeric') assert.deepEqual([...g.values], [...w.values], `${where}: values of ${w.name}`);
    if (g?.kind === 'categorical' && w.kind === 'categorical') {
      assert.deepEqual(g.categories, w.categories, `${where}: categories of ${w.name}`);
      assert.deepEqual([...g.codes], [...w.codes], `${where}: codes of ${w.name}`);
    }
  });
}

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('readCsv equals csv-parse', () => {
  const small: [string, Shape][] = [
    ['LF', { rows: 30, seed: 1 }],
    ['CRLF with a BOM', { rows: 30, seed: 2, crlf: true, bom: true }],
    ['no trailing newline, blank lines', { rows: 30, seed: 3, trailingNewline: false, blankLines: true }],
    ['CRLF, BOM, no trailing newline', { rows: 25, seed: 4, crlf: true, bom: true, trailingNewline: false }],
  ];
  for (const [name, shape] of small) {
    test(`${name}: every chunk size from 1 byte to past the file, so records are cut at every offset`, () => {
      const text = makeCsv(shape);
      const file = write(`small-${shape.seed}.csv`, text);
      const bytes = Buffer.byteLength(text);
      assertSameTable(file, text, Array.from({ length: bytes + 1 }, (_, i) => i + 1));
    });
  }

  test('5,000 rows with CRLF and a BOM at several chunk sizes', () => {
    const text = makeCsv({ rows: 5000, seed: 11, crlf: true, bom: true, blankLines: true });
    const file = write('medium.csv', text);
    assertSameTable(file, text, [7, 64, 1000, 4093, 65536, 1 << 20]);
  });

  test('200,000 rows (several 1 MiB chunks) at the default chunk size', () => {
    const text = makeCsv({ rows: 200_000, seed: 12 });
    assert.ok(Buffer.byteLength(text) > 3 << 20, 'the file spans several default chunks');
    const file = write('large.csv', text);
    assertSameTable(file, text, [1 << 20]);
  });

  test('a numeric-only file larger than one chunk has exactly one value per row in every column', () => {
    // The case that used to gain 2 to 9 values per column: fields of a record cut by the chunk
    // boundary were recorded, then the whole record was read again from the next chunk.
    const r = rng(5);
    const lines = ['a,b,c,d'];
    for (let i = 0; i < 120_000; i++) lines.push([r(), r() * 1000, -r(), i].map(String).join(','));
    const file = write('numeric.csv', lines.join('\n') + '\n');
    const got = readCsv(file);
    for (const c of got.columns) assert.equal(c.kind === 'numeric' ? c.values.length : -1, 120_000, c.name);
  });

  test('malformed quoting is an error naming the file and line', () => {
    assert.throws(() => readCsv(write('open.csv', 'a,b\n1,"never closed\n2,3\n')), /open\.csv:2: unterminated quoted field/);
    assert.throws(() => readCsv(write('junk.csv', 'a,b\n1,2\n3,"x"y\n')), /junk\.csv:3: unexpected character after the closing quote/);
  });
});

describe('KS on a real-sized file equals scipy reading the same file', () => {
  const python = '/usr/bin/python3';
  const hasScipy = existsSync(python) && spawnSync(python, ['-c', 'import scipy, numpy'], { encoding: 'utf8' }).status === 0;
  test('200,000 rows × 6 columns: value counts, statistics and p-values', { skip: hasScipy ? false : 'Debian python3-scipy is not installed' }, () => {
    const make = (seed: number, shift: number): string => {
      const r = rng(seed);
      const lines = ['f0,f1,f2,f3,f4,f5'];
      for (let i = 0; i < 200_000; i++) {
        lines.push(Array.from({ length: 6 }, (_, c) => String(r() + r() + r() - 1.5 + (c % 2 ? shift : 0))).join(','));
      }
      return lines.join('\n') + '\n';
    };
    const refFile = write('ks-ref.csv', make(21, 0));
    const curFile = write('ks-cur.csv', make(22, 0.004));
    const ref = readCsv(refFile).columns;
    const cur = readCsv(curFile).columns;
    const script = [
      'import sys, json, numpy as np',
      'from scipy import stats',
      'a = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1)',
      'b = np.loadtxt(sys.argv[2], delimiter=",", skiprows=1)',
      'out = []',
      'for c in range(a.shape[1]):',
      '    r = stats.ks_2samp(a[:, c], b[:, c])',
      '    out.append([len(a[:, c]), len(b[:, c]), float(r.statistic), float(r.pvalue)])',
      'print(json.dumps(out))',
    ].join('\n');
    const res = spawnSync(python, ['-c', script, refFile, curFile], { encoding: 'utf8', maxBuffer: 1 << 20 });
    assert.equal(res.status, 0, res.stderr);
    const scipy = JSON.parse(res.stdout) as [number, number, number, number][];
    scipy.forEach(([na, nb, stat, p], c) => {
      const a = ref[c];
      const b = cur[c];
      assert.ok(a?.kind === 'numeric' && b?.kind === 'numeric');
      assert.equal(a.values.length, na, `f${c}: reference values`);
      assert.equal(b.values.length, nb, `f${c}: current values`);
      const r = ks2sampSorted(sortedCopy(a.values), sortedCopy(b.values), 'two-sided');
      assert.ok(Math.abs(r.statistic - stat) <= 1e-12, `f${c}: statistic ${r.statistic} vs scipy ${stat}`);
      assert.ok(Math.abs(r.pValue - p) <= 1e-7 * Math.max(p, 1e-300), `f${c}: p ${r.pValue} vs scipy ${p}`);
    });
    // The same bytes parse to the same doubles: Python's float() is the reference for the reader.
    assert.equal(readFileSync(refFile, 'utf8').split('\n').length - 2, 200_000);
  });
});
