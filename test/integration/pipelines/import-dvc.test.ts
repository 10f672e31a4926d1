/**
 * `mlops import dvc` on a DVC project laid out like iterative/example-get-started (prepare →
 * featurize → train → evaluate with params.yaml, a metrics file without cache, plots), plus the
 * generating forms (foreach over a var, matrix), `wdir` and `vars`: written for this test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importDvcJson } from '../../../schemas/src/pipelines';
import { parseConfigText } from '../../../shared/src/mlops-yaml';
import { runCli, tempProject } from '../../helpers';

const DVC_YAML = `vars:
  - langs: [en, de]
stages:
  prepare:
    cmd: python src/prepare.py data/data.xml
    deps:
    - data/data.xml
    - src/prepare.py
    params:
    - prepare.seed
    - prepare.split
    outs:
    - data/prepared
  featurize:
    cmd: python src/featurization.py data/prepared data/features
    deps:
    - data/prepared
    - src/featurization.py
    params:
    - featurize.max_features
    - featurize.ngrams
    outs:
    - data/features
  train:
    cmd: python src/train.py data/features model.pkl
    deps:
    - data/features
    - src/train.py
    params:
    - train.min_split
    - train.n_est
    - train.seed
    outs:
    - model.pkl
  evaluate:
    cmd: python src/evaluate.py model.pkl data/features
    deps:
    - data/features
    - model.pkl
    - src/evaluate.py
    outs:
    - eval/importance.png
    metrics:
    - eval/live/metrics.json:
        cache: false
    plots:
    - eval/live/plots/sklearn/roc/train.json:
        x: fpr
        y: tpr
  translate:
    foreach: \${langs}
    do:
      cmd: python translate.py --lang \${item} --seed \${train.seed}
      deps: [data/prepared]
      outs:
      - out/\${item}.txt
  sweep:
    matrix:
      model: [lr, rf]
      depth: [3, 5]
    cmd: python sweep.py \${item.model} \${item.depth}
    outs:
    - sweeps/\${item.model}-\${item.depth}.pkl
  report:
    wdir: reports
    cmd:
    - python make.py
    - echo done
    deps: [../eval/live/metrics.json, make.py]
    outs: [summary.md]
    always_changed: true
`;

const PARAMS_YAML = `prepare:
  split: 0.20
  seed: 20170428
featurize:
  max_features: 100
  ngrams: 1
train:
  seed: 20170428
  n_est: 50
  min_split: 0.01
`;

// The user's mlops.yaml: a comment, a param of their own that params.yaml also has, a stage of the same name.
const MLOPS_YAML = `version: 1
project:
  name: dvc-import  # imported from DVC
params:
  train:
    n_est: 80   # tuned by hand, keep
pipeline:
  stages:
    train:
      cmd: python my_train.py
`;

test('a DVC project like example-get-started imports: stages, params, foreach/matrix expanded; nothing of the user overwritten; what cannot be carried named by line', async () => {
  const p = tempProject({ config: MLOPS_YAML, prefix: 'mlops-dvc-' });
  try {
    writeFileSync(join(p.root, 'dvc.yaml'), DVC_YAML);
    writeFileSync(join(p.root, 'params.yaml'), PARAMS_YAML);
    const dry = await runCli(['import', 'dvc', '--dry-run', '--json'], { cwd: p.root });
    assert.equal(dry.code, 0, dry.stderr);
    const planned = importDvcJson.parse(JSON.parse(dry.stdout));
    assert.equal(planned.written, false);
    assert.equal(readFileSync(join(p.root, 'mlops.yaml'), 'utf8'), MLOPS_YAML, '--dry-run writes nothing');

    const r = await runCli(['import', 'dvc', '--json'], { cwd: p.root });
    assert.equal(r.code, 0, r.stderr);
    const out = importDvcJson.parse(JSON.parse(r.stdout));
    assert.equal(out.written, true);
    assert.deepEqual(out.stages_added, ['prepare', 'featurize', 'evaluate', 'translate-en', 'translate-de', 'sweep-lr-3', 'sweep-lr-5', 'sweep-rf-3', 'sweep-rf-5', 'report']);
    assert.deepEqual(out.stages_kept, ['train']);
    assert.deepEqual(out.params_kept, ['train.n_est']);
    assert.ok(out.params_added.includes('prepare.seed') && out.params_added.includes('train.min_split'));
    const lines = (needle: RegExp) => out.not_carried.filter((n) => needle.test(n.message)).map((n) => n.line);
    assert.deepEqual(lines(/cache: false/), [44]);
    assert.deepEqual(lines(/plots are not carried/), [46]);
    assert.deepEqual(lines(/always_changed/), [71]);
    assert.deepEqual(lines(/foreach expanded into 2/), [51]);
    assert.deepEqual(lines(/matrix expanded into 4/), [58]);
    assert.equal(out.not_carried.length, 5, JSON.stringify(out.not_carried));

    const text = readFileSync(join(p.root, 'mlops.yaml'), 'utf8');
    assert.match(text, /name: dvc-import +# imported from DVC/, 'comments stay');
    assert.match(text, /n_est: 80 +# tuned by hand, keep/, "the user's value stays");
    assert.match(text, /cmd: python my_train.py/, "the user's stage stays");
    const cfg = parseConfigText(text, 'mlops.yaml');
    assert.ok(cfg.ok, cfg.ok ? '' : JSON.stringify(cfg));
    if (!cfg.ok) return;
    const st = cfg.config.pipeline?.stages ?? {};
    assert.deepEqual(st['evaluate']?.metrics, ['eval/live/metrics.json']);
    assert.deepEqual(st['evaluate']?.outs, ['eval/importance.png']);
    assert.equal(st['translate-de']?.cmd, 'python translate.py --lang de --seed 20170428');
    assert.deepEqual(st['translate-de']?.outs, ['out/de.txt']);
    assert.equal(st['sweep-rf-5']?.cmd, 'python sweep.py rf 5');
    assert.equal(st['report']?.cmd, 'cd reports && python make.py && echo done');
    assert.deepEqual(st['report']?.deps, ['eval/live/metrics.json', 'reports/make.py']);
    assert.deepEqual(st['report']?.outs, ['reports/summary.md']);
    assert.deepEqual(st['prepare']?.params, ['prepare.seed', 'prepare.split']);
    assert.equal((cfg.config.params['prepare'] as Record<string, unknown>)['split'], 0.2);

    const again = importDvcJson.parse(JSON.parse((await runCli(['import', 'dvc', '--json'], { cwd: p.root })).stdout));
    assert.equal(again.written, false, 'a second import adds nothing');
    assert.equal(again.stages_added.length, 0);
    const human = await runCli(['import', 'dvc', '--dry-run'], { cwd: p.root });
    assert.match(human.stdout, /dvc\.yaml:44: stages\.evaluate\.metrics\.0: "eval\/live\/metrics\.json": cache: false/);
  } finally {
    await p.cleanup();
  }
});
