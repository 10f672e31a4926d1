/**
 * Experiments and runs: creation with git and environment, write-once params, tags, metric series
 * (columnar batches in one transaction), artifacts, comparison. Metric activity is announced as
 * coalesced `run.metrics` events, at most one per run every quarter second.
 */
import { createHash, randomBytes } from 'node:crypto';
import type * as z from 'zod';
import {
  type createRunRequest,
  type RunDetail,
  type RunStatus,
  type RunSummary,
  type RunComparison,
  type metricBatchRequest,
} from '../../../schemas/src/tracking';
import { type EventLog } from '../events/event-log';
import { type Db } from '../store/db';
import { badRequest, conflict, notFound } from '../util/errors';
import { type GitInfo } from '../../../schemas/src/tracking';
import { RunQueries, type RunRow } from './run-queries';

type CreateRun = z.infer<typeof createRunRequest>;
type MetricBatch = z.infer<typeof metricBatchRequest>;
type ParamValue = string | number | boolean | null;

const METRIC_EVENT_INTERVAL_MS = 250;
/** Points per transaction: about 50 ms of work, short enough that other requests keep answering. */
export const METRIC_CHUNK = 25_000;
/** Deepest nesting a stored config may have (a deeper one is refused with a 400, never a stack overflow). */
export const MAX_JSON_DEPTH = 64;

function sliceBatch(b: MetricBatch, start: number, end: number): MetricBatch {
  return { keys: b.keys.slice(start, end), steps: b.steps.slice(start, end), timestamps: b.timestamps.slice(start, end), values: b.values.slice(start, end) };
}

export class Runs {
  private readonly q: RunQueries;
  private readonly pendingMetricEvents = new Map<string, { points: number; keys: Set<string>; lastStep: number }>();
  private metricTimer?: NodeJS.Timeout;

  constructor(
    db: Db,
    private readonly events: EventLog,
  ) {
    this.q = new RunQueries(db);
  }

  create(req: CreateRun, git: GitInfo, actor: string): RunDetail {
    const id = randomBytes(6).toString('hex');
    const now = new Date().toISOString();
    this.events.transact(() => {
      const expId = this.q.experimentId(req.experiment, now);
      const name = req.name ?? `${req.experiment}-${this.q.nextRunSeq()}`;
      const config = req.config ?? null;
      const configSha = config ? createHash('sha256').update(stableJson(config)).digest('hex') : null;
      this.q.insertRun({
        id,
        experimentId: expId,
        name,
        start: now,
        command: req.command,
        git,
        configSha,
        config,
        environment: req.environment,
      });
      for (const [k, v] of Object.entries(req.params)) this.q.insertParam(id, k, v);
      for (const [k, v] of Object.entries(req.tags)) this.q.upsertTag(id, k, v);
      for (const d of req.datasets) this.q.insertRunDataset(id, d.dataset, d.version);
      this.events.append({
        actor,
        kind: 'run.created',
        subject: `run:${id}`,
        after: { id, experiment: req.experiment, name, status: 'running', git_commit: git.commit, git_dirty: git.dirty },
      });
    });
    return this.detail(id);
  }

  require(id: string): RunRow {
    const row = this.q.runRow(id);
    if (!row) throw notFound('run', `run "${id}"`);
    return row;
  }

  experiments() {
    return this.q.experiments();
  }

  /** Metric series of a run: every key, or one. */
  series(id: string, key: string | null) {
    this.require(id);
    return this.q.series(id, key);
  }

  /** Records an artifact already stored in objects/. */
  addArtifact(id: string, name: string, stored: { sha256: string; size: number }): void {
    this.q.insertArtifact(id, name, stored.sha256, stored.size);
  }

  detail(id: string): RunDetail {
    return this.q.toDetail(this.require(id));
  }

  list(opts: { experiment?: string; status?: RunStatus; limit: number; cursor?: string }): {
    runs: RunSummary[];
    nextCursor: string | null;
  } {
    const before = opts.cursor ? Number(opts.cursor) : Number.MAX_SAFE_INTEGER;
    const rows = this.q.listRuns(opts.experiment ?? null, opts.status ?? null, Number.isFinite(before) ? before : 0, opts.limit + 1);
    const page = rows.slice(0, opts.limit);
    return {
      runs: page.map((r) => this.q.toSummary(r)),
      nextCursor: rows.length > opts.limit ? String(page[page.length - 1]?.seq ?? '') : null,
    };
  }

