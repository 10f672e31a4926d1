/**
 * "Move to mlops.yaml" edits to the YAML file: pure insertions of block-style text (or the one
 * empty value / scalar that must change), compared as whole files, so any re-rendering of
 * untouched lines (flow lists, comments, spacing) fails the test.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { PythonDocument, editYaml, initPython } from '../../../language-server/src/python';
import { type YamlChange } from '../../../language-server/src/python/project';
import { LineIndex } from '../../../language-server/src/core/text';
import { type TextEdit } from '../../../language-server/src/core';

before(async () => {
  await initPython();
});

/** LSP semantics: ranges refer to the original text and must not overlap. */
function applyEdits(text: string, edits: TextEdit[]): string {
  const index = new LineIndex(text);
  const spans = edits.map((e) => ({ start: index.offset(e.range.start), end: index.offset(e.range.end), text: e.newText }));
  spans.sort((a, b) => a.start - b.start);
  for (let i = 1; i < spans.length; i++) assert.ok(spans[i - 1]!.end < spans[i]!.start, 'edits overlap or touch');
  let out = text;
  for (const s of spans.reverse()) out = out.slice(0, s.start) + s.text + out.slice(s.end);
  return out;
}

function edited(text: string, changes: YamlChange[]): { out: string; edits: TextEdit[] } {
  const edits = editYaml(text, changes);
  assert.ok(typeof edits !== 'string', String(edits));
  return { out: applyEdits(text, edits), edits };
}

const isInsertion = (e: TextEdit): boolean => e.range.start.line === e.range.end.line && e.range.start.character === e.range.end.character;

const COMMENTED = [
  '# Project file (hand-written)',
  'version: 1   # schema version',
  '',
  'params:   # hyper',
  '    # training knobs',
  '    train:',
  '        lr: 0.1      # tuned by hand',
  '        epochs: 5',
  '',
  '# data below',
  'data:',
  '    raw: { paths: [a.csv] }   # inline',
  '',
  '# trailing comment',
  '',
].join('\n');

test('a key under an existing block map is inserted after its siblings, indented like them', () => {
  const { out, edits } = edited(COMMENTED, [{ op: 'set', path: ['params', 'train', 'learning_rate'], value: 0.001 }]);
  assert.equal(out, COMMENTED.replace('        epochs: 5\n', '        epochs: 5\n        learning_rate: 0.001\n'));
  assert.deepEqual(edits, [{ range: { start: { line: 8, character: 0 }, end: { line: 8, character: 0 } }, newText: '        learning_rate: 0.001\n' }]);
});

test('missing groups are created with the file’s indentation step', () => {
  const { out, edits } = edited(COMMENTED, [{ op: 'set', path: ['params', 'evaluate', 'threshold'], value: 0.75 }]);
  assert.equal(out, COMMENTED.replace('        epochs: 5\n', '        epochs: 5\n    evaluate:\n        threshold: 0.75\n'));
  assert.ok(edits.every(isInsertion));
  const data = edited(COMMENTED, [{ op: 'set', path: ['data', 'in'], value: { paths: ['data/in.parquet'], format: 'parquet' } }]);
  assert.equal(data.out, COMMENTED.replace('# inline\n', '# inline\n    in:\n        paths: [data/in.parquet]\n        format: parquet\n'));
});

test('a missing top-level section is appended at the end, keeping the file’s newline convention', () => {
  const base = 'version: 1\nproject:\n  name: demo\n';
  assert.equal(edited(base, [{ op: 'set', path: ['params', 'train', 'lr'], value: 0.1 }]).out, `${base}params:\n  train:\n    lr: 0.1\n`);
  const spaced = 'version: 1\n\nproject:\n  name: demo\n';
  assert.equal(edited(spaced, [{ op: 'set', path: ['params', 'train', 'lr'], value: 3, floatStyle: true }]).out, `${spaced}\nparams:\n  train:\n    lr: 3.0\n`);
  const noNewline = 'version: 1\nproject:\n  name: demo';
  assert.equal(edited(noNewline, [{ op: 'set', path: ['params', 'seed'], value: 7 }]).out, `${noNewline}\nparams:\n  seed: 7`);
  assert.equal(edited('', [{ op: 'set', path: ['params', 'seed'], value: 7 }]).out, 'params:\n  seed: 7\n');
  assert.equal(edited('# nothing yet\n', [{ op: 'set', path: ['params', 'seed'], value: 7 }]).out, '# nothing yet\nparams:\n  seed: 7\n');
});

