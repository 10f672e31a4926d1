/**
 * Prediction drift for regressions: a window's predicted values against the version's first window by
 * a two-sample KS test (classifiers compare label counts by chi-square). 1,000-value samples: a
 * shift of a quarter standard deviation is caught, a fresh draw from the same distribution is not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mlopsConfigSchema } from '../../../schemas/src/mlops-yaml';
import { type WindowSample } from '../../../schemas/src/monitoring-wire';
import { monitoringFor } from '../../../shared/src/monitoring/config';
import { evaluateWindow, predictedValues } from '../../../daemon/src/monitoring/drift';
import { seeded } from '../../helpers/monitoring';

const settings = monitoringFor(mlopsConfigSchema.parse({ project: { name: 'p' }, deployments: { d: { model: 'm' } } }), 'd');

function normal(rand: () => number, n: number, mean: number): number[] {
  // Box-Muller: enough for a test distribution.
  return Array.from({ length: n }, () => mean + Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand()));
}

function sample(predicted: unknown[]): WindowSample {
  return { start_ms: 0, end_ms: 1, version: 1, predictions: predicted.length, features: [], size: predicted.length, columns: [], predicted, counts: {}, prediction_distribution: {}, confidence_sum: 0, confidence_n: 0 };
}

const noReference = { note: 'no reference' };

test('a regression window whose predictions shifted is flagged by KS against the first window; a same-distribution window is not', () => {
  const rand = seeded(7);
  const baseline = predictedValues(sample([...normal(rand, 1000, 0), null, 'x', Number.NaN]));
  assert.equal(baseline.length, 1000, 'only finite numbers count');
  assert.ok(baseline.every((v, i) => i === 0 || (baseline[i - 1] as number) <= v), 'sorted');
  const same = evaluateWindow(settings, sample(normal(rand, 1000, 0)), baseline, noReference).result.prediction;
  assert.equal(same?.test, 'ks');
  assert.equal(same?.drifted, false, `p = ${same?.p_value}`);
  const shifted = evaluateWindow(settings, sample(normal(rand, 1000, 0.25)), baseline, noReference).result.prediction;
  assert.equal(shifted?.test, 'ks');
  assert.equal(shifted?.drifted, true, `p = ${shifted?.p_value}`);
  assert.ok((shifted?.statistic ?? 0) > (same?.statistic ?? 1));
});

test('without a baseline or predictions there is no prediction drift; classifiers still use chi-square', () => {
  assert.equal(evaluateWindow(settings, sample([1, 2, 3]), undefined, noReference).result.prediction, null);
  assert.equal(evaluateWindow(settings, sample([]), [1, 2, 3], noReference).result.prediction, null);
  const cls = { ...sample([]), prediction_distribution: { '0': 500, '1': 500 } };
  const r = evaluateWindow(settings, cls, { '0': 900, '1': 100 }, noReference).result.prediction;
  assert.equal(r?.test, 'chi2');
  assert.equal(r?.drifted, true);
});
