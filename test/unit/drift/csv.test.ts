import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCsv, CsvError } from '../../../shared/src/drift/csv';
import { parseNumberBytes } from '../../../shared/src/drift/csv';

let dir = '';
before(() => (dir = mkdtempSync(join(tmpdir(), 'drift-csv-'))));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('number parsing', () => {
  test('equals parseFloat on decimal forms and accepts nan/inf spellings', () => {
    const cases = ['0', '-0', '1.5', '.5', '5.', '1e3', '-2.5E-3', '123456789012345678', '0.1', '3.141592653589793238', '1e-320', '+7', ' 42 ', '0.000000000000000000001234', '-0.5708836393295245', '-1e-30', '-123456789.123456789'];
    for (const c of cases) {
      const b = Buffer.from(c);
      assert.equal(parseNumberBytes(b, 0, b.length), Number.parseFloat(c), c);
    }
    for (const c of ['nan', 'NaN', 'inf', '-inf', 'Infinity', '-INFINITY']) {
      const b = Buffer.from(c);
      const v = parseNumberBytes(b, 0, b.length);
      assert.ok(v !== undefined && !Number.isFinite(v), c);
    }
    for (const c of ['abc', '1.2.3', '1e', '--1', '0x10', '1,5', 'e5']) {
      const b = Buffer.from(c);
      assert.equal(parseNumberBytes(b, 0, b.length), undefined, c);
    }
  });
});

describe('readCsv', () => {
  test('infers types, keeps NaN/inf, counts empty cells, handles quotes and CRLF', () => {
    const t = readCsv(file('a.csv', 'num,cat,mixed\r\n1,"a,b",1\r\n2.5,x,\r\nnan,"say ""hi""",z\r\n-inf,x,2\r\n\r\n'));
    assert.equal(t.rows, 4);
    const [num, cat, mixed] = t.columns;
    assert.equal(num?.kind, 'numeric');
    if (num?.kind === 'numeric') assert.deepEqual([...num.values], [1, 2.5, NaN, -Infinity]);
    assert.equal(cat?.kind, 'categorical');
    if (cat?.kind === 'categorical') assert.deepEqual(cat.categories, ['a,b', 'x', 'say "hi"']);
    assert.equal(mixed?.kind, 'categorical');
    if (mixed?.kind === 'categorical') {
      assert.equal(mixed.missing, 1);
      assert.deepEqual([...mixed.codes].map((c) => mixed.categories[c]), ['1', 'z', '2']);
    }
  });
  test('reads files larger than one chunk with records split across chunks', () => {
    const rows = Array.from({ length: 120000 }, (_, i) => `${i},${i % 7 === 0 ? `"q${i % 3}"` : `c${i % 5}`},${(i * 0.37).toFixed(6)}`);
    const t = readCsv(file('big.csv', `i,c,v\n${rows.join('\n')}\n`), { columns: ['v', 'i'] });
    assert.equal(t.rows, 120000);
    const [v, i] = t.columns;
    assert.ok(v?.kind === 'numeric' && i?.kind === 'numeric');
    assert.equal(v.values.length, 120000);
    assert.equal(v.values[119999], Number.parseFloat((119999 * 0.37).toFixed(6)));
    assert.equal(i.values[65536], 65536);
  });
  test('errors name the file, line and column', () => {
    assert.throws(() => readCsv(join(dir, 'missing.csv')), (e: unknown) => e instanceof CsvError && /missing\.csv: cannot read: no such file/.test(e.message));
    assert.throws(() => readCsv(file('w.csv', 'a,b\n1,2\n3\n')), /w\.csv:3: 1 fields, expected 2/);
    assert.throws(() => readCsv(file('c.csv', 'a,b\n1,2\n'), { columns: ['zz'] }), /c\.csv: no column "zz"/);
    assert.throws(() => readCsv(file('e.csv', '')), /e\.csv: empty file/);
    assert.throws(() => readCsv(file('d.csv', 'a,a\n1,2\n')), /column "a" appears twice/);
  });
});