const STARTER = `# MLOps Workbench project.
version: 1
project:
  name: demo

params:
  train:
    learning_rate: 0.1
    seed: 42

data: {}

models: {}

retention:
  keep_versions: 10
`;

test('under the starter’s `data: {}` only the braces are replaced, by a block', () => {
  const { out, edits } = edited(STARTER, [{ op: 'set', path: ['data', 'train'], value: { paths: ['data/train.csv'] } }]);
  assert.equal(out, STARTER.replace('data: {}\n', 'data:\n  train:\n    paths: [data/train.csv]\n'));
  assert.deepEqual(edits.map((e) => [e.range.start, e.range.end]), [[{ line: 10, character: 5 }, { line: 10, character: 8 }]]);
  const commented = 'params: {}   # none yet\nother: 1\n';
  assert.equal(edited(commented, [{ op: 'set', path: ['params', 'train', 'lr'], value: 0.01 }]).out, 'params:   # none yet\n  train:\n    lr: 0.01\nother: 1\n');
});

test('an empty key (`params:` with a comment) gets the block below it; the comment stays', () => {
  const text = 'version: 1\nparams:   # hyper\nmodels: {}\n';
  const { out, edits } = edited(text, [{ op: 'set', path: ['params', 'train', 'epochs'], value: 12 }]);
  assert.equal(out, 'version: 1\nparams:   # hyper\n  train:\n    epochs: 12\nmodels: {}\n');
  assert.ok(edits.every(isInsertion));
  assert.equal(edited('a:\n  lr:   # later\n', [{ op: 'set', path: ['a', 'lr'], value: 0.5 }]).out, 'a:\n  lr: 0.5   # later\n');
});

const PIPELINE = [
  'pipeline:',
  '  stages:',
  '    prep:',
  '      cmd: python prep.py',
  '      outs: [ model.pt ]   # the model',
  '      deps: [',
  '        prep.csv,',
  '        other.csv  # other',
  '      ]',
  '    train:',
  '      cmd: python train.py   # main',
  '      deps:',
  '        - a.csv',
  '        - b.csv  # b',
  '      outs: []',
  '',
].join('\n');

test('flow lists keep their spacing, layout and comments; block lists get a `- item` line', () => {
  const outs = edited(PIPELINE, [{ op: 'append', path: ['pipeline', 'stages', 'prep', 'outs'], value: 'metrics.json' }]);
  assert.equal(outs.out, PIPELINE.replace('[ model.pt ]', '[ model.pt, metrics.json ]'));
  assert.ok(outs.edits.every(isInsertion));
  const deps = edited(PIPELINE, [{ op: 'append', path: ['pipeline', 'stages', 'prep', 'deps'], value: 'more.csv' }]);
  assert.equal(deps.out, PIPELINE.replace('        other.csv  # other\n', '        other.csv,  # other\n        more.csv\n'));
  assert.ok(deps.edits.every(isInsertion));
  const block = edited(PIPELINE, [{ op: 'append', path: ['pipeline', 'stages', 'train', 'deps'], value: 'c.csv' }]);
  assert.equal(block.out, PIPELINE.replace('        - b.csv  # b\n', '        - b.csv  # b\n        - c.csv\n'));
  const empty = edited(PIPELINE, [{ op: 'append', path: ['pipeline', 'stages', 'train', 'outs'], value: 'model.pkl' }]);
  assert.equal(empty.out, PIPELINE.replace('outs: []', 'outs: [model.pkl]'));
  const oneLine = edited('outs: [a]\nx: [a, b,]\n', [{ op: 'append', path: ['outs'], value: 'b' }, { op: 'append', path: ['x'], value: 'c' }]);
  assert.equal(oneLine.out, 'outs: [a, b]\nx: [a, b, c,]\n');
  const missing = edited(PIPELINE, [{ op: 'append', path: ['pipeline', 'stages', 'prep', 'params'], value: 'train.lr' }]);
  assert.equal(missing.out, PIPELINE.replace('      ]\n', '      ]\n      params: [train.lr]\n'));
});

