/** The tracking SQL, prepared once; rows mapped to the wire shapes of schemas/src/tracking.ts. */
import type * as z from 'zod';
import {
  environmentSchema,
  type RunDetail,
  type RunStatus,
  type RunSummary,
  type metricBatchRequest,
} from '../../../schemas/src/tracking';
import { type Db } from '../store/db';
import { type GitInfo } from '../../../schemas/src/tracking';

export interface RunRow {
  id: string;
  seq: number;
  experiment: string;
  name: string;
  status: RunStatus;
  start_time: string;
  end_time: string | null;
  exit_code: number | null;
  command: string;
  git_commit: string | null;
  git_branch: string | null;
  git_dirty: number;
  git_diff_sha256: string | null;
  config_sha256: string | null;
  config: string | null;
  environment: string;
}

export interface NewRun {
  id: string;
  experimentId: number;
  name: string;
  start: string;
  command: string[];
  git: GitInfo;
  configSha: string | null;
  config: Record<string, unknown> | null;
  environment: Partial<z.infer<typeof environmentSchema>>;
}

/** Rows per multi-row INSERT: one statement step per 64 points is several times faster than one per point. */
/**
 * The one definition of a metric's latest point, MLflow's: the highest step, then the latest
 * timestamp, then the largest value (NaN, stored as null, below every number). The summary keeps
 * it on write; the native listings, MLflow's runs/get and runs/search all read it from there, and
 * migration 6 rebuilt older summaries with the same order.
 */
export function isLaterPoint(p: MetricPoint, than: MetricPoint): boolean {
  if (p.step !== than.step) return p.step > than.step;
  if (p.timestamp !== than.timestamp) return p.timestamp > than.timestamp;
  if (than.value === null) return p.value !== null;
  return p.value !== null && p.value > than.value;
}

export interface MetricPoint {
  step: number;
  timestamp: number;
  value: number | null;
}

const POINTS_PER_STATEMENT = 64;

const RUN_SELECT = 'SELECT r.*, e.name AS experiment FROM runs r JOIN experiments e ON e.id = r.experiment_id';

export class RunQueries {
  private readonly s;

