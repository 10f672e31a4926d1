/** Exact ranges, messages and fixes of every schema and cross-reference diagnostic. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateMlopsYaml, type MlopsDiagnostic } from '../../../language-server/src/core';

const BASE = `version: 1
project:
  name: demo
params:
  train:
    lr: 0.1
data:
  raw:
    paths: [data/raw.csv]
models:
  churn:
    task: classification
    signature:
      inputs:
        - name: a
`;

function show(d: MlopsDiagnostic): string {
  const r = d.range;
  return `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character} ${d.code} ${d.message}`;
}

function check(text: string, files: string[] = []): string[] {
  return validateMlopsYaml(text, { fileExists: (p) => files.includes(p) }).map(show);
}

test('a valid document has no diagnostics', () => {
  assert.deepEqual(check(BASE), []);
});

test('wrong value type: at the value, with path, expectation and what was found', () => {
  assert.deepEqual(check(`${BASE}monitoring:\n  latency:\n    p95_ms: fast\n`), [
    '17:12-17:16 invalid-type monitoring.latency.p95_ms: expected a positive number, got "fast"',
  ]);
  assert.deepEqual(check(BASE.replace('name: demo', 'name: 42')), ['2:8-2:10 invalid-type project.name: expected a name, got 42 (quote it: "42")']);
});

test('out-of-range numbers and empty lists are invalid values', () => {
  assert.deepEqual(check(`${BASE}deployments:\n  web:\n    model: churn\n    port: 70000\nretention:\n  keep_versions: 0\n`), [
    '18:10-18:15 invalid-value deployments.web.port: expected an integer from 0 to 65535, got 70000',
    '20:17-20:18 invalid-value retention.keep_versions: expected an integer ≥ 1, got 0',
  ]);
  assert.deepEqual(check(BASE.replace('        - name: a\n', '        []\n').replace('      inputs:\n', '      inputs:\n')), [
    '14:8-14:10 invalid-value models.churn.signature.inputs: expected at least 1 item, got an empty list',
  ]);
});

test('unknown key: at the key, with did-you-mean and a rename fix', () => {
  const d = validateMlopsYaml(BASE.replace('    task:', '    tsak:'));
  assert.deepEqual(d.map(show), [
    '10:2-10:7 missing-key models.churn: missing required key "task" (one of "classification", "regression")',
    '11:4-11:8 unknown-key models.churn.tsak: unknown key "tsak"; did you mean "task"?',
  ]);
  assert.deepEqual(d[1]?.data?.fixes[0]?.edits, [{ range: d[1]?.range, newText: 'task' }]);
  assert.deepEqual(check(`${BASE}zzz: 1\n`), [
    '15:0-15:3 unknown-key zzz: unknown key "zzz" (allowed here: version, project, python, params, data, models, pipeline, deployments, monitoring, retention)',
  ]);
});

test('missing required key: at the parent key, with a fix that inserts it', () => {
  const d = validateMlopsYaml(BASE.replace('  name: demo\n', '  description: x\n'));
  assert.deepEqual(d.map(show), ['1:0-1:7 missing-key project: missing required key "name" (a name)']);
  assert.deepEqual(d[0]?.data?.fixes[0]?.edits, [{ range: { start: { line: 2, character: 16 }, end: { line: 2, character: 16 } }, newText: '\n  name: change-me' }]);
  const stage = validateMlopsYaml(`${BASE}pipeline:\n  stages:\n    train:\n      kind: validate\n`);
  assert.deepEqual(stage.map(show), ['17:4-17:9 missing-key pipeline.stages.train: a validate stage needs `dataset` (a dataset under `data`)']);
  const command = validateMlopsYaml(`${BASE}pipeline:\n  stages:\n    train:\n      deps: [a.csv]\n`);
  assert.deepEqual(command.map(show), ['17:4-17:9 missing-key pipeline.stages.train: a command stage needs `cmd` (the command to run)']);
  const empty = validateMlopsYaml('version: 1\n');
  assert.deepEqual(empty.map(show), ['0:0-0:10 missing-key (document): missing required key "project" (a mapping)']);
  assert.equal(empty[0]?.data?.fixes[0]?.edits[0]?.newText, '\nproject:\n  name: change-me');
});

test('enum values: expected list, did-you-mean with fix; unknown trigger kinds have their own code', () => {
  assert.deepEqual(check(`${BASE}deployments:\n  web:\n    model: churn\n    stage: prod\npipeline:\n  stages: {}\n  triggers:\n    - kind: cron\n`), [
    '18:11-18:15 invalid-value deployments.web.stage: expected one of "Staging", "Production", got "prod"; did you mean "Production"?',
    '22:12-22:16 unknown-trigger-kind pipeline.triggers[0].kind: expected one of "manual", "schedule", "data_change", "drift", got "cron"',
  ]);
});

test('unions blame the branch the user meant; record keys and regexes are checked', () => {
  assert.deepEqual(check(BASE.replace('        - name: a\n', '        - name: a\n          categories: [x, {}]\n')), [
    '15:26-15:28 invalid-type models.churn.signature.inputs[0].categories[1]: expected a string or a number, got an empty mapping',
  ]);
  assert.deepEqual(check(`${BASE}pipeline:\n  stages:\n    "bad name":\n      cmd: x\n`), [
    '17:4-17:14 invalid-key pipeline.stages["bad name"]: invalid key "bad name": expected a name of letters, digits, ".", "_" or "-" (at most 128, not starting with a symbol)',
  ]);
});

test('YAML syntax errors, duplicate keys and several documents are reported where they are', () => {
  assert.deepEqual(check('project:\n  name: [a\n'), ['1:9-1:10 yaml-syntax Flow sequence in block collection must be sufficiently indented and end with a ]']);
  assert.deepEqual(check(`${BASE}project:\n  name: again\n`), [
    '15:0-15:7 duplicate-key duplicate key "project": only the last one would count; remove or rename one',
  ]);
  assert.deepEqual(check(`${BASE}---\nproject: {name: b}\n`), [
    '15:0-15:3 multi-document mlops.yaml must hold exactly one YAML document, found 2: remove this "---" and what follows, or merge it into the first document',
  ]);
  assert.deepEqual(check('- a\n- b\n'), ['0:0-0:3 not-a-mapping mlops.yaml: expected a mapping of sections (project, pipeline, models, ...), got a list']);
});

const PIPE = `${BASE}pipeline:
  stages:
    prep:
      cmd: python prep.py
      deps: [data/raw.csv, data/gone.csv]
      outs: [data/clean.csv]
    train:
      cmd: python train.py
      deps: [data/clean.csv]
      outs: [model.onnx, data/clean.csv]
      params: [train.lr, train.epochs, tran.lr]
      after: [evaluate, prepp]
    evaluate:
      cmd: python eval.py
      deps: [model.onnx]
  triggers:
    - kind: schedule
    - kind: drift
      dataset: rw
deployments:
  web:
    model: chrun
`;

test('cross-references: deps, params, models, outputs, cycles, datasets', () => {
  assert.deepEqual(check(PIPE, ['data/raw.csv']), [
    '19:27-19:40 unknown-dep pipeline.stages.prep.deps[1]: "data/gone.csv" is produced by no stage and does not exist in the workspace',
    '21:4-21:9 cycle pipeline.stages.train: dependency cycle: evaluate → train → evaluate',
    '24:25-24:39 duplicate-out pipeline.stages.train.outs[1]: "data/clean.csv" is written twice: stage "prep" also writes it; every output has one producer',
    '25:25-25:37 unknown-param pipeline.stages.train.params[1]: no parameter "train.epochs" under `params`',
    '25:39-25:46 unknown-param pipeline.stages.train.params[2]: no parameter "tran.lr" under `params`; did you mean "train.lr"?',
    '26:24-26:29 unknown-stage pipeline.stages.train.after[1]: no stage named "prepp"; did you mean "prep"?',
    '27:4-27:12 cycle pipeline.stages.evaluate: dependency cycle: evaluate → train → evaluate',
    '31:12-31:20 missing-cron pipeline.triggers[0]: a "schedule" trigger needs `cron` (e.g. "0 3 * * *")',
    '33:15-33:17 unknown-dataset pipeline.triggers[1].dataset: no dataset "rw" under `data`; did you mean "raw"?',
    '36:11-36:16 unknown-model deployments.web.model: no model "chrun" under `models`; did you mean "churn"?',
  ]);
  const sev = validateMlopsYaml(PIPE, { fileExists: () => true });
  assert.equal(sev.find((d) => d.code === 'unknown-dep'), undefined, 'existing files satisfy deps');
  assert.equal(sev.find((d) => d.code === 'missing-cron')?.severity, 2);
  assert.equal(sev.find((d) => d.code === 'cycle')?.severity, 1);
});

test('anchors, aliases and merge keys resolve; alias bombs are refused', () => {
  const merged = `${BASE}deployments:\n  a: &d\n    model: churn\n    port: 8080\n  b:\n    <<: *d\n    port: 8081\n`;
  assert.deepEqual(check(merged), []);
  assert.deepEqual(check(`${BASE}deployments:\n  a: &d\n    model: churn\n  b:\n    <<: *d\n    modle: x\n`), [
    '20:4-20:9 unknown-key deployments.b.modle: unknown key "modle" (allowed here: model, stage, alias, version, port, threads, max_batch, max_delay_ms, max_body_bytes, max_instances, enabled, auth, shadow, fallback, breaker, on_alert, rollback_within, monitoring)',
  ]);
  const levels = ['l0: &l0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 7; i++) levels.push(`l${i}: &l${i} [${Array(10).fill(`*l${i - 1}`).join(', ')}]`);
  assert.deepEqual(check(`params:\n  ${levels.join('\n  ')}\n`).map((s) => s.split(' ')[1]), ['alias-limit']);
});

test('a deploy stage must come after the register stage of its deployment\'s model', () => {
  const pipe = (after: string) => `${BASE}deployments:
  web: {model: churn}
pipeline:
  stages:
    train: {cmd: python train.py, outs: [model.onnx]}
    register: {kind: register, model: churn, artifact: model.onnx, deps: [model.onnx]}
    ship: {kind: deploy, deployment: web${after}}
`;
  assert.deepEqual(check(pipe('')), [
    '21:4-21:8 invalid-value pipeline.stages.ship: deploys model "churn" but does not come after its register stage "register"; add `after: [register]`',
  ]);
  assert.deepEqual(check(pipe(', after: [register]')), []);
});

const GATED = `version: 1
project: {name: demo}
data:
  hold:
    paths: [data/hold.csv]
    expectations:
      columns:
        churned: {type: integer}
models:
  churn:
    task: classification
    signature:
      inputs:
        - name: a
    gates:
      holdout: {dataset: hodl, label: churned, metric: auc, min_delta: 0.01}
      canonical: {file: canonical.json}
`;

test('gates: the holdout dataset, its label column and the canonical file are cross-checked', () => {
  assert.deepEqual(check(GATED, ['canonical.json']), [
    '15:25-15:29 unknown-dataset models.churn.gates.holdout.dataset: no dataset "hodl" under `data`; did you mean "hold"?',
  ]);
  assert.deepEqual(check(GATED.replace('hodl, label: churned', 'hold@2, label: churn'), []), [
    '15:40-15:45 unknown-column models.churn.gates.holdout.label: the dataset declares no column "churn" (declared: churned)',
    '16:24-16:38 missing-file models.churn.gates.canonical.file: no file "canonical.json" in the project; create it (examples with expected outputs, docs/GATES.md)',
  ]);
  const metric = check(GATED.replace('hodl, label: churned, metric: auc', 'hold, label: churned, metric: gini'), ['canonical.json']);
  assert.deepEqual(metric, ['15:55-15:59 invalid-value models.churn.gates.holdout.metric: expected one of "accuracy", "auc", "f1", "log_loss", "rmse", "mae", "r2", got "gini"']);
  const both = check(GATED.replace('hodl, label: churned, metric: auc, min_delta: 0.01', 'hold, label: churned, metric: auc, min_delta: 0.01, tolerance: 0.1'), ['canonical.json']);
  assert.equal(both.length, 1, both.join('\n'));
  assert.match(both[0] ?? '', /models\.churn\.gates\.holdout\.tolerance: give either min_delta \(beat Production\) or tolerance \(not worse\), not both/);
});
