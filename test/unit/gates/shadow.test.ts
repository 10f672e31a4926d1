/**
 * The shadow gate reads the safety feature's shadow statistics (`shadowSummary` over the
 * `shadow_stats` table): no rows → no shadow data; rows for the version as a shadow, summed over
 * deployments → agreement. And the gate's decision on those numbers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../../daemon/src/store/db';
import { shadowReader } from '../../../daemon/src/gates/shadow';

test('shadow data: none without rows; agreement summed over deployments', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gates-shadow-'));
  const db = openStore(join(dir, 'mlops.db'));
  try {
    const read = shadowReader(db);
    assert.equal(read('churn', 2), null);
    const ins = db.prepare("INSERT INTO shadow_stats (deployment, model, primary_version, shadow_version, compared, agreed, primary_buckets, shadow_buckets, updated_at) VALUES (?, 'churn', ?, ?, ?, ?, '[]', '[]', '')");
    ins.run('prod', 1, 2, 300, 290);
    ins.run('canary', 1, 2, 100, 90);
    ins.run('prod', 2, 3, 50, 10);
    assert.deepEqual(read('churn', 2), { requests: 400, agreement: 380 / 400 });
    assert.deepEqual(read('churn', 3), { requests: 50, agreement: 0.2 });
    assert.equal(read('other', 2), null);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the shadow gate: passes at the threshold, fails below it, cannot run with too few requests', async () => {
  const { evaluateGates } = await import('../../../shared/src/gates/evaluate');
  const { writeLogistic, GATE_FEATURES } = await import('../../helpers/gates');
  const dir = mkdtempSync(join(tmpdir(), 'gates-shadow-eval-'));
  try {
    const file = writeLogistic(join(dir, 'm.onnx'), [1, 2, 3]);
    const spec = { model: 'm', version: 2, artifact_path: file, artifact_sha256: '', task: 'classification' as const, input_mode: 'tensor' as const, features: GATE_FEATURES.map((name) => ({ name, type: 'float' as const })) };
    const run = (requests: number, agreement: number) =>
      evaluateGates({
        model: 'm',
        gates: { shadow: { min_agreement: 0.95, min_requests: 100 } },
        task: 'classification',
        candidate: { version: 2, spec },
        production: null,
        holdoutFiles: () => [],
        projectFile: (p) => join(dir, p),
        shadow: () => ({ requests, agreement }),
      });
    const pass = await run(400, 0.95);
    assert.deepEqual([pass.exit_code, pass.gates[0]?.status, pass.gates[0]?.candidate], [0, 'pass', 0.95]);
    const fail = await run(400, 0.9);
    assert.deepEqual([fail.exit_code, fail.gates[0]?.status], [1, 'fail']);
    const few = await run(99, 1);
    assert.equal(few.exit_code, 2);
    assert.match(few.gates[0]?.detail ?? '', /only 99 shadowed requests so far, 100 needed/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