  constructor(db: Db) {
    this.s = {
      expByName: db.prepare('SELECT id FROM experiments WHERE name = ?'),
      insertExp: db.prepare('INSERT INTO experiments (name, created_at) VALUES (?, ?)'),
      nextSeq: db.prepare('SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM runs'),
      insertRun: db.prepare(`INSERT INTO runs (id, seq, experiment_id, name, status, start_time, command, git_commit,
        git_branch, git_dirty, git_diff_sha256, config_sha256, config, environment)
        VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM runs), ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      runRow: db.prepare(`${RUN_SELECT} WHERE r.id = ?`),
      listRuns: db.prepare(
        `${RUN_SELECT} WHERE (@experiment IS NULL OR e.name = @experiment) AND (@status IS NULL OR r.status = @status) AND r.seq < @before ORDER BY r.seq DESC LIMIT @limit`,
      ),
      finish: db.prepare('UPDATE runs SET status = ?, end_time = ?, exit_code = ? WHERE id = ?'),
      paramValue: db.prepare('SELECT value FROM run_params WHERE run_id = ? AND key = ?'),
      insertParam: db.prepare('INSERT INTO run_params (run_id, key, value) VALUES (?, ?, ?)'),
      params: db.prepare('SELECT key, value FROM run_params WHERE run_id = ? ORDER BY key'),
      upsertTag: db.prepare(
        'INSERT INTO run_tags (run_id, key, value) VALUES (?, ?, ?) ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value',
      ),
      tags: db.prepare('SELECT key, value FROM run_tags WHERE run_id = ? ORDER BY key'),
      insertPoint: db.prepare('INSERT INTO run_metrics (run_id, key, step, timestamp, value) VALUES (?, ?, ?, ?, ?)'),
      insertPoints: db.prepare(
        `INSERT INTO run_metrics (run_id, key, step, timestamp, value) VALUES ${Array(POINTS_PER_STATEMENT).fill('(?, ?, ?, ?, ?)').join(', ')}`,
      ),
      summary: db.prepare('SELECT * FROM run_metric_summary WHERE run_id = ? AND key = ?'),
      upsertSummary: db.prepare(`INSERT INTO run_metric_summary (run_id, key, last, step, last_timestamp, min, max, count)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, key) DO UPDATE SET last = excluded.last, step = excluded.step,
        last_timestamp = excluded.last_timestamp, min = excluded.min, max = excluded.max, count = excluded.count`),
      summaries: db.prepare('SELECT key, last, step, min, max, count FROM run_metric_summary WHERE run_id = ? ORDER BY key'),
      series: db.prepare('SELECT key, step, timestamp, value FROM run_metrics WHERE run_id = @id AND (@key IS NULL OR key = @key) ORDER BY key, step, rowid'),
      insertArtifact: db.prepare(
        'INSERT INTO run_artifacts (run_id, path, sha256, size) VALUES (?, ?, ?, ?) ON CONFLICT (run_id, path) DO UPDATE SET sha256 = excluded.sha256, size = excluded.size',
      ),
      artifacts: db.prepare('SELECT path, sha256, size FROM run_artifacts WHERE run_id = ? ORDER BY path'),
      insertRunDataset: db.prepare(
        'INSERT INTO run_datasets (run_id, dataset, version) VALUES (?, ?, ?) ON CONFLICT (run_id, dataset) DO UPDATE SET version = excluded.version',
      ),
      runDatasets: db.prepare('SELECT dataset, version FROM run_datasets WHERE run_id = ? ORDER BY dataset'),
      runModels: db.prepare(`SELECT m.name AS model, v.version FROM model_versions v JOIN models m ON m.id = v.model_id
        WHERE v.source_run_id = ? AND v.removed_at IS NULL ORDER BY m.name, v.version`),
      experiments: db.prepare(`SELECT e.name, e.created_at, COUNT(r.id) AS run_count, MAX(r.start_time) AS last_run_time
        FROM experiments e LEFT JOIN runs r ON r.experiment_id = e.id GROUP BY e.id ORDER BY e.name`),
    };
  }

  experimentId(name: string, now: string): number {
    const row = this.s.expByName.get(name) as { id: number } | undefined;
    return row ? row.id : Number(this.s.insertExp.run(name, now).lastInsertRowid);
  }

  nextRunSeq(): number {
    return (this.s.nextSeq.get() as { n: number }).n;
  }

  insertRun(r: NewRun): void {
    this.s.insertRun.run(
      r.id,
      r.experimentId,
      r.name,
      r.start,
      JSON.stringify(r.command),
      r.git.commit,
      r.git.branch,
      r.git.dirty ? 1 : 0,
      r.git.diff_sha256,
      r.configSha,
      r.config ? JSON.stringify(r.config) : null,
      JSON.stringify(r.environment),
    );
  }

  runRow(id: string): RunRow | undefined {
    return this.s.runRow.get(id) as RunRow | undefined;
  }

  listRuns(experiment: string | null, status: string | null, beforeSeq: number, limit: number): RunRow[] {
    return this.s.listRuns.all({ experiment, status, before: beforeSeq, limit }) as RunRow[];
  }

  finishRun(id: string, status: string, end: string, exitCode: number | null): void {
    this.s.finish.run(status, end, exitCode, id);
  }

  paramValue(id: string, key: string): string | undefined {
    return (this.s.paramValue.get(id, key) as { value: string } | undefined)?.value;
  }

  insertParam(id: string, key: string, value: unknown): void {
    this.s.insertParam.run(id, key, JSON.stringify(value));
  }

  upsertTag(id: string, key: string, value: string): void {
    this.s.upsertTag.run(id, key, value);
  }

  insertRunDataset(id: string, dataset: string, version: number): void {
    this.s.insertRunDataset.run(id, dataset, version);
  }

  runDatasets(id: string): { dataset: string; version: number }[] {
    return this.s.runDatasets.all(id) as { dataset: string; version: number }[];
  }

  insertArtifact(id: string, path: string, sha256: string, size: number): void {
    this.s.insertArtifact.run(id, path, sha256, size);
  }

  insertMetricPoints(id: string, b: z.infer<typeof metricBatchRequest>): void {
    const n = b.keys.length;
    const full = n - (n % POINTS_PER_STATEMENT);
    const args: unknown[] = new Array(POINTS_PER_STATEMENT * 5);
    for (let start = 0; start < full; start += POINTS_PER_STATEMENT) {
      for (let j = 0; j < POINTS_PER_STATEMENT; j++) {
        const i = start + j;
        args[j * 5] = id;
        args[j * 5 + 1] = b.keys[i];
        args[j * 5 + 2] = b.steps[i];
        args[j * 5 + 3] = b.timestamps[i];
        args[j * 5 + 4] = b.values[i] ?? null;
      }
      this.s.insertPoints.run(args);
    }
    for (let i = full; i < n; i++) this.s.insertPoint.run(id, b.keys[i], b.steps[i], b.timestamps[i], b.values[i] ?? null);
  }

  /** Folds a batch into the per-key summaries, the latest point chosen by `isLaterPoint`. */
  foldSummaries(id: string, b: z.infer<typeof metricBatchRequest>): void {
    type Acc = { last: number | null; step: number; last_timestamp: number; min: number | null; max: number | null; count: number };
    const acc = new Map<string, Acc>();
    for (let i = 0; i < b.keys.length; i++) {
      const key = b.keys[i] as string;
      let a = acc.get(key);
      if (!a) {
        const prev = this.s.summary.get(id, key) as Acc | undefined;
        a = prev ? { ...prev } : { last: null, step: -1, last_timestamp: -Infinity, min: null, max: null, count: 0 };
        acc.set(key, a);
      }
      const v = b.values[i] ?? null;
      const p = { step: b.steps[i] ?? 0, timestamp: b.timestamps[i] ?? 0, value: v };
      if (a.count === 0 || isLaterPoint(p, { step: a.step, timestamp: a.last_timestamp, value: a.last })) {
        a.step = p.step;
        a.last_timestamp = p.timestamp;
        a.last = v;
      }
      if (v !== null) {
        a.min = a.min === null ? v : Math.min(a.min, v);
        a.max = a.max === null ? v : Math.max(a.max, v);
      }
      a.count++;
    }
    for (const [key, a] of acc) this.s.upsertSummary.run(id, key, a.last, a.step, a.last_timestamp, a.min, a.max, a.count);
  }

  series(id: string, key: string | null): { key: string; steps: number[]; timestamps: number[]; values: (number | null)[] }[] {
    const rows = this.s.series.all({ id, key }) as { key: string; step: number; timestamp: number; value: number | null }[];
    const out = new Map<string, { key: string; steps: number[]; timestamps: number[]; values: (number | null)[] }>();
    for (const r of rows) {
      let s = out.get(r.key);
      if (!s) out.set(r.key, (s = { key: r.key, steps: [], timestamps: [], values: [] }));
      s.steps.push(r.step);
      s.timestamps.push(r.timestamp);
      s.values.push(r.value);
    }
    return [...out.values()];
  }

  experiments(): { name: string; created_at: string; run_count: number; last_run_time: string | null }[] {
    return this.s.experiments.all() as { name: string; created_at: string; run_count: number; last_run_time: string | null }[];
  }

  toSummary(r: RunRow): RunSummary {
    const metrics: Record<string, number> = {};
    for (const m of this.s.summaries.all(r.id) as { key: string; last: number | null }[]) {
      // ±Infinity (which MLflow clients may log) has no JSON number; the MLflow API answers it.
      if (m.last !== null && Number.isFinite(m.last)) metrics[m.key] = m.last;
    }
    return {
      id: r.id,
      experiment: r.experiment,
      name: r.name,
      status: r.status,
      start_time: r.start_time,
      end_time: r.end_time,
      git_commit: r.git_commit,
      git_dirty: r.git_dirty === 1,
      metrics,
    };
  }

  toDetail(r: RunRow): RunDetail {
    const kv = (rows: unknown[]): [string, string][] => (rows as { key: string; value: string }[]).map((x) => [x.key, x.value]);
    const summaries = (this.s.summaries.all(r.id) as { key: string; last: number | null; step: number; min: number | null; max: number | null; count: number }[])
      .filter((m) => m.last !== null && m.min !== null && m.max !== null && Number.isFinite(m.last) && Number.isFinite(m.min) && Number.isFinite(m.max))
      .map((m) => ({ key: m.key, last: m.last as number, step: m.step, min: m.min as number, max: m.max as number, count: m.count }));
    return {
      ...this.toSummary(r),
      command: JSON.parse(r.command) as string[],
      exit_code: r.exit_code,
      git: { commit: r.git_commit, branch: r.git_branch, dirty: r.git_dirty === 1, diff_sha256: r.git_diff_sha256 },
      config_sha256: r.config_sha256,
      config: r.config ? (JSON.parse(r.config) as Record<string, unknown>) : null,
      environment: environmentSchema.parse(JSON.parse(r.environment)),
      params: Object.fromEntries(kv(this.s.params.all(r.id)).map(([k, v]) => [k, JSON.parse(v) as string | number | boolean | null])),
      tags: Object.fromEntries(kv(this.s.tags.all(r.id))),
      metric_summaries: summaries,
      artifacts: this.s.artifacts.all(r.id) as { path: string; sha256: string; size: number }[],
      datasets: this.runDatasets(r.id),
      models: this.s.runModels.all(r.id) as { model: string; version: number }[],
    };
  }
}
