/**
 * L2-regularised logistic regression by full-batch gradient descent on standardised features, in Float64Arrays.
 * Gradient descent (rather than Newton) keeps `learning_rate` and `epochs` meaningful, so two parameter sets give
 * two genuinely different models for the registry to compare.
 */
import { Rng } from './random';

export interface TrainParams {
  learning_rate: number;
  epochs: number;
  l2: number;
  seed: number;
}

export interface Standardizer {
  mean: Float64Array;
  std: Float64Array;
}

export interface LogisticModel {
  /** Weights on standardised features. */
  weights: Float64Array;
  bias: number;
  scaler: Standardizer;
  /** Training loss (mean log loss + L2 term) after each epoch. */
  losses: number[];
}

/** Column means and standard deviations of a row-major n×f matrix; a constant column gets std 1. */
export function fitStandardizer(x: Float64Array, n: number, f: number): Standardizer {
  const mean = new Float64Array(f);
  const std = new Float64Array(f);
  for (let i = 0; i < n; i++) for (let j = 0; j < f; j++) mean[j]! += x[i * f + j]! / n;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < f; j++) {
      const d = x[i * f + j]! - mean[j]!;
      std[j]! += (d * d) / n;
    }
  }
  for (let j = 0; j < f; j++) std[j] = std[j]! > 1e-24 ? Math.sqrt(std[j]!) : 1;
  return { mean, std };
}

function standardize(x: Float64Array, n: number, f: number, s: Standardizer): Float64Array {
  const z = new Float64Array(n * f);
  for (let i = 0; i < n; i++) for (let j = 0; j < f; j++) z[i * f + j] = (x[i * f + j]! - s.mean[j]!) / s.std[j]!;
  return z;
}

const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

export function fitLogistic(x: Float64Array, y: Float64Array, n: number, f: number, p: TrainParams): LogisticModel {
  const scaler = fitStandardizer(x, n, f);
  const z = standardize(x, n, f, scaler);
  const rng = new Rng(p.seed);
  const w = new Float64Array(f).map(() => rng.normal(0, 0.01));
  let b = 0;
  const grad = new Float64Array(f);
  const losses: number[] = [];
  for (let epoch = 0; epoch < p.epochs; epoch++) {
    grad.fill(0);
    let gb = 0;
    let loss = 0;
    for (let i = 0; i < n; i++) {
      let s = b;
      for (let j = 0; j < f; j++) s += w[j]! * z[i * f + j]!;
      const prob = sigmoid(s);
      const err = prob - y[i]!;
      loss += logLossTerm(prob, y[i]!);
      gb += err;
      for (let j = 0; j < f; j++) grad[j]! += err * z[i * f + j]!;
    }
    let penalty = 0;
    for (let j = 0; j < f; j++) {
      w[j]! -= p.learning_rate * (grad[j]! / n + p.l2 * w[j]!);
      penalty += w[j]! * w[j]!;
    }
    b -= p.learning_rate * (gb / n);
    losses.push(loss / n + (p.l2 / 2) * penalty);
  }
  return { weights: w, bias: b, scaler, losses };
}

/** Probabilities for raw (unstandardised) rows. */
export function predictProba(m: LogisticModel, x: Float64Array, n: number, f: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = m.bias;
    for (let j = 0; j < f; j++) s += (m.weights[j]! * (x[i * f + j]! - m.scaler.mean[j]!)) / m.scaler.std[j]!;
    out[i] = sigmoid(s);
  }
  return out;
}

function logLossTerm(p: number, y: number): number {
  const q = Math.min(1 - 1e-15, Math.max(1e-15, p));
  return -(y * Math.log(q) + (1 - y) * Math.log(1 - q));
}

export interface ClassificationMetrics {
  accuracy: number;
  auc: number;
  log_loss: number;
}

export function classificationMetrics(y: Float64Array, p: Float64Array): ClassificationMetrics {
  let correct = 0;
  let loss = 0;
  for (let i = 0; i < y.length; i++) {
    if ((p[i]! > 0.5 ? 1 : 0) === y[i]) correct++;
    loss += logLossTerm(p[i]!, y[i]!);
  }
  return { accuracy: correct / y.length, auc: rocAuc(y, p), log_loss: loss / y.length };
}

/** ROC AUC as the Mann–Whitney statistic, with tied scores sharing their average rank. */
export function rocAuc(y: Float64Array, p: Float64Array): number {
  const order = Array.from(p.keys()).sort((a, b) => p[a]! - p[b]!);
  let rankSumPos = 0;
  let nPos = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && p[order[j + 1]!] === p[order[i]!]) j++;
    const avgRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (y[order[k]!] === 1) {
        rankSumPos += avgRank;
        nPos++;
      }
    }
    i = j + 1;
  }
  const nNeg = y.length - nPos;
  if (nPos === 0 || nNeg === 0) return Number.NaN;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}
