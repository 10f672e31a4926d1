/** Completion, hover, symbols and quick fixes through the core, without any transport. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MlopsYamlDocument, analyserFor } from '../../../language-server/src/core';

const DOC = `project:
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
        - name: a
pipeline:
  stages:
    prep:
      cmd: python prep.py
      outs: [data/clean.csv]
    train:
      cmd: python train.py
      params:
        - 
      after:
        - 
deployments:
  web:
    model: 
    stage: 
    
`;

const labels = (text: string, line: number, character: number): string[] =>
  new MlopsYamlDocument().complete(text, { line, character }).map((i) => i.label);

test('completes keys not yet written, required first', () => {
  assert.deepEqual(labels(DOC, 27, 4), ['alias', 'version', 'port', 'threads', 'max_batch', 'max_delay_ms', 'max_body_bytes', 'max_instances', 'enabled', 'auth', 'shadow', 'fallback', 'monitoring']);
  const top = labels('project:\n  name: x\n\n', 2, 0);
  assert.ok(top.includes('pipeline') && top.includes('models') && !top.includes('project'), top.join());
  assert.deepEqual(labels('project:\n  \n', 1, 2), ['name', 'description']);
});

test('completes enum values, model names, stage names and param keys', () => {
  assert.deepEqual(labels(DOC, 26, 11), ['Staging', 'Production']);
  assert.deepEqual(labels(DOC, 25, 11), ['churn']);
  assert.deepEqual(labels(DOC, 20, 10), ['train.lr', 'train.depth']);
  assert.deepEqual(labels(DOC, 22, 10), ['prep']);
  assert.deepEqual(labels(DOC.replace('    task: classification', '    task: '), 8, 10), ['classification', 'regression']);
});

test('hover shows the field documentation and default', () => {
  const doc = new MlopsYamlDocument();
  const h = doc.hover(DOC.replace('    stage: \n', '    port: 8080\n'), { line: 26, character: 5 });
  assert.equal(h?.markdown, '**`deployments.web.port`**: an integer from 0 to 65535\n\nLoopback port; 0 picks a free one.\n\nDefault: `0`');
  assert.deepEqual(h?.range, { start: { line: 26, character: 4 }, end: { line: 26, character: 8 } });
  const req = doc.hover(DOC, { line: 1, character: 4 });
  assert.equal(req?.markdown, '**`project.name`**: a name\n\nProject name, shown in the editor and CLI.\n\nRequired.');
  assert.equal(doc.hover(DOC, { line: 4, character: 5 }), undefined, 'free params have no schema documentation');
});

test('document symbols follow the sections', () => {
  const syms = new MlopsYamlDocument().symbols(DOC);
  assert.deepEqual(syms.map((s) => s.name), ['project', 'params', 'models', 'pipeline', 'deployments']);
  const stages = syms.find((s) => s.name === 'pipeline')?.children?.[0]?.children?.map((s) => s.name);
  assert.deepEqual(stages, ['prep', 'train']);
  assert.deepEqual(syms[0]?.selectionRange, { start: { line: 0, character: 0 }, end: { line: 0, character: 7 } });
});

test('quick fixes come from the diagnostics under the cursor range', () => {
  const doc = new MlopsYamlDocument();
  const text = 'project:\n  nmae: x\n';
  doc.validate(text);
  const fixes = doc.fixes({ start: { line: 1, character: 3 }, end: { line: 1, character: 3 } });
  assert.deepEqual(fixes.map((f) => [f.diagnostic.code, f.fix.title]), [['unknown-key', 'Rename to "name"']]);
  const atProject = doc.fixes({ start: { line: 0, character: 2 }, end: { line: 0, character: 2 } });
  assert.deepEqual(atProject.map((f) => [f.diagnostic.code, f.fix.title]), [['missing-key', 'Add required key "name"']]);
  assert.deepEqual(doc.fixes({ start: { line: 5, character: 0 }, end: { line: 5, character: 0 } }), []);
});

test('documents are routed to analysers by file name and language', () => {
  assert.equal(analyserFor({ uri: 'file:///w/mlops.yaml', languageId: 'yaml' })?.name, 'mlops.yaml');
  assert.equal(analyserFor({ uri: 'file:///w/sub/MLOPS.yml', languageId: 'yaml' })?.name, 'mlops.yaml');
  assert.equal(analyserFor({ uri: 'file:///w/other.yaml', languageId: 'yaml' }), undefined);
  assert.equal(analyserFor({ uri: 'file:///w/train.py', languageId: 'python' })?.name, 'python');
  assert.equal(analyserFor({ uri: 'file:///w/explore.ipynb', languageId: 'json' })?.name, 'python');
  assert.equal(analyserFor({ uri: 'vscode-notebook-cell:/w/explore.ipynb#W1', languageId: 'python' }), undefined);
});
