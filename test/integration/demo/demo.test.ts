/** `npm start` end to end: the demo runs to completion and leaves the registry in the state it describes. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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
    timeout: 400_000,
  });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /Production rolled back from version 2 to version 1/);
  assert.match(r.stdout, /Demo finished in/);
  assert.match(r.stdout, /re-ran: train, evaluate, register/);
  const model = getModelResponse.omit({ next_cursor: true }).parse(await runCliJson(['models', 'show', 'churn'], { cwd: dir }));
  assert.equal(model.model.production_version, 1);
  assert.deepEqual(
    model.versions.map((v) => [v.version, v.stage, v.aliases]),
    [
      [4, 'None', []],
      [3, 'None', []],
      [2, 'Archived', ['champion']],
      [1, 'Production', []],
    ],
  );
  // Versions 3 and 4 come from the pipeline's register stage, with the evaluate stage's metrics.
  assert.ok(model.versions[0]?.metrics['holdout_auc'] !== undefined);
  for (const v of model.versions.slice(2)) {
    assert.ok(v.source_run_id, 'each version knows its run');
    assert.deepEqual(v.dataset_versions.map((d) => d.dataset), ['holdout', 'train']);
  }
  const versions = (await runCliJson(['data', 'versions', 'train'], { cwd: dir })) as { reason: string }[];
  assert.equal(versions[0]?.reason, 'watch');
});
