/**
 * Flow collections (`[a, b]`, `{k: v}`) in completion and quick fixes, the nesting guard around
 * quoted brackets, and collection keys reported by us rather than logged by the yaml library.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MlopsYamlDocument, validateMlopsYaml, type MlopsDiagnostic, type Fix } from '../../../language-server/src/core';
import { checkGuards, LIMITS } from '../../../shared/src/yaml-guards';

const DOC = `version: 1
project:
  name: demo
params:
  train:
    lr: 0.1
    depth: 3
models:
  churn:
    task: classification
    signature:
      inputs:
        - { name: a, type:  }
pipeline:
  stages:
    prep:
      cmd: python prep.py
      outs: [data/clean.csv, data/split.csv]
    train:
      cmd: python train.py
      params: [tr]
      after: [p]
      deps: []
`;

/** Labels with the replaced range as `label@start-end` (characters on the cursor's line). */
function items(text: string, line: number, character: number): string[] {
  return new MlopsYamlDocument().complete(text, { line, character }).map((i) => `${i.label}@${i.textEdit?.range.start.character}-${i.textEdit?.range.end.character}`);
}

test('completion inside flow sequences: param keys, stage names, produced files', () => {
  assert.deepEqual(items(DOC, 20, 17), ['train.lr@15-17', 'train.depth@15-17'], 'params: [tr|]');
  assert.deepEqual(items(DOC, 20, 15), ['train.lr@15-15', 'train.depth@15-15'], 'params: [|tr]');
  assert.deepEqual(items(DOC, 21, 15), ['prep@14-15'], 'after: [p|]');
  assert.deepEqual(items(DOC, 22, 13), ['data/clean.csv@13-13', 'data/split.csv@13-13'], 'deps: [|]');
  const second = DOC.replace('params: [tr]', 'params: [train.lr,]');
  assert.deepEqual(items(second, 20, 24), ['train.lr@24-24', 'train.depth@24-24'], 'right after ","');
  const spaced = DOC.replace('params: [tr]', 'params: [train.lr, tr]');
  assert.deepEqual(items(spaced, 20, 27), ['train.lr@25-27', 'train.depth@25-27'], 'after ", "');
});

test('completion inside flow mappings: enum values after ": ", keys after "{" and ","', () => {
  assert.deepEqual(
    items(DOC, 12, 27),
    ['float@27-27', 'double@27-27', 'int32@27-27', 'int64@27-27', 'bool@27-27', 'string@27-27'],
    '- { name: a, type: | }',
  );
  assert.deepEqual(items('models:\n  churn: {task: r}\n', 1, 17), ['classification@16-17', 'regression@16-17']);
  assert.deepEqual(items('models:\n  churn: {}\n', 1, 10), ['format@10-10', 'task@10-10', 'description@10-10', 'signature@10-10', 'gates@10-10']);
  assert.deepEqual(items('models:\n  churn: {task: regression, }\n', 1, 28), ['format@28-28', 'description@28-28', 'signature@28-28', 'gates@28-28']);
  assert.deepEqual(items('deployments:\n  web: {model: , stage: Staging}\n', 1, 15), []);
  assert.deepEqual(items('models:\n  churn: {}\ndeployments:\n  web: {model: }\n', 3, 15), ['churn@15-15']);
});

test('no completion in a comment or after a closed flow collection', () => {
  assert.deepEqual(items(DOC.replace('params: [tr]', 'params: [tr] # ['), 20, 22), []);
  assert.deepEqual(items(DOC.replace('params: [tr]', 'params: [tr] '), 20, 19), []);
});

function missing(text: string): { d: MlopsDiagnostic; fix: Fix | undefined }[] {
  return validateMlopsYaml(text)
    .filter((d) => d.code === 'missing-key' || d.code === 'invalid-type')
    .map((d) => ({ d, fix: d.data?.fixes[0] }));
}

function apply(text: string, fix: Fix | undefined): string {
  assert.ok(fix, 'expected a fix');
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }): number => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  const edits = [...fix.edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  return edits.reduce((t, e) => t.slice(0, offset(e.range.start)) + e.newText + t.slice(offset(e.range.end)), text);
}

const HEAD = 'version: 1\nproject:\n  name: demo\nmodels:\n';

