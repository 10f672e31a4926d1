/**
 * The holdout metrics against scikit-learn's `sklearn.metrics` (Debian's /usr/bin/python3) on the
 * same generated data: 20,000 rows, scores rounded so ties occur, binary and three-class labels.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { accuracy, f1, logLoss, mae, r2, rmse, rocAuc, sortedClasses } from '../../../shared/src/gates/metrics';

function rng(seed: number): () => number {
  let x = seed % 2147483647 || 1;
  return () => (x = (48271 * x) % 2147483647) / 2147483647;
}

const PY = `
import json, sys
from sklearn import metrics as m
d = json.load(sys.stdin)
out = {
  'accuracy': m.accuracy_score(d['y'], d['pred']),
  'f1': m.f1_score(d['y'], d['pred']),
  'f1_macro': m.f1_score(d['y3'], d['pred3'], average='macro'),
  'auc': m.roc_auc_score(d['y'], d['score']),
  'log_loss': m.log_loss(d['y'], d['probs']),
  'log_loss3': m.log_loss(d['y3'], d['probs3'], labels=[0, 1, 2]),
  'rmse': m.mean_squared_error(d['t'], d['v']) ** 0.5,
  'mae': m.mean_absolute_error(d['t'], d['v']),
  'r2': m.r2_score(d['t'], d['v']),
}
print(json.dumps(out))
`;

test('metrics match sklearn.metrics on 20,000 rows', () => {
  const r = rng(11);
  const n = 20_000;
  const y: number[] = [];
  const score: number[] = [];
  const y3: number[] = [];
  const probs3: number[][] = [];
  const t: number[] = [];
  const v: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = r() < 0.3 ? 1 : 0;
    y.push(label);
    // Rounded to 2 decimals: many ties, which AUC must share by average rank; 0 and 1 exercise clipping.
    score.push(Math.round(Math.min(1, Math.max(0, (label ? 0.35 : 0) + r() * 0.7)) * 100) / 100);
    const c = Math.floor(r() * 3);
    y3.push(c);
    const raw = [r(), r(), r()].map((x, k) => x + (k === c ? 0.5 : 0));
    const sum = raw.reduce((a, b) => a + b, 0);
    probs3.push(raw.map((x) => x / sum));
    const target = r() * 100 - 20;
    t.push(target);
    v.push(target + (r() - 0.5) * 15);
  }
  const pred = score.map((s) => (s >= 0.5 ? 1 : 0));
  const pred3 = probs3.map((p) => p.indexOf(Math.max(...p)));
  const probs = score.map((s) => [1 - s, s]);
  const py = spawnSync('/usr/bin/python3', ['-c', PY], { input: JSON.stringify({ y, pred, score, probs, y3, pred3, probs3, t, v }), encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(py.status, 0, py.stderr);
  const want = JSON.parse(py.stdout) as Record<string, number>;
  const got: Record<string, number> = {
    accuracy: accuracy(y, pred),
    f1: f1(y, pred),
    f1_macro: f1(y3, pred3),
    auc: rocAuc(y.map((l) => l === 1), score),
    log_loss: logLoss(y, probs, [0, 1]),
    log_loss3: logLoss(y3, probs3, [0, 1, 2]),
    rmse: rmse(t, v),
    mae: mae(t, v),
    r2: r2(t, v),
  };
  for (const [k, w] of Object.entries(want)) {
    assert.ok(Math.abs((got[k] as number) - w) <= 1e-9 * Math.max(1, Math.abs(w)), `${k}: ours ${got[k]} vs sklearn ${w}`);
  }
  assert.ok(want['auc'] !== undefined && want['auc'] > 0.6 && want['auc'] < 0.99, 'the data separates the classes, not perfectly');
});

test('edge cases: constant target r2, one-class AUC, class order', () => {
  assert.equal(r2([2, 2, 2], [2, 2, 2]), 1);
  assert.equal(r2([2, 2, 2], [1, 2, 3]), 0);
  assert.throws(() => rocAuc([true, true], [0.1, 0.2]), /only one/);
  assert.deepEqual(sortedClasses([10, 2, 1, 2]), [1, 2, 10]);
  assert.deepEqual(sortedClasses(['b', 'a']), ['a', 'b']);
  assert.throws(() => logLoss([5], [[0.5, 0.5]], [0, 1]), /not one of the model's classes/);
});
