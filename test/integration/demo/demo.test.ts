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
    timeout: 150_000,
  });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /Production rolled back from version 2 to version 1/);
  assert.match(r.stdout, /Demo finished in/);
  const model = getModelResponse.omit({ next_cursor: true }).parse(await runCliJson(['models', 'show', 'churn'], { cwd: dir }));
  assert.equal(model.model.production_version, 1);
  assert.deepEqual(
    model.versions.map((v) => [v.version, v.stage, v.aliases]),
    [
      [2, 'Archived', ['champion']],
      [1, 'Production', []],
    ],
  );
  for (const v of model.versions) {
    assert.ok(v.source_run_id, 'each version knows its run');
    assert.deepEqual(v.dataset_versions.map((d) => d.dataset), ['holdout', 'train']);
  }
  const versions = (await runCliJson(['data', 'versions', 'train'], { cwd: dir })) as { reason: string }[];
  assert.equal(versions[0]?.reason, 'watch');

  // mlops.yaml was edited in place: each params commit changes exactly the two param lines, and the
  // final params (those of the example) give back the example's file byte for byte.
  const git = (...a: string[]): string => spawnSync('git', ['-C', dir, ...a], { encoding: 'utf8' }).stdout;
  assert.equal(git('diff', '--numstat', 'HEAD~1', 'HEAD', '--', 'mlops.yaml').trim(), '2\t2\tmlops.yaml');
  assert.equal(readFileSync(join(dir, 'mlops.yaml'), 'utf8'), readFileSync(join(REPO_ROOT, 'examples', 'churn', 'mlops.yaml'), 'utf8'));
  // data/ (versioned by mlops), .mlops/ and artifacts/ are ignored: the runs were recorded clean.
  assert.equal(git('status', '--porcelain'), '');
  const runs = (await runCliJson(['runs', 'list'], { cwd: dir })) as { git_dirty: boolean }[];
  assert.deepEqual(runs.map((x) => x.git_dirty), [false, false]);

  // The closing hint is a command that works from the project folder, which has no node_modules.
  const hint = /Stop its daemon with: \(cd (.+) && node (\S+) daemon stop\)/.exec(r.stdout);
  assert.ok(hint, r.stdout.slice(-600));
  assert.equal(hint[1], dir);
  const stop = spawnSync(process.execPath, [hint[2] ?? '', 'daemon', 'stop'], { cwd: dir, encoding: 'utf8' });
  assert.equal(stop.status, 0, stop.stderr);
  assert.match(stop.stdout, /daemon stopped/);
  assert.match(r.stdout, /MLOps: Install CLI/);
});