test('missing required key in a flow mapping: the entry is inserted before the closing brace', () => {
  const text = `${HEAD}  churn: {task: classification}\n`;
  const [m, ...rest] = missing(text);
  assert.equal(rest.length, 0);
  assert.equal(m?.d.message, 'models.churn: missing required key "signature" (a mapping)');
  assert.equal(m?.fix?.title, 'Add required key "signature"');
  assert.deepEqual(m?.fix?.edits, [{ range: { start: { line: 4, character: 30 }, end: { line: 4, character: 30 } }, newText: ', signature: {inputs: [{name: change-me}]}' }]);
  const fixed = apply(text, m?.fix);
  assert.equal(fixed, `${HEAD}  churn: {task: classification, signature: {inputs: [{name: change-me}]}}\n`);
  assert.deepEqual(validateMlopsYaml(fixed), []);
  const empty = `${HEAD}  churn: {}\n`;
  assert.deepEqual(missing(empty).map((x) => x.fix?.edits[0]?.newText), ['task: classification', 'signature: {inputs: [{name: change-me}]}']);
  assert.deepEqual(missing(empty).map((x) => x.fix?.edits[0]?.range.start), [{ line: 4, character: 10 }, { line: 4, character: 10 }]);
});

test('an empty parent that must be a mapping becomes a block mapping of its required keys', () => {
  const bare = `${HEAD}  churn:\n`;
  const [m] = missing(bare);
  assert.equal(m?.d.message, 'models.churn: expected a mapping, got null (an empty value)');
  assert.equal(m?.fix?.title, 'Add required keys "task", "signature"');
  const block = '\n    task: classification\n    signature:\n      inputs:\n        - name: change-me';
  assert.deepEqual(m?.fix?.edits, [{ range: { start: { line: 4, character: 8 }, end: { line: 4, character: 8 } }, newText: block }]);
  assert.deepEqual(validateMlopsYaml(apply(bare, m?.fix)), []);
  const tilde = `${HEAD}  churn: ~\n`;
  const [t] = missing(tilde);
  assert.deepEqual(t?.fix?.edits, [{ range: { start: { line: 4, character: 7 }, end: { line: 4, character: 10 } }, newText: `:${block}` }]);
  assert.equal(apply(tilde, t?.fix), apply(bare, m?.fix));
});

test('brackets inside quoted scalars and comments do not count as nesting', () => {
  const deep = '['.repeat(LIMITS.maxDepth + 5);
  const quoted = `version: 1\nproject:\n  name: demo\nparams: {x: "<100 ${deep}>", y: '${deep}'} # ${deep}\n`;
  assert.equal(checkGuards(quoted), undefined);
  assert.deepEqual(validateMlopsYaml(quoted), []);
  assert.equal(checkGuards(`params: {x: "<100 [>"}\n`), undefined);
  // What the YAML lexer reads as structure still counts: a quote inside a plain word, an unclosed quote, a "#" without a space.
  for (const hostile of [`params: [a '${deep}']`, `params: it's ${deep}`, `params: "${deep}\n"`, `params: x#${deep}`]) {
    assert.equal(checkGuards(hostile)?.code, 'too-deep', hostile.slice(0, 20));
  }
});

test('a collection used as a key is our diagnostic, and the yaml library logs nothing', () => {
  const logged: unknown[] = [];
  const warn = console.warn;
  const emit = process.emitWarning;
  console.warn = (...args: unknown[]): void => void logged.push(args);
  process.emitWarning = ((w: unknown): void => void logged.push(w)) as typeof process.emitWarning;
  let got: MlopsDiagnostic[];
  try {
    got = validateMlopsYaml('version: 1\nproject:\n  name: demo\nparams:\n  ? [a, b]\n  : 1\n  ? {c: 1}\n  : 2\n');
  } finally {
    console.warn = warn;
    process.emitWarning = emit;
  }
  assert.deepEqual(logged, []);
  assert.deepEqual(
    got.map((d) => `${d.range.start.line}:${d.range.start.character}-${d.range.end.character} ${d.code} ${d.message}`),
    ['4:4-10 invalid-key params: a key must be a plain name, got a list', '6:4-10 invalid-key params: a key must be a plain name, got a mapping'],
  );
});
