/**
 * The MLflow layer's SQL, prepared once, over the same tables the native API uses (no second copy
 * of any data): experiments, runs, params, tags, metric points and summaries, model versions. Rows
 * become MLflow's proto3 JSON shapes here. Writes that the native domain already owns (params,
 * metrics, tags, stages, aliases) go through `Runs` and `Registry` in `service.ts`, so their rules
 * and audit events apply; only MLflow-only state (lifecycle, experiment and model tags, inputs,
 * logged models) is written here.
 */
import {
  type MlflowExperiment,
  type MlflowRun,
  type MlflowRunInfo,
  type MlflowModelVersion,
  type MlflowRegisteredModel,
} from '../../../schemas/src/mlflow';
import { type Db } from '../store/db';
import { type Clause, compileFilter, compileOrderBy, type OrderTerm, type SqlMapping } from './search-filter';

export const DEFAULT_EXPERIMENT = 'default';
const STATUS_OUT = { running: 'RUNNING', finished: 'FINISHED', failed: 'FAILED', killed: 'KILLED' } as const;
export const STATUS_IN = { RUNNING: 'running', SCHEDULED: 'running', FINISHED: 'finished', FAILED: 'failed', KILLED: 'killed' } as const;

export const ms = (iso: string | null): number | undefined => (iso === null ? undefined : Date.parse(iso));
export const iso = (millis: number): string => new Date(millis).toISOString();

/** MLflow's default experiment is "0", named "Default"; ours is `default`. */
export const experimentIdOut = (row: { id: number; name: string }): string => (row.name === DEFAULT_EXPERIMENT ? '0' : String(row.id));
const nameOut = (name: string): string => (name === DEFAULT_EXPERIMENT ? 'Default' : name);
export const nameIn = (name: string): string => (name === 'Default' ? DEFAULT_EXPERIMENT : name);

export interface ExperimentRow {
  id: number;
  name: string;
  created_at: string;
  updated_at: string | null;
  lifecycle_stage: 'active' | 'deleted';
}

export interface MlflowRunRow {
  id: string;
  name: string;
  status: keyof typeof STATUS_OUT;
  start_time: string;
  end_time: string | null;
  experiment_id: number;
  experiment: string;
  lifecycle_stage: 'active' | 'deleted';
  user_id: string;
}

const START_MS = "CAST(ROUND((julianday(r.start_time) - 2440587.5) * 86400000) AS INTEGER)";
const END_MS = "CAST(ROUND((julianday(r.end_time) - 2440587.5) * 86400000) AS INTEGER)";

/** Attributes of a run as SQL over `runs r JOIN experiments e`, for filters and ordering. */
export const RUN_SQL: SqlMapping = {
  attribute: (key) =>
    ({
      run_id: 'r.id',
      run_name: 'r.name',
      status: "CASE r.status WHEN 'running' THEN 'RUNNING' WHEN 'finished' THEN 'FINISHED' WHEN 'failed' THEN 'FAILED' ELSE 'KILLED' END",
      user_id: 'r.user_id',
      start_time: START_MS,
      created: START_MS,
      end_time: END_MS,
      experiment_id: `CASE e.name WHEN '${DEFAULT_EXPERIMENT}' THEN '0' ELSE CAST(e.id AS TEXT) END`,
      artifact_uri: `'mlflow-artifacts:/' || CASE e.name WHEN '${DEFAULT_EXPERIMENT}' THEN '0' ELSE CAST(e.id AS TEXT) END || '/' || r.id || '/artifacts'`,
    })[key] ?? 'NULL',
};

const RUN_COLUMNS = 'r.id, r.name, r.status, r.start_time, r.end_time, r.experiment_id, e.name AS experiment, r.lifecycle_stage, r.user_id';

export class MlflowStore {
  private readonly s;

