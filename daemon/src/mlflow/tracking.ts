/**
 * MLflow's experiments and runs mapped onto our tracking domain. An MLflow run id is our run id, so
 * `mlops runs show <id>` shows what an MLflow client logged; params, metrics and tags are written
 * through `Runs`, so write-once params, metric summaries and coalesced events hold for both APIs.
 */
import type * as z from 'zod';
import { type mlflowRequests, type MlflowExperiment, type MlflowRun, type MlflowRunInfo } from '../../../schemas/src/mlflow';
import { type EventLog } from '../events/event-log';
import { type GitInfo } from '../../../schemas/src/tracking';
import { type Runs } from '../tracking/runs';
import { DomainError } from '../util/errors';
import { exists, invalid, missing, invalidState } from './errors';
import { parseFilter, parseOrderBy, SearchSyntaxError, compileFilter, type SqlMapping } from './search-filter';
import { DEFAULT_EXPERIMENT, iso, type MlflowStore, nameIn, STATUS_IN, type ExperimentRow, type MlflowRunRow } from './store';

type Req<K extends keyof typeof mlflowRequests> = z.infer<(typeof mlflowRequests)[K]>;

const MAX_RUNS_PAGE = 50_000;
const MAX_EXPERIMENTS_PAGE = 50_000;
const MAX_HISTORY_PAGE = 25_000;

/** Opaque page tokens (MLflow's are opaque too): the offset, base64-encoded JSON. */
export function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64');
}
export function decodeToken(token: string | undefined): number {
  if (!token) return 0;
  try {
    const v = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { offset?: unknown };
    if (typeof v.offset === 'number' && Number.isInteger(v.offset) && v.offset >= 0) return v.offset;
  } catch {
    // fall through to the error below
  }
  throw invalid(`Invalid page token, could not base64-decode and parse it: '${token}'`);
}

const lifecycles = (view: string | undefined): string[] =>
  view === 'DELETED_ONLY' ? ['deleted'] : view === 'ALL' ? ['active', 'deleted'] : ['active'];

const EXPERIMENT_SQL: SqlMapping = {
  attribute: (key) => ({ name: 'e.name', creation_time: "CAST(ROUND((julianday(e.created_at) - 2440587.5) * 86400000) AS INTEGER)", last_update_time: "CAST(ROUND((julianday(COALESCE(e.updated_at, e.created_at)) - 2440587.5) * 86400000) AS INTEGER)", experiment_id: 'e.id' })[key] ?? 'NULL',
};

export class MlflowTracking {
  readonly store: MlflowStore;

  constructor(
    store: MlflowStore,
    private readonly runs: Runs,
    private readonly events: EventLog,
    private readonly git: () => Promise<GitInfo>,
  ) {
    this.store = store;
  }

  // ── experiments ────────────────────────────────────────────────────────────────────────────
  createExperiment(req: Req<'createExperiment'>, actor: string): { experiment_id: string } {
    if (req.artifact_location) throw invalid('artifact_location is not supported: artifacts are kept in the project store (mlflow-artifacts:/)');
    return this.events.transact(() => {
      const now = new Date().toISOString();
      if (this.store.experimentByName(req.name)) throw exists(`Experiment '${req.name}' already exists.`);
      const row = this.store.insertExperiment(req.name, now);
      for (const t of req.tags ?? []) this.store.setExperimentTag(row.id, t.key, t.value);
      this.events.append({ actor, kind: 'experiment.updated', subject: `experiment:${nameIn(req.name)}`, after: { name: req.name, created: true } });
      return { experiment_id: this.store.toExperiment(row).experiment_id };
    });
  }

  requireExperiment(id: string): ExperimentRow {
    if (id === '0') return this.store.ensureDefault(new Date().toISOString());
    const row = this.store.experimentById(id);
    if (!row) throw missing(`No Experiment with id=${id} exists`);
    return row;
  }

  getExperiment(id: string): MlflowExperiment {
    return this.store.toExperiment(this.requireExperiment(id));
  }

  getExperimentByName(name: string): MlflowExperiment {
    const row = nameIn(name) === DEFAULT_EXPERIMENT ? this.store.ensureDefault(new Date().toISOString()) : this.store.experimentByName(name);
    if (!row) throw missing(`Could not find experiment with name '${name}'`);
    return this.store.toExperiment(row);
  }

