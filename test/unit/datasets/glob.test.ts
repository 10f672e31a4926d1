import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkPattern, expandPatterns, globToRegExp, PatternError, staticBase } from '../../../daemon/src/datasets/glob';
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

test('the surprises of the hand-written matcher, each as a case (picomatch with DVC/shell rules)', () => {
  const cases: [string, string, boolean, string][] = [
    ['data/{train/*.csv,extra.csv}', 'data/train/a.csv', true, 'a glob inside braces is a glob'],
    ['data/{train/*.csv,extra.csv}', 'data/extra.csv', true, 'braces still list alternatives'],
    ['data/{train/*.csv,extra.csv}', 'data/train/*.csv', true, 'and the literal text still matches itself'],
    ['data/part{1..3}.csv', 'data/part2.csv', true, 'numeric ranges expand'],
    ['data/part{1..3}.csv', 'data/part4.csv', false, 'outside the range'],
    ['data/**.csv', 'data/x/a.csv', false, '`**` that is not a whole segment does not cross /'],
    ['data/**.csv', 'data/a.csv', true, '`**.csv` is `*.csv`'],
    ['data/*', 'data/.secret', false, '`*` does not match a dotfile'],
    ['data/*.csv', 'data/.hidden.csv', false, 'nor a dotfile with the extension'],
    ['data/**/*.csv', 'data/.cache/a.csv', false, '`**` does not enter dot-folders'],
    ['data/.*', 'data/.secret', true, 'a pattern that names the dot matches dotfiles'],
    ['data/.cache/*.csv', 'data/.cache/a.csv', true, 'a dot-folder named in the pattern is entered'],
    ['data/\\*.csv', 'data/*.csv', true, '`\\*` is a literal star'],
    ['data/\\*.csv', 'data/a.csv', false, 'and matches nothing else'],
    ['data/file[!0-9].csv', 'data/file5.csv', false, '`[!...]` negates as in shells and fnmatch'],
    ['data/file[!0-9].csv', 'data/fileA.csv', true, 'a character outside the negated class'],
  ];
  for (const [pattern, path, expected, why] of cases) assert.equal(globToRegExp(checkPattern(pattern)).test(path), expected, `${pattern} vs ${path}: ${why}`);
  assert.equal(checkPattern('data\\raw\\a.csv'), 'data/raw/a.csv', 'a backslash before a letter is a Windows separator');
  assert.equal(checkPattern('data/\\*.csv'), 'data/\\*.csv', 'a backslash before a glob character is an escape');
  assert.equal(staticBase('data/{a,b}/*.csv'), 'data', 'walking starts below the braces');
  assert.equal(staticBase('data/\\*.csv'), 'data/*.csv', 'an escaped pattern is a plain path');
});

test('expandPatterns follows the same rules on a real folder', () => {
  const root = mkdtempSync(join(tmpdir(), 'mlops-glob-rules-'));
  try {
    for (const f of ['data/train/a.csv', 'data/extra.csv', 'data/.hidden.csv', 'data/.cache/c.csv', 'data/*.csv', 'data/x/deep.csv']) {
      mkdirSync(join(root, f, '..'), { recursive: true });
      writeFileSync(join(root, f), f);
    }
    assert.deepEqual(expandPatterns(root, ['data/{train/*.csv,extra.csv}']), ['data/extra.csv', 'data/train/a.csv']);
    assert.deepEqual(expandPatterns(root, ['data/**.csv']), ['data/*.csv', 'data/extra.csv']);
    assert.deepEqual(expandPatterns(root, ['data/**/*.csv']), ['data/*.csv', 'data/extra.csv', 'data/train/a.csv', 'data/x/deep.csv']);
    assert.deepEqual(expandPatterns(root, ['data/.*']), ['data/.hidden.csv']);
    assert.deepEqual(expandPatterns(root, ['data/\\*.csv']), ['data/*.csv']);
    // A folder is taken whole, dotfiles included, as DVC tracks a folder.
    assert.deepEqual(expandPatterns(root, ['data/x', 'data/.cache']), ['data/.cache/c.csv', 'data/x/deep.csv']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
