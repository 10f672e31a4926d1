import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkPattern, expandPatterns, globToRegExp, PatternError, staticBase } from '../../../shared/src/glob';
import { fingerprint } from '../../../daemon/src/datasets/scan';

test('glob syntax: *, **, ?, [..], {a,b}', () => {
  const cases: [string, string, boolean][] = [
    ['data/*.csv', 'data/a.csv', true],
    ['data/*.csv', 'data/sub/a.csv', false],
    ['data/**/*.csv', 'data/a.csv', true],
    ['data/**/*.csv', 'data/x/y/a.csv', true],
    ['data/**', 'data/x/y/a.csv', true],
    ['data/?.csv', 'data/ab.csv', false],
    ['data/[ab].csv', 'data/b.csv', true],
    ['data/[!ab].csv', 'data/b.csv', false],
    ['data/{train,test}.csv', 'data/test.csv', true],
    ['data/{train,test}.csv', 'data/val.csv', false],
    ['data/a.b', 'data/aXb', false],
  ];
  for (const [pattern, path, expected] of cases) assert.equal(globToRegExp(pattern).test(path), expected, `${pattern} vs ${path}`);
});

test('patterns must stay inside the project', () => {
  assert.throws(() => checkPattern('/etc/passwd'), PatternError);
  assert.throws(() => checkPattern('../x.csv'), /must not leave the project root/);
  assert.throws(() => checkPattern('data/../../x'), PatternError);
  assert.equal(checkPattern('./data\\a.csv'), 'data/a.csv');
  assert.equal(staticBase('data/raw/**/*.csv'), 'data/raw');
  assert.equal(staticBase('*.csv'), '');
});

test('expandPatterns: files, folders, globs; skips .mlops and .git; sorted and unique', () => {
  const root = mkdtempSync(join(tmpdir(), 'mlops-glob-'));
  try {
    for (const f of ['data/a.csv', 'data/sub/b.csv', 'data/c.txt', '.mlops/x.csv', 'data/.git/y.csv', 'notes.md']) {
      mkdirSync(join(root, f, '..'), { recursive: true });
      writeFileSync(join(root, f), f);
    }
    assert.deepEqual(expandPatterns(root, ['data/**/*.csv', 'data/a.csv']), ['data/a.csv', 'data/sub/b.csv']);
    assert.deepEqual(expandPatterns(root, ['data']), ['data/a.csv', 'data/c.txt', 'data/sub/b.csv']);
    assert.deepEqual(expandPatterns(root, ['**/*.csv']), ['data/a.csv', 'data/sub/b.csv']);
    assert.deepEqual(expandPatterns(root, ['missing/*.csv', 'nothing.csv']), []);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('fingerprint depends on paths, sizes and hashes, not on anything else', () => {
  const a = [{ path: 'a', size: 1, sha256: 'x'.repeat(64) }];
  assert.equal(fingerprint(a), fingerprint([{ ...a[0]! }]));
  assert.notEqual(fingerprint(a), fingerprint([{ ...a[0]!, path: 'b' }]));
  assert.notEqual(fingerprint(a), fingerprint([{ ...a[0]!, size: 2 }]));
});