  searchExperiments(req: Req<'searchExperiments'>): { experiments?: MlflowExperiment[]; next_page_token?: string } {
    this.store.ensureDefault(new Date().toISOString());
    const limit = Math.min(req.max_results ?? 1000, MAX_EXPERIMENTS_PAGE);
    if (limit < 1) throw invalid(`Invalid value ${req.max_results} for parameter 'max_results' supplied.`);
    const offset = decodeToken(req.page_token);
    const filter = this.experimentFilter(req.filter);
    const where = `e.lifecycle_stage IN (${lifecycles(req.view_type).map(() => '?').join(', ')}) AND ${filter.sql}`;
    const order = this.experimentOrder(req.order_by);
    const rows = this.store.searchExperiments(where, [...lifecycles(req.view_type), ...filter.args], order, limit + 1, offset);
    const page = rows.slice(0, limit).map((r) => this.store.toExperiment(r));
    return { ...(page.length ? { experiments: page } : {}), ...(rows.length > limit ? { next_page_token: encodeToken(offset + limit) } : {}) };
  }

  private experimentFilter(filter: string | undefined): { sql: string; args: unknown[] } {
    try {
      // Experiments filter on name, tags and times; the run grammar's parser serves with these attributes.
      const clauses = parseFilter(filter, { attributes: { name: 'string', creation_time: 'number', last_update_time: 'number' } });
      const mapped = clauses.map((c) => (c.type === 'attribute' && c.key === 'name' && typeof c.value === 'string' ? { ...c, value: nameIn(c.value) } : c));
      const compiled = compileFilter(mapped, EXPERIMENT_SQL, { tagTable: 'experiment_tags', tagOwner: 'x.experiment_id = e.id' });
      return compiled;
    } catch (e) {
      if (e instanceof SearchSyntaxError) throw invalid(e.message);
      throw e;
    }
  }

  private experimentOrder(orderBy: string[] | undefined): string {
    const parts: string[] = [];
    try {
      for (const t of parseOrderBy(orderBy, { attributes: { name: 'string', creation_time: 'number', last_update_time: 'number', experiment_id: 'number' } })) {
        if (t.type !== 'attribute') throw invalid(`Invalid order_by entity '${t.type}' for experiments: only attributes (name, creation_time, last_update_time, experiment_id)`);
        parts.push(`${EXPERIMENT_SQL.attribute(t.key)} ${t.ascending ? 'ASC' : 'DESC'}`);
      }
    } catch (e) {
      if (e instanceof SearchSyntaxError) throw invalid(e.message);
      throw e;
    }
    return [...parts, EXPERIMENT_SQL.attribute('creation_time') + ' DESC', 'e.id ASC'].join(', ');
  }

  updateExperiment(req: Req<'updateExperiment'>, actor: string): Record<string, never> {
    this.events.transact(() => {
      const row = this.requireExperiment(req.experiment_id);
      if (row.lifecycle_stage === 'deleted') throw invalidState(`Cannot rename a non-active experiment ${req.experiment_id}.`);
      if (row.name === DEFAULT_EXPERIMENT) throw invalid('The Default experiment cannot be renamed');
      if (this.store.experimentByName(req.new_name)) throw exists(`Experiment '${req.new_name}' already exists.`);
      this.store.renameExperiment(row.id, req.new_name, new Date().toISOString());
      this.events.append({ actor, kind: 'experiment.updated', subject: `experiment:${row.name}`, before: { name: row.name }, after: { name: nameIn(req.new_name) } });
    });
    return {};
  }

  setExperimentLifecycle(id: string, stage: 'active' | 'deleted', actor: string): Record<string, never> {
    this.events.transact(() => {
      const row = this.requireExperiment(id);
      if (stage === 'deleted' && row.name === DEFAULT_EXPERIMENT) throw invalid('The Default experiment cannot be deleted');
      if (row.lifecycle_stage === stage) {
        if (stage === 'active') throw invalidState(`Cannot restore an active experiment ${id}.`);
        return;
      }
      this.store.setExperimentLifecycle(row.id, stage, new Date().toISOString());
      this.events.append({ actor, kind: 'experiment.updated', subject: `experiment:${row.name}`, before: { lifecycle_stage: row.lifecycle_stage }, after: { lifecycle_stage: stage } });
    });
    return {};
  }

