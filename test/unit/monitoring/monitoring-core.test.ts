/**
 * The monitoring building blocks on their own: histogram percentiles against exact ones on
 * real-sized samples, the settings merge (global + per-deployment overrides, refused typos), the
 * reservoir's bound and uniformity, output roles, and the bounded serving log.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mlopsConfigSchema } from '../../../schemas/src/mlops-yaml';
import { LATENCY_HISTOGRAM } from '../../../schemas/src/monitoring';
import { decodeWindowSample } from '../../../schemas/src/monitoring-wire';
import { monitoringFor, storedFeatures, windowRule } from '../../../shared/src/monitoring/config';
import { bucketOf, newHistogram, quantileMs } from '../../../shared/src/monitoring/histogram';
import { confidenceOf, outputRoles, sameLabel } from '../../../shared/src/monitoring/outputs';
import { WindowAcc } from '../../../daemon/src/monitoring/recorder/window';
import { ColumnSample } from '../../../daemon/src/monitoring/recorder/column-sample';
import { RotatingLog } from '../../../daemon/src/serving/log-file';
import { type RunOutputs } from '../../../shared/src/serving/model';
import { parseConfigText } from '../../../shared/src/mlops-yaml';
import { seeded } from '../../helpers/monitoring';

function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] as number;
}

test('histogram percentiles stay within half a bucket (±5 %) of the exact ones over 200,000 latencies', () => {
  const rand = seeded(9);
  for (const shape of ['lognormal', 'bimodal'] as const) {
    const h = newHistogram();
    const values: number[] = [];
    for (let i = 0; i < 200_000; i++) {
      const z = Math.sqrt(-2 * Math.log(Math.max(1e-12, rand()))) * Math.cos(2 * Math.PI * rand());
      const v = shape === 'lognormal' ? Math.exp(0.5 + 0.8 * z) : rand() < 0.9 ? 0.3 + rand() * 0.2 : 40 + rand() * 20;
      values.push(v);
      const b = bucketOf(v);
      h[b] = (h[b] as number) + 1;
    }
    values.sort((a, b) => a - b);
    for (const q of [0.5, 0.95, 0.99]) {
      const exact = exactQuantile(values, q);
      const got = quantileMs(h, q) as number;
      assert.ok(Math.abs(got - exact) / exact <= Math.sqrt(LATENCY_HISTOGRAM.ratio) - 1 + 1e-9, `${shape} q${q}: ${got} vs exact ${exact}`);
    }
  }
  assert.equal(quantileMs(newHistogram(), 0.5), null);
  assert.equal(bucketOf(0), 0);
  assert.equal(bucketOf(1e9), LATENCY_HISTOGRAM.buckets - 1);
});

test('monitoringFor merges a deployment override over the global section, key by key', () => {
  const cfg = mlopsConfigSchema.parse({
    project: { name: 'p' },
    monitoring: { reference: 'train', latency: { p95_ms: 200 }, drift: { share: 0.3, threshold: 0.01 }, window: '5m' },
    deployments: { a: { model: 'm', monitoring: { latency: { p95_ms: 50 }, drift: { threshold: 0.001 }, store_inputs: ['ssn'] } }, b: { model: 'm' } },
  });
  const a = monitoringFor(cfg, 'a');
  assert.equal(a.latency.p95_ms, 50);
  assert.equal(a.drift.threshold, 0.001);
  assert.equal(a.drift.share, 0.3, 'untouched nested keys keep the global value');
  assert.equal(a.reference, 'train');
  assert.deepEqual(windowRule(a), { predictions: null, seconds: 300 });
  assert.deepEqual(storedFeatures(a, ['age', 'ssn']), ['age']);
  assert.equal(monitoringFor(cfg, 'b').latency.p95_ms, 200);
  const none = monitoringFor(undefined, 'x');
  assert.deepEqual([none.latency.p95_ms, none.error_rate.max, none.drift.threshold, none.window, none.store_inputs], [500, 0.01, 0.05, 1000, 'sampled']);
  assert.deepEqual(storedFeatures({ ...none, store_inputs: false }, ['a']), []);
});

test('a typo in a deployment override is refused with its path', () => {
  const r = parseConfigText('version: 1\nproject:\n  name: p\ndeployments:\n  prod:\n    model: m\n    monitoring:\n      latency:\n        p95: 5\n', 'mlops.yaml');
  assert.equal(r.ok, false);
  assert.match(JSON.stringify(r), /deployments\.prod\.monitoring\.latency/);
  const bad = parseConfigText('version: 1\nproject:\n  name: p\nmonitoring:\n  horizon: 7 days\n', 'mlops.yaml');
  assert.equal(bad.ok, false);
  assert.match(JSON.stringify(bad), /expected a duration/);
});

function outputs(labels: number[], probs: number[]): RunOutputs {
  return new Map([
    ['probability', { type: 'float32', perRow: probs, rowShape: [1] }],
    ['label', { type: 'int64', perRow: labels, rowShape: [1] }],
  ]) as RunOutputs;
}

test('a window keeps at most sample_size rows, sampled uniformly, and counts every instance', () => {
  const w = new WindowAcc(0, new ColumnSample(100), { x: [0, 10] });
  const roles = outputRoles(['probability', 'label'], 'classification');
  for (let start = 0; start < 10_000; start += 50) {
    const rows = Array.from({ length: 50 }, (_, i) => [start + i, 5]);
    w.add(1, ['i', 'x'], rows, outputs(rows.map((_, i) => i % 2), rows.map(() => 0.8)), roles, true);
  }
  w.refused('x', 'instance 0, feature "x": missing');
  w.refused('x', 'instance 0, feature "x": "z" is not one of the declared categories (…)');
  const s = decodeWindowSample(w.finish(1, ['i', 'x']));
  assert.equal(s.size, 100);
  assert.equal(s.predictions, 10_000);
  const sampled = s.columns[0] as number[];
  assert.equal(sampled.length, 100);
  assert.deepEqual(s.columns[1], Array.from({ length: 100 }, () => 5), 'the other column of the same rows');
  const mean = sampled.reduce((a, v) => a + v, 0) / sampled.length;
  assert.ok(mean > 3500 && mean < 6500, `a uniform sample of 0..9999 has mean near 5000, got ${mean}`);
  assert.deepEqual(s.prediction_distribution, { '0': 5000, '1': 5000 });
  assert.ok(Math.abs(s.confidence_sum / s.confidence_n - 0.8) < 1e-9);
  assert.deepEqual(s.counts['x'], { missing: 1, out_of_range: 1 });
  const sample = new ColumnSample(10);
  const ranged = new WindowAcc(0, sample, { x: [0, 10] });
  ranged.add(1, ['i', 'x'], [[1, 11], [2, -1], [3, 4]], outputs([0, 0, 0], [0.5, 0.5, 0.5]), roles, true);
  ranged.add(2, ['i', 'x'], [[4, 'text']], outputs([1], [0.5]), roles, true);
  const first = ranged.finish(1, ['i', 'x']);
  assert.deepEqual(first.counts['x'], { missing: 0, out_of_range: 2 });
  assert.equal(first.version, 1, 'the version that served most instances');
  assert.ok('values' in (first.columns[1] ?? {}), 'a column that met text');
  // The next window reuses the sample: emptied, its text column numeric again, nothing of the first left.
  const next = new WindowAcc(1, sample, {});
  next.add(2, ['i', 'x'], [[7, 8]], outputs([1], [0.9]), roles, true);
  next.add(2, ['i', 'x'], [[9, 10]], new Map([['probability', { type: 'float32', perRow: [0.9], rowShape: [1] }], ['label', { type: 'string', perRow: ['1'], rowShape: [1] }]]) as RunOutputs, roles, true);
  const second = decodeWindowSample(next.finish(2, ['i', 'x']));
  assert.equal(second.size, 2);
  assert.deepEqual(second.columns, [[7, 9], [8, 10]]);
  assert.equal(second.version, 2);
  assert.deepEqual(second.prediction_distribution, { '1': 2 }, 'the label 1 and the label "1" are one label');
});

test('output roles, confidence and label comparison', () => {
  assert.deepEqual(outputRoles(['output_label', 'output_probability'], 'classification'), { prediction: 'output_label', probability: 'output_probability' });
  assert.deepEqual(outputRoles(['prediction'], 'regression'), { prediction: 'prediction', probability: undefined });
  assert.equal(confidenceOf([0.1, 0.7, 0.2]), 0.7);
  assert.equal(confidenceOf(0.2), 0.8);
  assert.ok(sameLabel('1', 1) && sameLabel(true, 1) && sameLabel('yes', 'yes'));
  assert.ok(!sameLabel('', 0) && !sameLabel(2, 1));
});

test('the serving log rotates past its limit and keeps one old file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-log-'));
  try {
    const log = new RotatingLog(join(dir, 'd.log'), 1000);
    for (let i = 0; i < 100; i++) log.write(Buffer.from(`line ${String(i).padStart(3, '0')} ${'x'.repeat(40)}\n`));
    log.end();
    assert.ok(statSync(join(dir, 'd.log')).size <= 1000);
    assert.ok(existsSync(join(dir, 'd.log.1')));
    assert.match(readFileSync(join(dir, 'd.log'), 'utf8'), /line 099/);
    assert.ok(!existsSync(join(dir, 'd.log.2')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
