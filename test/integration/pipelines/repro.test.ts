/** `mlops repro`: the demo's trainer, run from a dirty working copy, re-run from the record in a clean worktree, bit for bit. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { reproJson } from '../../../schemas/src/pipelines';
import { REPO_ROOT, runCli, tempProject } from '../../helpers';

const CONFIG = (lr: number) => `version: 1
project: {name: repro}
params:
  train: {learning_rate: ${lr}, epochs: 60, l2: 0.001, seed: 7}
data:
  train: {paths: [data/train.csv]}
  holdout: {paths: [data/holdout.csv]}
pipeline:
  stages:
    features:
      cmd: tsx \${CHURN_SCRIPTS}/features.ts --data data --out features
      deps: [data:train, data:holdout]
      outs: [features]
    train:
      cmd: tsx \${CHURN_SCRIPTS}/train.ts --data features --out artifacts
      deps: [features]
      params: [train.learning_rate, train.epochs]
      outs: [artifacts/model.onnx]
      metrics: [artifacts/metrics.json]
`;

const env = { PATH: `${join(REPO_ROOT, 'node_modules', '.bin')}:${process.env['PATH'] ?? ''}`, CHURN_SCRIPTS: join(REPO_ROOT, 'examples', 'churn') };

test('repro of a pipeline run from a dirty copy (uncommitted params, untracked data) matches every out bit for bit', async () => {
  const p = tempProject({ config: CONFIG(0.1), prefix: 'mlops-repro-' });
  const git = (...a: string[]) => execFileSync('git', ['-C', p.root, ...a], { stdio: 'pipe' });
  try {
    execFileSync(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), [join(REPO_ROOT, 'examples/churn/generate-data.ts'), '--rows', '600', '--seed', '3'], { cwd: p.root, stdio: 'pipe' });
    writeFileSync(join(p.root, '.gitignore'), '.mlops/\ndata/\nfeatures/\nartifacts/\n');
    git('init', '-q');
    git('add', '-A');
    git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'init');
    p.writeConfig(CONFIG(0.05)); // uncommitted: only the stored diff holds it
    const r = await runCli(['run', '--json'], { cwd: p.root, env, timeoutMs: 180_000 });
    assert.equal(r.code, 0, r.stderr);
    const model = readFileSync(join(p.root, 'artifacts/model.onnx'));
    const runs = JSON.parse((await runCli(['runs', 'list', '--experiment', 'pipeline', '--json'], { cwd: p.root })).stdout) as { id: string; name: string }[];
    const pipelineRun = runs.find((x) => x.name.startsWith('pipeline '));
    assert.ok(pipelineRun);

    // Move on: other params, other data, outs gone. Repro must use only what the run recorded.
    p.writeConfig(CONFIG(0.3));
    writeFileSync(join(p.root, 'data/train.csv'), readFileSync(join(p.root, 'data/train.csv'), 'utf8').replace(/\n[^\n]*\n$/, '\n'));
    rmSync(join(p.root, 'artifacts'), { recursive: true });

    const rep = await runCli(['repro', pipelineRun.id, '--json'], { cwd: p.root, env, timeoutMs: 180_000 });
    assert.equal(rep.code, 0, rep.stderr);
    const out = reproJson.parse(JSON.parse(rep.stdout));
    assert.equal(out.all_match, true, JSON.stringify(out.outs));
    assert.deepEqual(out.outs.map((o) => o.path).sort(), ['artifacts/metrics.json', 'artifacts/model.onnx', 'features']);
    const modelOut = out.outs.find((o) => o.path === 'artifacts/model.onnx');
    assert.equal(modelOut?.recorded, (await import('node:crypto')).createHash('sha256').update(model).digest('hex'));
    assert.ok(!existsSync(out.worktree), 'the worktree is removed');
    assert.ok(!existsSync(join(p.root, 'artifacts')), 'the project itself is untouched');
    assert.equal(git('worktree', 'list').toString().trim().split('\n').length, 1, 'the repro worktree is unregistered');
  } finally {
    await p.cleanup();
  }
});