  setExperimentTag(req: Req<'setExperimentTag'>): Record<string, never> {
    this.store.transact(() => {
      const row = this.requireExperiment(req.experiment_id);
      if (row.lifecycle_stage === 'deleted') throw invalidState(`The experiment ${req.experiment_id} must be in the 'active' state.`);
      this.store.setExperimentTag(row.id, req.key, req.value);
    });
    return {};
  }

  // ── runs ───────────────────────────────────────────────────────────────────────────────────
  runId(req: { run_id?: string | undefined; run_uuid?: string | undefined }): string {
    const id = req.run_id ?? req.run_uuid;
    if (!id) throw invalid("Missing value for required parameter 'run_id'.");
    return id;
  }

  requireRun(id: string): MlflowRunRow {
    const row = this.store.run(id);
    if (!row) throw missing(`Run with id=${id} not found`);
    return row;
  }

  private requireActiveRun(id: string): MlflowRunRow {
    const row = this.requireRun(id);
    if (row.lifecycle_stage !== 'active') throw invalidState(`The run ${id} must be in the 'active' state. Current state is deleted.`);
    return row;
  }

  async createRun(req: Req<'createRun'>, actor: string): Promise<{ run: MlflowRun }> {
    const git = await this.git();
    const exp = this.requireExperiment(req.experiment_id ?? '0');
    if (exp.lifecycle_stage === 'deleted') throw invalidState(`The experiment ${req.experiment_id} must be in the 'active' state.`);
    const tags = Object.fromEntries((req.tags ?? []).map((t) => [t.key, t.value]));
    const name = req.run_name ?? tags['mlflow.runName'];
    const detail = this.runs.create(
      { experiment: exp.name, ...(name ? { name } : {}), command: [], environment: {}, tags, datasets: [], params: {} },
      git,
      actor,
    );
    const user = req.user_id ?? tags['mlflow.user'] ?? '';
    this.store.transact(() => {
      this.store.setRunStart(detail.id, iso(req.start_time ?? Date.now()), user);
      // MLflow keeps the run name in a tag as well; clients read either.
      if (!tags['mlflow.runName']) this.store.upsertTag(detail.id, 'mlflow.runName', this.requireRun(detail.id).name);
    });
    return { run: this.store.toRun(this.requireRun(detail.id)) };
  }

  getRun(id: string): { run: MlflowRun } {
    return { run: this.store.toRun(this.requireRun(id)) };
  }

  /** MLflow lets a client set any status (resuming a run sets RUNNING again), so this is ours to write. */
  updateRun(req: Req<'updateRun'>, actor: string): { run_info: MlflowRunInfo } {
    const id = this.runId(req);
    this.events.transact(() => {
      const row = this.requireActiveRun(id);
      if (req.run_name !== undefined && req.run_name !== row.name) {
        this.store.setRunName(id, req.run_name);
        this.store.upsertTag(id, 'mlflow.runName', req.run_name);
      }
      if (req.status !== undefined) {
        const status = STATUS_IN[req.status];
        const end = status === 'running' ? null : iso(req.end_time ?? Date.now());
        this.store.setRunStatus(id, status, end);
        if (status !== row.status) {
          this.events.append({ actor, kind: 'run.updated', subject: `run:${id}`, before: { status: row.status }, after: { status, end_time: end } });
        }
      }
    });
    return { run_info: this.store.runInfo(this.requireRun(id)) };
  }

  setRunLifecycle(id: string, stage: 'active' | 'deleted', actor: string): Record<string, never> {
    this.events.transact(() => {
      const row = this.requireRun(id);
      if (row.lifecycle_stage === stage) return;
      this.store.setRunLifecycle(id, stage);
      this.events.append({ actor, kind: 'run.updated', subject: `run:${id}`, before: { lifecycle_stage: row.lifecycle_stage }, after: { lifecycle_stage: stage } });
    });
    return {};
  }

