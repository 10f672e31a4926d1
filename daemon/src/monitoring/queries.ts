/**
 * Figures computed from stored aggregates only: the recent span's latency, errors and throughput
 * (merged slice histograms), accuracy of labelled predictions, the dashboards' time series and
 * windows. No query hands out per-request rows.
 */
import { LATENCY_HISTOGRAM, type AccuracyFigures, type SeriesPoint, type WindowResult } from '../../../schemas/src/monitoring';
import { addSparse, quantileMs } from '../../../shared/src/monitoring/histogram';
import { type AccuracyRow, type MonitoringStore, type SliceRow } from './store';

export type Task = 'classification' | 'regression' | null;

export function accuracyFigures(task: Task, row: AccuracyRow | undefined): AccuracyFigures {
  const n = row?.labelled ?? 0;
  if (!row || !n) return { task, labelled: 0, accuracy: null, mae: null, rmse: null };
  if (task === 'regression') return { task, labelled: n, accuracy: null, mae: row.mae, rmse: row.mse === null ? null : Math.sqrt(row.mse) };
  return { task, labelled: n, accuracy: (row.correct ?? 0) / n, mae: null, rmse: null };
}

interface SliceSum {
  requests: number;
  errors: number;
  predictions: number;
  hist: Float64Array;
  inFlight: number;
  versions: Map<number, number>;
  cpu: number[];
  rss: number[];
}

export function sumSlices(rows: readonly SliceRow[]): SliceSum {
  const s: SliceSum = { requests: 0, errors: 0, predictions: 0, hist: new Float64Array(LATENCY_HISTOGRAM.buckets), inFlight: 0, versions: new Map(), cpu: [], rss: [] };
  for (const r of rows) {
    s.requests += r.requests;
    s.errors += r.errors;
    s.predictions += r.predictions;
    addSparse(s.hist, JSON.parse(r.latency) as [number, number][]);
    s.inFlight = Math.max(s.inFlight, r.in_flight_max);
    if (r.version) s.versions.set(r.version, (s.versions.get(r.version) ?? 0) + r.requests);
    if (r.cpu_pct !== null) s.cpu.push(r.cpu_pct);
    if (r.rss_mb !== null) s.rss.push(r.rss_mb);
  }
  return s;
}

function mainVersion(versions: Map<number, number>): number | null {
  let best: number | null = null;
  let n = -1;
  for (const [v, c] of versions) if (c > n) [best, n] = [v, c];
  return best;
}

const round = (x: number, d = 3): number => Math.round(x * 10 ** d) / 10 ** d;

/** The figures of a span of slices as a (not stored) window result. */
export function spanFigures(deployment: string, rows: readonly SliceRow[], fromMs: number, toMs: number, accuracy: AccuracyFigures, version: number | null): WindowResult {
  const s = sumSlices(rows);
  return {
    id: null,
    deployment,
    version: version ?? mainVersion(s.versions),
    start: new Date(fromMs).toISOString(),
    end: new Date(toMs).toISOString(),
    predictions: s.predictions,
    requests: s.requests,
    errors: s.errors,
    error_rate: s.requests ? round(s.errors / s.requests, 5) : null,
    throughput_rps: round(s.requests / Math.max(1, (toMs - fromMs) / 1000)),
    latency: { p50_ms: quantileMs(s.hist, 0.5), p95_ms: quantileMs(s.hist, 0.95), p99_ms: quantileMs(s.hist, 0.99) },
    accuracy,
    prediction_distribution: {},
    mean_confidence: null,
    drift: null,
  };
}

/** Slices grouped into steps of `stepMs`, one point per step that has data. */
export function seriesPoints(rows: readonly SliceRow[], stepMs: number): SeriesPoint[] {
  const groups = new Map<number, SliceRow[]>();
  for (const r of rows) {
    const k = r.start_ms - (r.start_ms % stepMs);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(r);
  }
  return [...groups.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([start, g]) => {
      const s = sumSlices(g);
      const avg = (xs: number[]): number | null => (xs.length ? round(xs.reduce((a, b) => a + b, 0) / xs.length, 1) : null);
      return {
        time: new Date(start).toISOString(),
        requests: s.requests,
        errors: s.errors,
        error_rate: s.requests ? round(s.errors / s.requests, 5) : null,
        throughput_rps: round(s.requests / (stepMs / 1000)),
        p50_ms: quantileMs(s.hist, 0.5),
        p95_ms: quantileMs(s.hist, 0.95),
        p99_ms: quantileMs(s.hist, 0.99),
        in_flight: s.inFlight,
        version: mainVersion(s.versions),
        versions: [...s.versions.keys()].sort((a, b) => a - b),
        cpu_pct: avg(s.cpu),
        rss_mb: s.rss.length ? Math.max(...s.rss) : null,
      };
    });
}

/**
 * Most points a series answer holds. A day of per-minute steps (1,440, what the dashboards ask for
 * "last day") fits; a week asked at the slice comes back in steps of about 3.5 minutes (at 10 s
 * slices) rather than in 60,480 points. About 220 bytes of JSON a point: a day is ~310 KB, the cap ~650 KB.
 */
export const MAX_SERIES_POINTS = 3000;

/** A range query's bounds and step: at most MAX_SERIES_POINTS points, never finer than the slice, a whole number of slices. */
export function rangeOf(q: { from?: string | undefined; to?: string | undefined; step?: number | undefined }, sliceMs: number, now = Date.now()): { fromMs: number; toMs: number; stepMs: number } {
  const toMs = q.to ? Date.parse(q.to) : now;
  const fromMs = q.from ? Date.parse(q.from) : toMs - 3_600_000;
  const span = Math.max(0, toMs - fromMs);
  const minStep = Math.max(sliceMs, Math.ceil(span / MAX_SERIES_POINTS / sliceMs) * sliceMs);
  const stepMs = Math.max(q.step ? Math.ceil((q.step * 1000) / sliceMs) * sliceMs : sliceMs, minStep);
  return { fromMs, toMs, stepMs };
}

export function storedWindow(store: MonitoringStore, deployment: string, id: number): WindowResult | undefined {
  const row = store.window(deployment, id);
  return row ? (JSON.parse(row.result) as WindowResult) : undefined;
}