test('several changes at one place (the end of the file) come out in order, as one insertion', () => {
  const text = 'pipeline:\n  stages:\n    train:\n      cmd: python train.py';
  const { out, edits } = edited(text, [
    { op: 'set', path: ['data', 'in'], value: { paths: ['in.csv'] } },
    { op: 'append', path: ['pipeline', 'stages', 'train', 'deps'], value: 'in.csv' },
  ]);
  assert.equal(out, 'pipeline:\n  stages:\n    train:\n      cmd: python train.py\n      deps: [in.csv]\ndata:\n  in:\n    paths: [in.csv]');
  assert.equal(edits.length, 1);
});

test('an existing scalar is replaced alone; CRLF files stay CRLF; values are quoted when they must be', () => {
  assert.equal(edited('a: 1   # one\nb: 2\n', [{ op: 'set', path: ['a'], value: 5 }]).out, 'a: 5   # one\nb: 2\n');
  assert.equal(edited('a: 1\r\nb:\r\n  c: 2\r\n', [{ op: 'set', path: ['b', 'd'], value: 'x' }]).out, 'a: 1\r\nb:\r\n  c: 2\r\n  d: x\r\n');
  assert.equal(edited('p:\n  q: 1\n', [{ op: 'set', path: ['p', 'r'], value: 'a: b' }]).out, 'p:\n  q: 1\n  r: "a: b"\n');
});

test('edits that cannot be made safely are refused with the reason', () => {
  assert.match(String(editYaml('a: [', [])), /syntax error/);
  assert.match(String(editYaml('- a\n', [{ op: 'set', path: ['x'], value: 1 }])), /not a mapping at the top level/);
  assert.match(String(editYaml('params: 3\n', [{ op: 'set', path: ['params', 'lr'], value: 1 }])), /params in mlops\.yaml holds a value, not a mapping/);
  assert.match(String(editYaml('deps: x\n', [{ op: 'append', path: ['deps'], value: 'a' }])), /deps in mlops\.yaml is not a list/);
});

test('quick fix in a file with comments everywhere: dataset and stage dependency inserted, nothing else changes', () => {
  const yaml = [
    '# demo   (keep)',
    'version: 1',
    '',
    'data:   # datasets',
    '  raw:',
    '    paths: [ raw.csv ]   # source',
    '',
    '# the pipeline',
    'pipeline:',
    '  stages:',
    '    train:   # trains',
    '      cmd: python src/train.py',
    '      deps: [',
    '        raw.csv,   # first',
    '      ]',
    '      outs: [ model.pkl ]  # model',
    '# end',
    '',
  ].join('\n');
  const doc = new PythonDocument('file:///p/src/train.py', { locateConfig: () => ({ uri: 'file:///p/mlops.yaml', text: yaml }) });
  const diags = doc.validate('import pandas as pd\ndf = pd.read_csv("data/feat.parquet")\npd.DataFrame().to_csv("out/preds.csv")\n');
  assert.deepEqual(diags.map((d) => d.code), ['data-path', 'data-path']);
  const read = doc.fixes(diags[0]!.range)[0]?.fix.changes?.['file:///p/mlops.yaml'] ?? [];
  assert.equal(
    applyEdits(yaml, read),
    yaml
      .replace('# source\n', '# source\n  feat:\n    paths: [data/feat.parquet]\n    format: parquet\n')
      .replace('        raw.csv,   # first\n', '        raw.csv,   # first\n        data/feat.parquet,\n'),
  );
  assert.ok(read.every(isInsertion));
  const write = doc.fixes(diags[1]!.range)[0]?.fix.changes?.['file:///p/mlops.yaml'] ?? [];
  assert.equal(applyEdits(yaml, write), yaml.replace('[ model.pkl ]', '[ model.pkl, out/preds.csv ]'));
});