  setStatus(id: string, status: Exclude<RunStatus, 'running'>, exitCode: number | null, actor: string): RunDetail {
    this.flushMetricEvents();
    this.events.transact(() => {
      const row = this.require(id);
      if (row.status !== 'running' && row.status !== status) {
        throw conflict(`run "${id}" already ended as ${row.status}`);
      }
      if (row.status === status) return;
      const end = new Date().toISOString();
      this.q.finishRun(id, status, end, exitCode);
      this.events.append({
        actor,
        kind: 'run.updated',
        subject: `run:${id}`,
        before: { status: row.status },
        after: { status, end_time: end, exit_code: exitCode },
      });
    });
    return this.detail(id);
  }

  /** Params are write-once: the same value again is accepted, a different one is a 409. */
  logParams(id: string, params: Record<string, ParamValue>): void {
    this.events.transact(() => {
      this.require(id);
      for (const [k, v] of Object.entries(params)) {
        const existing = this.q.paramValue(id, k);
        if (existing === undefined) this.q.insertParam(id, k, v);
        else if (existing !== JSON.stringify(v)) {
          throw conflict(`param "${k}" of run "${id}" is already ${existing}; params are write-once (got ${JSON.stringify(v)})`);
        }
      }
    });
  }

  logTags(id: string, tags: Record<string, string>): void {
    this.events.transact(() => {
      this.require(id);
      for (const [k, v] of Object.entries(tags)) this.q.upsertTag(id, k, v);
    });
  }

  /**
   * Writes a columnar batch; summaries are folded in per key. A batch up to METRIC_CHUNK points is
   * one transaction; a larger one is written in transactions of that size with the event loop
   * free in between, so one million points never stall other requests for seconds. (A crash in
   * the middle keeps the chunks already committed; the client's retry writes the rest again.)
   */
  async logMetricBatch(id: string, b: MetricBatch): Promise<number> {
    const n = b.keys.length;
    this.require(id);
    for (let start = 0; start < n || start === 0; start += METRIC_CHUNK) {
      const part = start === 0 && n <= METRIC_CHUNK ? b : sliceBatch(b, start, start + METRIC_CHUNK);
      this.events.transact(() => {
        this.require(id);
        this.q.insertMetricPoints(id, part);
        this.q.foldSummaries(id, part);
      });
      if (start + METRIC_CHUNK < n) await new Promise((r) => setImmediate(r));
    }
    if (n > 0) this.noteMetrics(id, b);
    return n;
  }

  private noteMetrics(id: string, b: MetricBatch): void {
    const p = this.pendingMetricEvents.get(id) ?? { points: 0, keys: new Set<string>(), lastStep: 0 };
    p.points += b.keys.length;
    for (const k of new Set(b.keys)) p.keys.add(k);
    for (const s of b.steps) if (s > p.lastStep) p.lastStep = s;
    this.pendingMetricEvents.set(id, p);
    if (!this.metricTimer) {
      this.metricTimer = setTimeout(() => this.flushMetricEvents(), METRIC_EVENT_INTERVAL_MS);
      this.metricTimer.unref();
    }
  }

  /** Publishes one coalesced `run.metrics` event per run with new points. */
  flushMetricEvents(): void {
    if (this.metricTimer) clearTimeout(this.metricTimer);
    this.metricTimer = undefined;
    if (!this.pendingMetricEvents.size) return;
    const pending = [...this.pendingMetricEvents];
    this.pendingMetricEvents.clear();
    this.events.transact(() => {
      for (const [id, p] of pending) {
        this.events.append({
          actor: 'daemon',
          kind: 'run.metrics',
          subject: `run:${id}`,
          after: { points: p.points, keys: [...p.keys].sort(), last_step: p.lastStep },
        });
      }
    });
  }

  compare(ids: string[]): RunComparison {
    const details = ids.map((id) => this.detail(id));
    const paramKeys = [...new Set(details.flatMap((d) => Object.keys(d.params)))].sort();
    const metricKeys = [...new Set(details.flatMap((d) => Object.keys(d.metrics)))].sort();
    return {
      runs: details.map((d) => this.q.toSummary(this.require(d.id))),
      params: paramKeys.map((key) => {
        const values = details.map((d) => d.params[key]);
        const differs = new Set(values.map((v) => JSON.stringify(v ?? null))).size > 1;
        return { key, values, differs };
      }),
      metrics: metricKeys.map((key) => ({ key, values: details.map((d) => d.metrics[key] ?? null) })),
    };
  }
}

/** JSON with sorted keys, so equal configs hash equally; nesting beyond MAX_JSON_DEPTH is a 400. */
export function stableJson(v: unknown, depth = 0): string {
  if (depth > MAX_JSON_DEPTH) throw badRequest(`body.config: nested deeper than ${MAX_JSON_DEPTH} levels`);
  if (Array.isArray(v)) return `[${v.map((x) => stableJson(x, depth + 1)).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(o[k], depth + 1)}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