  searchRuns(req: Req<'searchRuns'>): { runs?: MlflowRun[]; next_page_token?: string } {
    const limit = req.max_results ?? 1000;
    if (limit < 1 || limit > MAX_RUNS_PAGE) throw invalid(`Invalid value ${limit} for parameter 'max_results' supplied. It must be at most ${MAX_RUNS_PAGE}`);
    const offset = decodeToken(req.page_token);
    const expIds = (req.experiment_ids ?? []).map((id) => this.store.experimentById(id) ?? (id === '0' ? this.store.ensureDefault(new Date().toISOString()) : undefined)).filter((e): e is ExperimentRow => !!e).map((e) => e.id);
    let rows: MlflowRunRow[];
    try {
      rows = this.store.searchRuns(expIds, lifecycles(req.run_view_type), parseFilter(req.filter), parseOrderBy(req.order_by), limit + 1, offset);
    } catch (e) {
      if (e instanceof SearchSyntaxError) throw invalid(e.message);
      throw e;
    }
    const runs = this.store.toRuns(rows.slice(0, limit));
    return { ...(runs.length ? { runs } : {}), ...(rows.length > limit ? { next_page_token: encodeToken(offset + limit) } : {}) };
  }

  logBatch(req: Req<'logBatch'>): Record<string, never> {
    const id = req.run_id;
    this.requireActiveRun(id);
    const params = req.params ?? [];
    const seen = new Map<string, string>();
    for (const p of params) {
      const prev = seen.get(p.key);
      if (prev !== undefined && prev !== p.value) throw invalid(`Duplicate parameter keys have been submitted: ['${p.key}'] with different values`);
      seen.set(p.key, p.value);
    }
    try {
      if (seen.size) this.runs.logParams(id, Object.fromEntries(seen));
    } catch (e) {
      if (e instanceof DomainError && e.status === 409) {
        throw invalid(`Changing param values is not allowed. ${e.message.replace(/; params are write-once.*/, '')}`);
      }
      throw e;
    }
    if (req.tags?.length) this.runs.logTags(id, Object.fromEntries(req.tags.map((t) => [t.key, t.value])));
    const m = req.metrics ?? [];
    if (m.length) {
      this.runs.logMetricBatch(id, {
        keys: m.map((x) => x.key),
        steps: m.map((x) => x.step),
        timestamps: m.map((x) => x.timestamp),
        values: m.map((x) => (Number.isNaN(x.value) ? null : x.value)),
      });
    }
    return {};
  }

  deleteTag(req: Req<'deleteTag'>): Record<string, never> {
    this.requireActiveRun(req.run_id);
    if (!this.store.deleteTag(req.run_id, req.key)) throw missing(`No tag with name: ${req.key} in run with id ${req.run_id}`);
    return {};
  }

  logInputs(req: Req<'logInputs'>): Record<string, never> {
    this.requireActiveRun(req.run_id);
    this.store.transact(() => {
      for (const d of req.datasets ?? []) this.store.insertInput(req.run_id, d.dataset, JSON.stringify(d.dataset), JSON.stringify(d.tags ?? []));
    });
    return {};
  }

  /** As MLflow's server does: the model's JSON is appended to the run's `mlflow.log-model.history` tag. */
  logModel(req: Req<'logModel'>): Record<string, never> {
    let model: unknown;
    try {
      model = JSON.parse(req.model_json);
    } catch {
      throw invalid("Malformed model info. 'model_json' must be a JSON object");
    }
    if (!model || typeof model !== 'object' || Array.isArray(model)) throw invalid("Malformed model info. 'model_json' must be a JSON object");
    this.store.transact(() => {
      const run = this.requireActiveRun(req.run_id);
      const tags = this.store.toRun(run).data.tags ?? [];
      const prev = tags.find((t) => t.key === 'mlflow.log-model.history')?.value;
      const history = prev ? (JSON.parse(prev) as unknown[]) : [];
      history.push(model);
      this.store.upsertTag(req.run_id, 'mlflow.log-model.history', JSON.stringify(history));
    });
    return {};
  }

  metricHistory(req: Req<'getMetricHistory'>): { metrics?: ReturnType<MlflowStore['metricHistory']>; next_page_token?: string } {
    const id = this.runId(req);
    this.requireRun(id);
    const limit = Math.min(req.max_results ?? MAX_HISTORY_PAGE, MAX_HISTORY_PAGE);
    const offset = decodeToken(req.page_token);
    const rows = this.store.metricHistory(id, req.metric_key, limit + 1, offset);
    const metrics = rows.slice(0, limit);
    return { ...(metrics.length ? { metrics } : {}), ...(rows.length > limit ? { next_page_token: encodeToken(offset + limit) } : {}) };
  }
}
