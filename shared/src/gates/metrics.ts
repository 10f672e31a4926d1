/**
 * The holdout gate's metrics, computed as scikit-learn's `sklearn.metrics` computes them (checked
 * against it on the same data in test/unit/gates/metrics.test.ts): accuracy_score, roc_auc_score
 * (binary, ties by average rank), f1_score (binary with the greater class positive, macro average
 * for more classes), log_loss (probabilities clipped to double eps, rows renormalised),
 * mean_squared_error (square-rooted), mean_absolute_error and r2_score (force_finite).
 */
import { type HoldoutMetric } from '../../../schemas/src/mlops-yaml';

export type Label = number | string;

/** Class labels in scikit-learn's `classes_` order: numbers ascending, else text order. */
export function sortedClasses(labels: Label[]): Label[] {
  const distinct = [...new Set(labels)];
  return distinct.every((l) => typeof l === 'number') ? (distinct as number[]).sort((a, b) => a - b) : distinct.map(String).sort();
}

export function accuracy(yTrue: Label[], yPred: Label[]): number {
  let hit = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) hit++;
  return hit / yTrue.length;
}

/** Area under the ROC curve by the rank-sum (Mann–Whitney U) identity, ties sharing their average rank. */
export function rocAuc(isPositive: boolean[], score: number[]): number {
  const order = score.map((s, i) => [s, i] as const).sort((a, b) => a[0] - b[0]);
  let rankSumPos = 0;
  let pos = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && (order[j + 1] as readonly [number, number])[0] === (order[i] as readonly [number, number])[0]) j++;
    const avgRank = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) {
      if (isPositive[(order[k] as readonly [number, number])[1]]) {
        rankSumPos += avgRank;
        pos++;
      }
    }
    i = j + 1;
  }
  const neg = order.length - pos;
  if (pos === 0 || neg === 0) throw new MetricError('AUC needs both classes in the holdout labels; it has only one');
  return (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}

function f1For(yTrue: Label[], yPred: Label[], positive: Label): number {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i] === positive;
    const p = yPred[i] === positive;
    if (t && p) tp++;
    else if (p) fp++;
    else if (t) fn++;
  }
  return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
}

export function f1(yTrue: Label[], yPred: Label[]): number {
  const classes = sortedClasses([...yTrue, ...yPred]);
  if (classes.length <= 2) return f1For(yTrue, yPred, classes[classes.length - 1] as Label);
  return classes.reduce<number>((a, c) => a + f1For(yTrue, yPred, c), 0) / classes.length;
}

/** `probs[i][k]` is the probability of `classes[k]` for row i. */
export function logLoss(yTrue: Label[], probs: number[][], classes: Label[]): number {
  const eps = Number.EPSILON;
  let sum = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const row = (probs[i] as number[]).map((p) => Math.min(Math.max(p, eps), 1 - eps));
    const total = row.reduce((a, b) => a + b, 0);
    const k = classes.indexOf(yTrue[i] as Label);
    if (k < 0) throw new MetricError(`label ${String(yTrue[i])} of holdout row ${i + 1} is not one of the model's classes (${classes.join(', ')})`);
    sum -= Math.log((row[k] as number) / total);
  }
  return sum / yTrue.length;
}

export function rmse(y: number[], p: number[]): number {
  return Math.sqrt(y.reduce((a, v, i) => a + (v - (p[i] as number)) ** 2, 0) / y.length);
}

export function mae(y: number[], p: number[]): number {
  return y.reduce((a, v, i) => a + Math.abs(v - (p[i] as number)), 0) / y.length;
}

export function r2(y: number[], p: number[]): number {
  const mean = y.reduce((a, b) => a + b, 0) / y.length;
  const ssRes = y.reduce((a, v, i) => a + (v - (p[i] as number)) ** 2, 0);
  const ssTot = y.reduce((a, v) => a + (v - mean) ** 2, 0);
  if (ssTot === 0) return ssRes === 0 ? 1 : 0;
  return 1 - ssRes / ssTot;
}

/** The data cannot give this metric (one class only, an unknown label): the gate cannot run. */
export class MetricError extends Error {}

/** What a model predicted for the holdout rows, in the form each metric needs. */
export interface Predictions {
  labels?: Label[];
  /** Per row, one probability per class of `classes`. */
  probabilities?: number[][];
  classes?: Label[];
  values?: number[];
}

export function computeMetric(metric: HoldoutMetric, yTrue: Label[], p: Predictions): number {
  if (metric === 'rmse' || metric === 'mae' || metric === 'r2') {
    if (!p.values) throw new MetricError(`${metric} needs a regression output; the model gives class labels`);
    const y = yTrue.map((v) => (typeof v === 'number' ? v : Number.NaN));
    if (y.some((v) => Number.isNaN(v))) throw new MetricError(`${metric} needs numeric labels`);
    return metric === 'rmse' ? rmse(y, p.values) : metric === 'mae' ? mae(y, p.values) : r2(y, p.values);
  }
  if (metric === 'accuracy' || metric === 'f1') {
    if (!p.labels) throw new MetricError(`${metric} needs a label output; the model has none`);
    return metric === 'accuracy' ? accuracy(yTrue, p.labels) : f1(yTrue, p.labels);
  }
  if (!p.probabilities || !p.classes) throw new MetricError(`${metric} needs a probability output; the model has none`);
  if (metric === 'log_loss') return logLoss(yTrue, p.probabilities, p.classes);
  if (p.classes.length !== 2) throw new MetricError(`auc is computed for two classes; the model has ${p.classes.length}`);
  const positive = p.classes[1] as Label;
  return rocAuc(yTrue.map((y) => y === positive), p.probabilities.map((r) => r[1] as number));
}
