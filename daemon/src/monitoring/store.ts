/**
 * Monitoring tables (migration 6): slices, predictions, feedback, windows with their distributions,
 * alerts and silences. Statements are prepared once; every write is one synchronous transaction.
 */
import { type SliceStats } from '../../../schemas/src/monitoring';
import { type LoggedPrediction } from '../../../schemas/src/monitoring-wire';
import { type Db } from '../store/db';

export interface SliceRow {
  start_ms: number;
  version: number;
  requests: number;
  errors: number;
  client_errors: number;
  predictions: number;
  latency: string;
  in_flight_max: number;
  cpu_pct: number | null;
  rss_mb: number | null;
}

export interface PredictionRow {
  id: number;
  deployment: string;
  request_id: string;
  time_ms: number;
  version: number;
  latency_ms: number;
  status: number;
  outputs: string;
  /** JSON text, or binary rows (schemas/src/monitoring-wire.ts, BINARY_INPUTS_HEADER). */
  inputs: string | Buffer | null;
  predicted: string | null;
  predicted_num: number | null;
}

export interface WindowRow {
  id: number;
  deployment: string;
  version: number | null;
  start_ms: number;
  end_ms: number;
  predictions: number;
  drifted: number;
  result: string;
}

export interface AccuracyRow {
  labelled: number;
  correct: number | null;
  mae: number | null;
  mse: number | null;
}

export class MonitoringStore {
  private readonly s;

