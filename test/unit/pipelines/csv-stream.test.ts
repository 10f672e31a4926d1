/** The streaming CSV reader against csv-parse, on tricky text and on a real-sized file read in small chunks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { parse } from 'csv-parse/sync';
import { csvRecords, CsvStreamError } from '../../../shared/src/pipelines/csv-stream';

const dir = mkdtempSync(join(tmpdir(), 'mlops-csv-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

async function ours(text: string): Promise<string[][]> {
  const f = join(dir, `t${Math.random()}.csv`);
  writeFileSync(f, text);
  const out: string[][] = [];
  for await (const r of csvRecords(f)) out.push(r);
  return out;
}

const reference = (text: string) => parse(text, { relax_column_count: true, skip_empty_lines: true, bom: true }) as string[][];

test('quoted fields, doubled quotes, newlines in quotes, CRLF, BOM, empty fields and lines agree with csv-parse', async () => {
  const cases = [
    'a,b,c\n1,2,3\n',
    'a,b\r\n"x, y","he said ""hi"""\r\n',
    '\ufeffname,note\n"multi\nline",2\n\n3,\n',
    'a,b\n,\n"",""\nlast,row',
    'a\r\n1\r\n\r\n2',
    'x,y\n"é, ü","日本"\n',
  ];
  for (const c of cases) assert.deepEqual(await ours(c), reference(c), JSON.stringify(c));
});

test('an unterminated quote is an error naming the line', async () => {
  await assert.rejects(ours('a,b\n1,"open\n2,3\n'), (e: Error) => e instanceof CsvStreamError && /never closed/.test(e.message));
});

test('a 20 MB file read in 64 KiB chunks (boundaries inside quotes, multi-byte characters and CRLF) matches csv-parse', async () => {
  const f = join(dir, 'big.csv');
  const w = createWriteStream(f);
  w.write('id,text,value\r\n');
  for (let i = 0; i < 200_000; i++) {
    const text = i % 3 === 0 ? `"quoted, ""${i}""\nnext ü"` : i % 3 === 1 ? `plain${i}` : `"日本語${i}"`;
    if (!w.write(`${i},${text},${(i * 0.37).toFixed(3)}\r\n`)) await once(w, 'drain');
  }
  w.end();
  await once(w, 'finish');
  const { readFileSync } = await import('node:fs');
  const expected = reference(readFileSync(f, 'utf8'));
  let n = 0;
  for await (const r of csvRecords(f)) {
    assert.deepEqual(r, expected[n], `record ${n}`);
    n++;
  }
  assert.equal(n, 200_001);
});
