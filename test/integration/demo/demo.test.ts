/** `npm start` end to end: the demo runs to completion and leaves the registry in the state it describes. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, REPO_ROOT, runCliJson, stopDaemonsOf } from '../../helpers/index';
import { getModelResponse } from '../../../schemas/src/api';

const dir = join(mkdtempSync(join(tmpdir(), 'mlops-demo-test-')), 'project');
after(async () => {
  await stopDaemonsOf(dir);
  rmSync(join(dir, '..'), { recursive: true, force: true });
});

test('the demo trains, registers, promotes, rolls back and catches a data change', async () => {
  ensureBuilt();
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts', 'demo.ts'), dir], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 700_000,
  });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /Production rolled back from version 2 to version 1/);
  assert.match(r.stdout, /Demo finished in/);
  assert.match(r.stdout, /re-ran: train, evaluate, register/);
  // The notebook step verifies its conversion where the Python packages are, else says what to install.
  assert.match(r.stdout, /verify: equal|Skipped: no Python with scikit-learn/);
  const model = getModelResponse.omit({ next_cursor: true }).parse(await runCliJson(['models', 'show', 'churn'], { cwd: dir }));
  // The safety step's faulty v3 was promoted and rolled back by the error-rate rule, its requests
  // answered by the fallback rules; the gates step promoted v2 (it passes the holdout gate) and
  // refused v6 (random weights).
  assert.match(r.stdout, /Production rolled back by the rule from v3 to v\d/);
  assert.match(r.stdout, /requests answered, 0 failed; [1-9]\d* answered by the fallback rules/);
  assert.equal(model.model.production_version, 2);
  assert.deepEqual(
    model.versions.map((v) => [v.version, v.stage, v.aliases]),
    [
      [6, 'None', []],
      [5, 'None', []],
      [4, 'None', []],
      [3, 'Archived', []],
      [2, 'Production', ['champion']],
      [1, 'Archived', []],
    ],
  );
  assert.match(r.stdout, /refused: holdout failed: candidate 0\.\d+ vs Production 0\.\d+ \(rule: auc ≥ Production \+ 0\.001\)/);
  assert.match(readFileSync(join(dir, 'artifacts', 'gates.xml'), 'utf8'), /<testsuite name="mlops check churn v6" tests="1" failures="1" errors="0"/);
  // Versions 4 and 5 come from the pipeline's register stage, with the evaluate stage's metrics.
  assert.ok(model.versions[1]?.metrics['holdout_auc'] !== undefined);
  for (const v of model.versions.slice(4)) {
    assert.ok(v.source_run_id, 'each version knows its run');
    assert.deepEqual(v.dataset_versions.map((d) => d.dataset), ['holdout', 'train']);
  }
  const versions = (await runCliJson(['data', 'versions', 'train'], { cwd: dir })) as { reason: string }[];
  assert.equal(versions[0]?.reason, 'watch');

  // mlops.yaml was edited in place: each params commit changes exactly the two param lines, and the
  // final params (those of the example) give back the example's file byte for byte.
  const git = (...a: string[]): string => spawnSync('git', ['-C', dir, ...a], { encoding: 'utf8' }).stdout;
  // (The gates step's commit adds the gate block: it is checked below, not as a params edit.)
  const commits = git('log', '--format=%H %s', '--', 'mlops.yaml').trim().split('\n').slice(0, -1).filter((l) => !/ gates: /.test(l)).map((l) => l.split(' ')[0] as string);
  assert.ok(commits.length >= 3, 'the two trainings and the pipeline param change each commit mlops.yaml');
  for (const c of commits) assert.match(git('diff', '--numstat', `${c}~1`, c, '--', 'mlops.yaml').trim(), /^([12])\t\1\tmlops\.yaml$/);
  // The pipeline step leaves learning_rate at 0.05; every other line is the example's, byte for byte.
  const withGates = readFileSync(join(dir, 'mlops.yaml'), 'utf8');
  const gateBlock = /^ {4}gates:\n(?: {6}.*\n)+/m;
  assert.match(withGates, /^ {4}gates:\n {6}holdout:\n {8}dataset: holdout\n {8}label: churned\n {8}metric: auc\n/m);
  const final = withGates.replace(gateBlock, '').split('\n');
  const example = readFileSync(join(REPO_ROOT, 'examples', 'churn', 'mlops.yaml'), 'utf8').split('\n');
  assert.equal(final.length, example.length);
  const differing = final.filter((line, i) => line !== example[i]);
  assert.deepEqual(differing.map((l) => l.trim()), ['learning_rate: 0.05']);
  // data/ (versioned by mlops), .mlops/ and artifacts/ are ignored: the runs were recorded clean.
  assert.equal(git('status', '--porcelain'), '');
  const runs = (await runCliJson(['runs', 'list', '--limit', '200'], { cwd: dir })) as { git_dirty: boolean; experiment: string }[];
  assert.ok(runs.length >= 2);
  // Every run, the two trainings and the pipeline's, was recorded against a clean work tree.
  assert.deepEqual(runs.filter((x) => x.git_dirty).map((x) => x.experiment), []);

  // The closing hint is a command that works from the project folder, which has no node_modules.
  const hint = /Stop its daemon with: \(cd (.+) && node (\S+) daemon stop\)/.exec(r.stdout);
  assert.ok(hint, r.stdout.slice(-600));
  assert.equal(hint[1], dir);
  const stop = spawnSync(process.execPath, [hint[2] ?? '', 'daemon', 'stop'], { cwd: dir, encoding: 'utf8' });
  assert.equal(stop.status, 0, stop.stderr);
  assert.match(stop.stdout, /daemon stopped/);
  assert.match(r.stdout, /MLOps: Install CLI/);
});
