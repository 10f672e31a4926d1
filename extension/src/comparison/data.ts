/**
 * Host-side shaping of what the Run Comparison webview shows, shared by the views that feed it
 * (experiments: runs; registry: model versions): parameter rows marking differences, and final
 * metric rows with deltas against the first item and the better item marked, knowing whether each
 * metric is better higher or lower. No `vscode` import.
 */
import { type ComparisonData, type MetricDirection } from '../../../schemas/src/webview';

type Scalar = string | number | boolean | null;

export type MetricDirections = Readonly<Record<string, MetricDirection>>;

/** Rows for every key any item has, marking the rows whose values differ. */
export function paramRows(perItem: Record<string, Scalar>[]): ComparisonData['params'] {
  const keys = [...new Set(perItem.flatMap((p) => Object.keys(p)))].sort();
  return keys.map((key) => {
    const values = perItem.map((p) => (key in p ? p[key] : undefined));
    const shown = values.map((v) => JSON.stringify(v ?? null));
    return { key, values, differs: new Set(shown).size > 1 };
  });
}

// Words of a metric name that say which way is better (e.g. "val_loss", "roc_auc", "mean_absolute_error").
const LOWER = new Set(['loss', 'error', 'err', 'rmse', 'mse', 'mae', 'mape', 'smape', 'logloss', 'nll', 'perplexity', 'wer', 'cer', 'latency', 'brier']);
const HIGHER = new Set(['accuracy', 'acc', 'auc', 'roc', 'f1', 'f1score', 'precision', 'recall', 'r2', 'r²', 'map', 'ndcg', 'iou', 'dice', 'bleu', 'rouge', 'score']);

/**
 * Whether a higher or a lower value of `key` is better: the user's setting first (exact key), then
 * the words of the name (loss, error, RMSE, MAE, log loss lower; accuracy, AUC, F1, precision,
 * recall, R² higher); undefined when the name says nothing.
 */
export function metricDirection(key: string, overrides: MetricDirections = {}): MetricDirection | undefined {
  const own = overrides[key];
  if (own) return own;
  const words = key.toLowerCase().split(/[^a-z0-9²]+/).filter(Boolean);
  if (words.some((w) => LOWER.has(w))) return 'lower';
  if (words.some((w) => HIGHER.has(w))) return 'higher';
  return undefined;
}

/** Final values of every metric any item has, with deltas against the first item and the best items. */
export function metricRows(perItem: Record<string, number>[], overrides: MetricDirections = {}): ComparisonData['metrics'] {
  const keys = [...new Set(perItem.flatMap((m) => Object.keys(m)))].sort();
  return keys.map((key) => {
    const values = perItem.map((m) => m[key] ?? null);
    const base = values[0] ?? null;
    const deltas = values.map((v, i) => (i === 0 || v === null || base === null ? null : v - base));
    const direction = metricDirection(key, overrides) ?? null;
    return { key, values, deltas, direction, best: bestItems(values, direction) };
  });
}

/** Indexes of the best values; none when the direction is unknown, fewer than two values exist, or all tie. */
function bestItems(values: (number | null)[], direction: MetricDirection | null): number[] {
  const present = values.filter((v): v is number => v !== null);
  if (!direction || present.length < 2 || present.every((v) => v === present[0])) return [];
  const best = direction === 'higher' ? Math.max(...present) : Math.min(...present);
  return values.flatMap((v, i) => (v === best ? [i] : []));
}