  constructor(private readonly db: Db) {
    this.s = {
      experimentById: db.prepare('SELECT id, name, created_at, updated_at, lifecycle_stage FROM experiments WHERE id = ?'),
      experimentByName: db.prepare('SELECT id, name, created_at, updated_at, lifecycle_stage FROM experiments WHERE name = ?'),
      insertExperiment: db.prepare('INSERT INTO experiments (name, created_at, updated_at) VALUES (?, ?, ?)'),
      renameExperiment: db.prepare('UPDATE experiments SET name = ?, updated_at = ? WHERE id = ?'),
      experimentLifecycle: db.prepare('UPDATE experiments SET lifecycle_stage = ?, updated_at = ? WHERE id = ?'),
      experimentTags: db.prepare('SELECT key, value FROM experiment_tags WHERE experiment_id = ? ORDER BY key'),
      setExperimentTag: db.prepare(
        'INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?) ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value',
      ),
      runsOfExperimentLifecycle: db.prepare("UPDATE runs SET lifecycle_stage = ? WHERE experiment_id = ? AND lifecycle_stage != ?"),
      run: db.prepare(`SELECT ${RUN_COLUMNS} FROM runs r JOIN experiments e ON e.id = r.experiment_id WHERE r.id = ?`),
      runStart: db.prepare('UPDATE runs SET start_time = ?, user_id = ? WHERE id = ?'),
      runName: db.prepare('UPDATE runs SET name = ? WHERE id = ?'),
      runStatus: db.prepare('UPDATE runs SET status = ?, end_time = ? WHERE id = ?'),
      runLifecycle: db.prepare('UPDATE runs SET lifecycle_stage = ? WHERE id = ?'),
      // A page of runs reads its params, tags, inputs and latest metrics in one query each.
      params: db.prepare('SELECT run_id, key, value FROM run_params WHERE run_id IN (SELECT value FROM json_each(?)) ORDER BY run_id, key'),
      tags: db.prepare('SELECT run_id, key, value FROM run_tags WHERE run_id IN (SELECT value FROM json_each(?)) ORDER BY run_id, key'),
      deleteTag: db.prepare('DELETE FROM run_tags WHERE run_id = ? AND key = ?'),
      upsertTag: db.prepare(
        'INSERT INTO run_tags (run_id, key, value) VALUES (?, ?, ?) ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value',
      ),
      // A metric's latest point as the summary keeps it (MLflow's rule, defined once in `isLaterPoint`).
      latestMetrics: db.prepare(`SELECT run_id, key, last AS value, last_timestamp AS timestamp, step FROM run_metric_summary
        WHERE run_id IN (SELECT value FROM json_each(?)) ORDER BY run_id, key`),
      history: db.prepare('SELECT key, value, timestamp, step FROM run_metrics WHERE run_id = ? AND key = ? ORDER BY step, timestamp, rowid LIMIT ? OFFSET ?'),
      inputs: db.prepare('SELECT run_id, dataset, tags FROM run_inputs WHERE run_id IN (SELECT value FROM json_each(?)) ORDER BY run_id, name, digest'),
      insertInput: db.prepare('INSERT OR IGNORE INTO run_inputs (run_id, digest, name, dataset, tags) VALUES (?, ?, ?, ?, ?)'),
    };
  }

  transact<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  // ── experiments ────────────────────────────────────────────────────────────────────────────
  experimentById(mlflowId: string): ExperimentRow | undefined {
    if (mlflowId === '0') return this.experimentByName(DEFAULT_EXPERIMENT);
    if (!/^\d+$/.test(mlflowId)) return undefined;
    const row = this.s.experimentById.get(Number(mlflowId)) as ExperimentRow | undefined;
    return row && row.name === DEFAULT_EXPERIMENT ? undefined : row;
  }

  experimentByName(name: string): ExperimentRow | undefined {
    return this.s.experimentByName.get(nameIn(name)) as ExperimentRow | undefined;
  }

