import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flattenParams } from '../../../cli/src/commands/runs';
import { readMetricFile } from '../../../cli/src/commands/exec';
import { allCommands } from '../../../cli/src/commands/index';
import { commandHelp, parseCommandArgs, UsageError } from '../../../cli/src/framework';
import { table } from '../../../cli/src/output';
import { renderCliReference, updatedReadme } from '../../../scripts/cli-docs';

test('flattenParams turns nested params into dotted keys; lists become JSON', () => {
  assert.deepEqual(flattenParams({ train: { lr: 0.1, layers: [8, 4], opt: { name: 'adam' } }, seed: 1, off: null }), {
    'train.lr': 0.1,
    'train.layers': '[8,4]',
    'train.opt.name': 'adam',
    seed: 1,
    off: null,
  });
});

test('readMetricFile keeps finite numbers, flattening nested objects', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-metrics-'));
  try {
    const f = join(dir, 'm.json');
    writeFileSync(f, JSON.stringify({ auc: 0.9, eval: { loss: 0.2, note: 'x', list: [1] }, bad: null }));
    assert.deepEqual(readMetricFile(f), { auc: 0.9, 'eval.loss': 0.2 });
    writeFileSync(f, '{oops');
    assert.throws(() => readMetricFile(f), SyntaxError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every command has help with examples, and parsing refuses unknown options and extra arguments', () => {
  for (const c of allCommands) {
    const help = commandHelp(c);
    assert.match(help, /Examples:\n {2}mlops /, c.words.join(' '));
  }
  const promote = allCommands.find((c) => c.words.join(' ') === 'models promote');
  assert.ok(promote);
  assert.throws(() => parseCommandArgs(promote, ['churn', '1', '--bogus']), UsageError);
  assert.throws(() => parseCommandArgs(promote, ['churn', '1', 'extra']), /unexpected argument "extra"/);
  assert.throws(() => parseCommandArgs(promote, ['churn']), /missing argument <version>/);
  const parsed = parseCommandArgs(promote, ['churn', '2', '--to', 'Staging', '--json']);
  assert.equal(parsed.positionals['version'], '2');
  assert.equal(parsed.json, true);
});

test('tables align columns and right-align numbers', () => {
  const t = table(['name', 'n'], [['a', 1], ['long', 100]]);
  assert.equal(t, 'NAME    N\na       1\nlong  100\n');
  assert.match(table(['x'], []), /\(none\)/);
});

test('the README CLI reference is generated from the commands and is up to date', () => {
  const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
  assert.equal(updatedReadme(readme), readme, 'README.md is stale: run `npm run docs`');
  for (const c of allCommands) assert.ok(renderCliReference().includes(`mlops ${c.words.join(' ')}`));
});
