import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatProblems, parseConfigText } from '../../../shared/src/mlops-yaml';

test('config problems point at file:line:column of the offending key or value', () => {
  const r = parseConfigText('version: 1\nproject:\n  name: p\n  nme: x\nbogus: 1\nretention:\n  keep_versions: -1\n', 'mlops.yaml');
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.deepEqual(formatProblems(r).split('\n').sort(), [
    'mlops.yaml:4:3: project.nme: unknown key "nme"',
    'mlops.yaml:5:1: bogus: unknown key "bogus"',
    'mlops.yaml:7:18: retention.keep_versions: Too small: expected number to be >=1',
  ]);
});

test('YAML syntax errors and duplicate keys are reported with their position', () => {
  const r = parseConfigText('project:\n  name: p\nproject:\n  name: q\n', 'mlops.yaml');
  assert.equal(r.ok, false);
  if (!r.ok) assert.match(formatProblems(r), /^mlops\.yaml:3:1: duplicate key "project"/);
  const bad = parseConfigText('project: [unclosed\n', 'mlops.yaml');
  assert.equal(bad.ok, false);
});