  /** The default experiment exists from the first call on, as MLflow's "0" always does. */
  ensureDefault(now: string): ExperimentRow {
    const found = this.experimentByName(DEFAULT_EXPERIMENT);
    if (found) return found;
    this.s.insertExperiment.run(DEFAULT_EXPERIMENT, now, now);
    return this.experimentByName(DEFAULT_EXPERIMENT) as ExperimentRow;
  }

  insertExperiment(name: string, now: string): ExperimentRow {
    this.s.insertExperiment.run(nameIn(name), now, now);
    return this.experimentByName(name) as ExperimentRow;
  }

  renameExperiment(id: number, name: string, now: string): void {
    this.s.renameExperiment.run(nameIn(name), now, id);
  }

  setExperimentLifecycle(id: number, stage: 'active' | 'deleted', now: string): void {
    this.s.experimentLifecycle.run(stage, now, id);
    // As in MLflow, deleting an experiment deletes its runs; restoring it restores them.
    this.s.runsOfExperimentLifecycle.run(stage, id, stage);
  }

  setExperimentTag(id: number, key: string, value: string): void {
    this.s.setExperimentTag.run(id, key, value);
  }

  toExperiment(row: ExperimentRow): MlflowExperiment {
    const id = experimentIdOut(row);
    const tags = this.s.experimentTags.all(row.id) as { key: string; value: string }[];
    return {
      experiment_id: id,
      name: nameOut(row.name),
      artifact_location: `mlflow-artifacts:/${id}`,
      lifecycle_stage: row.lifecycle_stage,
      last_update_time: Date.parse(row.updated_at ?? row.created_at),
      creation_time: Date.parse(row.created_at),
      ...(tags.length ? { tags } : {}),
    };
  }

  searchExperiments(where: string, args: unknown[], order: string, limit: number, offset: number): ExperimentRow[] {
    return this.db
      .prepare(`SELECT id, name, created_at, updated_at, lifecycle_stage FROM experiments e WHERE ${where} ORDER BY ${order} LIMIT ? OFFSET ?`)
      .all(...args, limit, offset) as ExperimentRow[];
  }

  // ── runs ───────────────────────────────────────────────────────────────────────────────────
  run(id: string): MlflowRunRow | undefined {
    return this.s.run.get(id) as MlflowRunRow | undefined;
  }

  setRunStart(id: string, startIso: string, user: string): void {
    this.s.runStart.run(startIso, user, id);
  }

  setRunName(id: string, name: string): void {
    this.s.runName.run(name, id);
  }

  setRunStatus(id: string, status: string, endIso: string | null): void {
    this.s.runStatus.run(status, endIso, id);
  }

  setRunLifecycle(id: string, stage: 'active' | 'deleted'): void {
    this.s.runLifecycle.run(stage, id);
  }

  upsertTag(id: string, key: string, value: string): void {
    this.s.upsertTag.run(id, key, value);
  }

  deleteTag(id: string, key: string): boolean {
    return this.s.deleteTag.run(id, key).changes > 0;
  }

  insertInput(id: string, dataset: { name: string; digest: string }, json: string, tags: string): void {
    this.s.insertInput.run(id, dataset.digest, dataset.name, json, tags);
  }

  runInfo(r: MlflowRunRow): MlflowRunInfo {
    const exp = experimentIdOut({ id: r.experiment_id, name: r.experiment });
    const end = ms(r.end_time);
    return {
      run_id: r.id,
      run_uuid: r.id,
      run_name: r.name,
      experiment_id: exp,
      user_id: r.user_id,
      status: STATUS_OUT[r.status],
      start_time: Date.parse(r.start_time),
      ...(end !== undefined && r.status !== 'running' ? { end_time: end } : {}),
      artifact_uri: `mlflow-artifacts:/${exp}/${r.id}/artifacts`,
      lifecycle_stage: r.lifecycle_stage,
    };
  }

  toRun(r: MlflowRunRow): MlflowRun {
    return this.toRuns([r])[0] as MlflowRun;
  }