  constructor(private readonly db: Db) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      getSlice: p('SELECT * FROM mon_slices WHERE deployment = ? AND start_ms = ? AND version = ?'),
      insertSlice: p(`INSERT INTO mon_slices (deployment, start_ms, version, requests, errors, client_errors, predictions, latency, in_flight_max, cpu_pct, rss_mb)
        VALUES (@deployment, @start_ms, @version, @requests, @errors, @client_errors, @predictions, @latency, @in_flight_max, @cpu_pct, @rss_mb)`),
      updateSlice: p(`UPDATE mon_slices SET requests = @requests, errors = @errors, client_errors = @client_errors, predictions = @predictions,
        latency = @latency, in_flight_max = @in_flight_max, cpu_pct = @cpu_pct, rss_mb = @rss_mb WHERE deployment = @deployment AND start_ms = @start_ms AND version = @version`),
      slices: p('SELECT * FROM mon_slices WHERE deployment = ? AND start_ms >= ? AND start_ms < ? ORDER BY start_ms'),
      upsertPrediction: p(`INSERT INTO mon_predictions (deployment, request_id, time_ms, version, latency_ms, status, outputs, inputs, predicted, predicted_num)
        VALUES (@deployment, @request_id, @time_ms, @version, @latency_ms, @status, @outputs, @inputs, @predicted, @predicted_num)
        ON CONFLICT (deployment, request_id) DO UPDATE SET time_ms = excluded.time_ms, version = excluded.version, latency_ms = excluded.latency_ms,
          status = excluded.status, outputs = excluded.outputs, inputs = excluded.inputs, predicted = excluded.predicted, predicted_num = excluded.predicted_num`),
      predictionIn: p('SELECT * FROM mon_predictions WHERE deployment = ? AND request_id = ?'),
      // Each deployment found by index jumps (min over the unique index), then (deployment, request_id).
      predictionAny: p(`WITH RECURSIVE d(name) AS (SELECT min(deployment) FROM mon_predictions
          UNION ALL SELECT (SELECT min(deployment) FROM mon_predictions WHERE deployment > d.name) FROM d WHERE d.name IS NOT NULL)
        SELECT p.* FROM d JOIN mon_predictions p ON p.deployment = d.name AND p.request_id = ? ORDER BY p.time_ms DESC LIMIT 1`),
      feedbackOf: p('SELECT label, received_ms FROM mon_feedback WHERE prediction_id = ?'),
      upsertFeedback: p(`INSERT INTO mon_feedback (prediction_id, label, label_num, correct, received_ms) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (prediction_id) DO UPDATE SET label = excluded.label, label_num = excluded.label_num, correct = excluded.correct, received_ms = excluded.received_ms`),
      hasFeedback: p('SELECT 1 FROM mon_feedback WHERE prediction_id = ?'),
      accuracyLast: p(`SELECT count(*) AS labelled, sum(f.correct) AS correct, avg(abs(f.label_num - p.predicted_num)) AS mae,
          avg((f.label_num - p.predicted_num) * (f.label_num - p.predicted_num)) AS mse
        FROM (SELECT id, predicted_num FROM mon_predictions WHERE deployment = ? AND version = ? AND status < 400 ORDER BY id DESC LIMIT ?) p
        JOIN mon_feedback f ON f.prediction_id = p.id`),
      accuracyRange: p(`SELECT count(*) AS labelled, sum(f.correct) AS correct, avg(abs(f.label_num - p.predicted_num)) AS mae,
          avg((f.label_num - p.predicted_num) * (f.label_num - p.predicted_num)) AS mse
        FROM mon_predictions p JOIN mon_feedback f ON f.prediction_id = p.id
        WHERE p.deployment = ? AND p.version = ? AND p.time_ms >= ? AND p.time_ms <= ?`),
      insertWindow: p('INSERT INTO mon_windows (deployment, version, start_ms, end_ms, predictions, drifted, result) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      setWindowResult: p('UPDATE mon_windows SET result = ? WHERE id = ?'),
      insertDistribution: p('INSERT OR REPLACE INTO mon_distributions (window_id, feature, data) VALUES (?, ?, ?)'),
      windows: p('SELECT * FROM mon_windows WHERE deployment = ? AND end_ms >= ? AND start_ms <= ? ORDER BY end_ms LIMIT 2000'),
      lastWindow: p('SELECT * FROM mon_windows WHERE deployment = ? ORDER BY id DESC LIMIT 1'),
      firstWindowOf: p('SELECT * FROM mon_windows WHERE deployment = ? AND version = ? ORDER BY id LIMIT 1'),
      window: p('SELECT * FROM mon_windows WHERE id = ? AND deployment = ?'),
      distribution: p('SELECT data FROM mon_distributions WHERE window_id = ? AND feature = ?'),
      pruneSlices: p('DELETE FROM mon_slices WHERE deployment = ? AND start_ms < ?'),
      prunePredictionsOld: p('DELETE FROM mon_predictions WHERE deployment = ? AND time_ms < ?'),
      prunePredictionsOver: p(`DELETE FROM mon_predictions WHERE deployment = ? AND id <=
        (SELECT id FROM mon_predictions WHERE deployment = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`),
      pruneWindows: p('DELETE FROM mon_windows WHERE deployment = ? AND end_ms < ?'),
      pruneAlerts: p("DELETE FROM mon_alerts WHERE deployment = ? AND state = 'resolved' AND resolved_at < ?"),
      counts: p(`SELECT (SELECT count(*) FROM mon_slices WHERE deployment = @d) AS slices, (SELECT count(*) FROM mon_predictions WHERE deployment = @d) AS predictions,
        (SELECT count(*) FROM mon_windows WHERE deployment = @d) AS windows`),
    };
  }

  /** Stores one flush: slices added to what a slice already holds, predictions replacing a repeated request id. */
  ingest(deployment: string, slices: SliceStats[], predictions: LoggedPrediction[], merge: (a: string, b: [number, number][]) => string): void {
    this.db.transaction(() => {
      for (const sl of slices) {
        const row = {
          deployment,
          start_ms: sl.start_ms,
          version: sl.version ?? 0,
          requests: sl.requests,
          errors: sl.errors,
          client_errors: sl.client_errors,
          predictions: sl.predictions,
          latency: JSON.stringify(sl.latency),
          in_flight_max: sl.in_flight_max,
          cpu_pct: sl.cpu_pct,
          rss_mb: sl.rss_mb,
        };
        const old = this.s.getSlice.get(deployment, row.start_ms, row.version) as SliceRow | undefined;
        if (!old) this.s.insertSlice.run(row);
        else {
          this.s.updateSlice.run({
            ...row,
            requests: old.requests + row.requests,
            errors: old.errors + row.errors,
            client_errors: old.client_errors + row.client_errors,
            predictions: old.predictions + row.predictions,
            latency: merge(old.latency, sl.latency),
            in_flight_max: Math.max(old.in_flight_max, row.in_flight_max),
          });
        }
      }
      for (const p of predictions) {
        const predicted = p.predicted;
        this.s.upsertPrediction.run({
          deployment,
          request_id: p.request_id,
          time_ms: p.time_ms,
          version: p.version,
          latency_ms: p.latency_ms,
          status: p.status,
          outputs: p.outputs,
          inputs: p.inputs,
          predicted: predicted === null ? null : String(predicted),
          predicted_num: typeof predicted === 'number' ? predicted : null,
        });
      }
    })();
  }

  slices(deployment: string, fromMs: number, toMs: number): (SliceRow & { deployment: string })[] {
    return this.s.slices.all(deployment, fromMs, toMs) as (SliceRow & { deployment: string })[];
  }

  prediction(requestId: string, deployment?: string): PredictionRow | undefined {
    return (deployment ? this.s.predictionIn.get(deployment, requestId) : this.s.predictionAny.get(requestId)) as PredictionRow | undefined;
  }

  feedbackOf(predictionId: number): { label: string; received_ms: number } | undefined {
    return this.s.feedbackOf.get(predictionId) as { label: string; received_ms: number } | undefined;
  }

  /** Stores labels in one transaction; `judge` says whether each is right. Returns how many replaced an earlier label. */
  saveFeedback(items: { prediction: PredictionRow; label: string; labelNum: number | null; correct: boolean | null }[]): number {
    let replaced = 0;
    const now = Date.now();
    this.db.transaction(() => {
      for (const it of items) {
        if (this.s.hasFeedback.get(it.prediction.id)) replaced++;
        this.s.upsertFeedback.run(it.prediction.id, it.label, it.labelNum, it.correct === null ? null : Number(it.correct), now);
      }
    })();
    return replaced;
  }

  accuracyLast(deployment: string, version: number, lastN: number): AccuracyRow {
    return this.s.accuracyLast.get(deployment, version, lastN) as AccuracyRow;
  }

  accuracyRange(deployment: string, version: number, fromMs: number, toMs: number): AccuracyRow {
    return this.s.accuracyRange.get(deployment, version, fromMs, toMs) as AccuracyRow;
  }

  saveWindow(deployment: string, version: number | null, startMs: number, endMs: number, predictions: number, drifted: boolean, result: (id: number) => unknown, distributions: Map<string, unknown>): number {
    return this.db.transaction(() => {
      const id = Number(this.s.insertWindow.run(deployment, version, startMs, endMs, predictions, Number(drifted), '{}').lastInsertRowid);
      this.s.setWindowResult.run(JSON.stringify(result(id)), id);
      for (const [feature, data] of distributions) this.s.insertDistribution.run(id, feature, JSON.stringify(data));
      return id;
    })();
  }

  windows(deployment: string, fromMs: number, toMs: number): WindowRow[] {
    return this.s.windows.all(deployment, fromMs, toMs) as WindowRow[];
  }

  lastWindow(deployment: string): WindowRow | undefined {
    return this.s.lastWindow.get(deployment) as WindowRow | undefined;
  }

  firstWindowOf(deployment: string, version: number): WindowRow | undefined {
    return this.s.firstWindowOf.get(deployment, version) as WindowRow | undefined;
  }

  window(deployment: string, id: number): WindowRow | undefined {
    return this.s.window.get(id, deployment) as WindowRow | undefined;
  }

  distribution(windowId: number, feature: string): string | undefined {
    return (this.s.distribution.get(windowId, feature) as { data: string } | undefined)?.data;
  }

  /** Removes what is past the horizon, and predictions beyond the per-deployment cap. */
  prune(deployment: string, horizonMs: number, maxPredictions: number, now = Date.now()): void {
    const cut = now - horizonMs;
    this.db.transaction(() => {
      this.s.pruneSlices.run(deployment, cut);
      this.s.prunePredictionsOld.run(deployment, cut);
      this.s.prunePredictionsOver.run(deployment, deployment, maxPredictions);
      this.s.pruneWindows.run(deployment, cut);
      this.s.pruneAlerts.run(deployment, new Date(cut).toISOString());
    })();
  }

  counts(deployment: string): { slices: number; predictions: number; windows: number } {
    return this.s.counts.get({ d: deployment }) as { slices: number; predictions: number; windows: number };
  }
}
