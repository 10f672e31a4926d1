/**
 * The four alert rules, each a pure function of the figures monitoring computed: latency (p95 of the
 * recent slices above `latency.p95_ms`), error_rate (5xx share above `error_rate.max`), drift (the last
 * window's dataset-level verdict, naming the drifted features) and accuracy (labelled predictions of
 * the served version below `accuracy.min`, or MAE above `accuracy.mae_max`).
 */
import { type DriftEvidenceFeature, type WindowResult, type WindowSpan } from '../../../../schemas/src/monitoring';
import { type MonitoringSettings } from '../../../../shared/src/monitoring/config';
import { type Condition } from './alerts';

/** Fewer requests than this in the recent span cannot open an error-rate alert (one failure in three is noise). */
export const MIN_REQUESTS_FOR_ERROR_RATE = 10;

function span(w: WindowResult): WindowSpan {
  return { id: w.id, start: w.start, end: w.end, predictions: w.predictions };
}

const fmt = (n: number | null, digits = 1): string => (n === null ? 'n/a' : n.toFixed(digits));

export function latencyRule(m: MonitoringSettings, recent: WindowResult): Condition {
  const p95 = recent.latency.p95_ms;
  const threshold = m.latency.p95_ms;
  const breached = recent.requests > 0 && p95 !== null && p95 > threshold;
  const message = recent.requests === 0 ? 'no requests in the recent span' : `p95 latency ${fmt(p95)} ms ${breached ? '>' : '≤'} ${threshold} ms over ${recent.requests} requests`;
  return { kind: 'latency', breached, version: recent.version, evidence: { values: { p95_ms: p95, p50_ms: recent.latency.p50_ms, p99_ms: recent.latency.p99_ms, requests: recent.requests }, threshold, window: span(recent), message } };
}

export function errorRateRule(m: MonitoringSettings, recent: WindowResult): Condition {
  const threshold = m.error_rate.max;
  const rate = recent.error_rate;
  let breached: boolean | null = rate !== null && rate > threshold;
  if (recent.requests === 0) breached = false;
  else if (recent.requests < MIN_REQUESTS_FOR_ERROR_RATE && breached) breached = null;
  const message = recent.requests === 0 ? 'no requests in the recent span' : `error rate ${fmt((rate ?? 0) * 100, 2)} % (${recent.errors} of ${recent.requests}) ${rate !== null && rate > threshold ? '>' : '≤'} ${fmt(threshold * 100, 2)} %`;
  return { kind: 'error_rate', breached, version: recent.version, evidence: { values: { error_rate: rate, errors: recent.errors, requests: recent.requests }, threshold, window: span(recent), message } };
}

export function driftRule(m: MonitoringSettings, last: WindowResult | null): Condition | undefined {
  const d = last?.drift;
  if (!last || !d || d.reference === null || d.note) return undefined;
  const features: DriftEvidenceFeature[] = d.features
    .filter((f) => f.drifted && f.test)
    .map((f) => ({ name: f.name, test: f.test as NonNullable<typeof f.test>, statistic: f.statistic, p_value: f.p_value, distance: f.distance, threshold: f.threshold ?? m.drift.threshold }));
  const message = d.drifted
    ? `${features.length} of ${d.features.filter((f) => f.test).length} features drifted against ${d.reference} (share ${fmt(d.share, 2)} ≥ ${m.drift.share}): ${features.map((f) => f.name).join(', ')}`
    : `no dataset drift against ${d.reference} (share ${fmt(d.share, 2)} < ${m.drift.share})`;
  return { kind: 'drift', breached: d.drifted, version: last.version, evidence: { values: { drift_share: d.share, drifted_features: features.length }, threshold: m.drift.share, window: span(last), features, message } };
}

export function accuracyRule(m: MonitoringSettings, scope: WindowResult): Condition | undefined {
  const a = m.accuracy;
  const acc = scope.accuracy;
  if (!a || (a.min === undefined && a.mae_max === undefined)) return undefined;
  const enough = acc.labelled >= a.min_labels;
  if (a.min !== undefined && acc.task !== 'regression') {
    const breached = enough ? acc.accuracy !== null && acc.accuracy < a.min : null;
    const message = enough ? `accuracy ${fmt((acc.accuracy ?? 0) * 100)} % on ${acc.labelled} labelled predictions ${breached ? '<' : '≥'} ${fmt(a.min * 100)} %` : `${acc.labelled} labelled predictions (need ${a.min_labels})`;
    return { kind: 'accuracy', breached, version: scope.version, evidence: { values: { accuracy: acc.accuracy, labelled: acc.labelled }, threshold: a.min, window: span(scope), message } };
  }
  if (a.mae_max === undefined) return undefined;
  const breached = enough ? acc.mae !== null && acc.mae > a.mae_max : null;
  const message = enough ? `MAE ${fmt(acc.mae, 4)} on ${acc.labelled} labelled predictions ${breached ? '>' : '≤'} ${a.mae_max}` : `${acc.labelled} labelled predictions (need ${a.min_labels})`;
  return { kind: 'accuracy', breached, version: scope.version, evidence: { values: { mae: acc.mae, rmse: acc.rmse, labelled: acc.labelled }, threshold: a.mae_max, window: span(scope), message } };
}