  /** Runs in MLflow's shape, their data read in four queries for the whole page. */
  toRuns(rows: MlflowRunRow[]): MlflowRun[] {
    const ids = JSON.stringify(rows.map((r) => r.id));
    const by = <T extends { run_id: string }>(list: T[]): Map<string, T[]> => {
      const m = new Map<string, T[]>();
      for (const x of list) (m.get(x.run_id) ?? m.set(x.run_id, []).get(x.run_id))?.push(x);
      return m;
    };
    const metrics = by(this.s.latestMetrics.all(ids) as (MetricRow & { run_id: string })[]);
    const params = by(this.s.params.all(ids) as { run_id: string; key: string; value: string }[]);
    const tags = by(this.s.tags.all(ids) as { run_id: string; key: string; value: string }[]);
    const inputs = by(this.s.inputs.all(ids) as { run_id: string; dataset: string; tags: string }[]);
    return rows.map((r) => {
      const m = (metrics.get(r.id) ?? []).map(metricOut);
      const p = (params.get(r.id) ?? []).map((x) => ({ key: x.key, value: paramOut(x.value) }));
      const t = (tags.get(r.id) ?? []).map((x) => ({ key: x.key, value: x.value }));
      const ins = (inputs.get(r.id) ?? []).map((i) => {
        const it = JSON.parse(i.tags) as { key: string; value: string }[];
        return { ...(it.length ? { tags: it } : {}), dataset: JSON.parse(i.dataset) as MlflowDataset };
      });
      return {
        info: this.runInfo(r),
        data: { ...(m.length ? { metrics: m } : {}), ...(p.length ? { params: p } : {}), ...(t.length ? { tags: t } : {}) },
        inputs: ins.length ? { dataset_inputs: ins } : {},
      };
    });
  }

  searchRuns(experimentIds: number[], lifecycle: string[], filter: Clause[], order: OrderTerm[], limit: number, offset: number): MlflowRunRow[] {
    const f = compileFilter(filter, RUN_SQL);
    const o = compileOrderBy(order, RUN_SQL);
    const sql = `SELECT ${RUN_COLUMNS} FROM runs r JOIN experiments e ON e.id = r.experiment_id${f.joins}${o.joins}
      WHERE r.experiment_id IN (${experimentIds.map(() => '?').join(', ') || 'NULL'})
        AND r.lifecycle_stage IN (${lifecycle.map(() => '?').join(', ')}) AND ${f.sql}
      ORDER BY ${o.sql} LIMIT ? OFFSET ?`;
    return this.db.prepare(sql).all(...f.joinArgs, ...o.joinArgs, ...experimentIds, ...lifecycle, ...f.args, ...o.args, limit, offset) as MlflowRunRow[];
  }

  metricHistory(id: string, key: string, limit: number, offset: number): ReturnType<typeof metricOut>[] {
    return (this.s.history.all(id, key, limit, offset) as MetricRow[]).map(metricOut);
  }
}

interface MetricRow {
  key: string;
  value: number | null;
  timestamp: number;
  step: number;
}
interface MlflowDataset {
  name: string;
  digest: string;
  source_type: string;
  source: string;
  schema?: string;
  profile?: string;
}

/** NaN is stored as NULL (the native API's convention); ±Infinity as SQLite's REAL infinities. */
export function metricOut(m: MetricRow): { key: string; value: number | 'NaN' | 'Infinity' | '-Infinity'; timestamp: number; step: number } {
  const v = m.value;
  const value = v === null ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : v;
  return { key: m.key, value, timestamp: Math.round(m.timestamp), step: m.step };
}

/** Native params are stored as JSON; MLflow's are strings, answered as the string itself. */
export function paramOut(stored: string): string {
  try {
    const v = JSON.parse(stored) as unknown;
    return typeof v === 'string' ? v : v === null ? 'None' : String(v);
  } catch {
    return stored;
  }
}

export type { MlflowModelVersion, MlflowRegisteredModel };
