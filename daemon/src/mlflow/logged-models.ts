/**
 * MLflow 3's logged models: a model's artifacts and metadata under
 * `mlflow-artifacts:/<experiment>/models/<model_id>/artifacts`, created before upload, finalized
 * after it, and registered as a version from `models:/<model_id>` (see models.ts).
 */
import { randomBytes } from 'node:crypto';
import type * as z from 'zod';
import { type loggedModelRequests, type MlflowLoggedModel } from '../../../schemas/src/mlflow';
import { type Db } from '../store/db';
import { invalid, missing } from './errors';
import { decodeToken, encodeToken, type MlflowTracking } from './tracking';
import { experimentIdOut } from './store';

type Req<K extends keyof typeof loggedModelRequests> = z.infer<(typeof loggedModelRequests)[K]>;

interface Row {
  id: string;
  experiment_id: number;
  experiment: string;
  name: string;
  model_type: string;
  source_run_id: string | null;
  status: string;
  created_ms: number;
  updated_ms: number;
  tags: string;
  params: string;
}

const SELECT = 'SELECT l.*, e.name AS experiment FROM logged_models l JOIN experiments e ON e.id = l.experiment_id';

export class MlflowLoggedModels {
  private readonly s;

  constructor(
    db: Db,
    private readonly tracking: MlflowTracking,
  ) {
    this.s = {
      insert: db.prepare(`INSERT INTO logged_models (id, experiment_id, name, model_type, source_run_id, status, created_ms, updated_ms, tags, params)
        VALUES (?, ?, ?, ?, ?, 'LOGGED_MODEL_PENDING', ?, ?, ?, ?)`),
      get: db.prepare(`${SELECT} WHERE l.id = ?`),
      status: db.prepare('UPDATE logged_models SET status = ?, updated_ms = ? WHERE id = ?'),
      tags: db.prepare('UPDATE logged_models SET tags = ?, updated_ms = ? WHERE id = ?'),
      search: db.prepare(`${SELECT} WHERE (? = 0 OR l.experiment_id IN (SELECT value FROM json_each(?))) ORDER BY l.created_ms DESC, l.id LIMIT ? OFFSET ?`),
    };
  }

  create(req: Req<'create'>): { model: MlflowLoggedModel } {
    const exp = this.tracking.requireExperiment(req.experiment_id);
    if (req.source_run_id) this.tracking.requireRun(req.source_run_id);
    const id = `m-${randomBytes(16).toString('hex')}`;
    const now = Date.now();
    const kv = (l: { key: string; value: string }[] | undefined): string => JSON.stringify(Object.fromEntries((l ?? []).map((t) => [t.key, t.value])));
    this.s.insert.run(id, exp.id, req.name ?? id, req.model_type ?? '', req.source_run_id ?? null, now, now, kv(req.tags), kv(req.params));
    return this.get(id);
  }

  private require(id: string): Row {
    const row = this.s.get.get(id) as Row | undefined;
    if (!row) throw missing(`Logged model with ID '${id}' not found.`);
    return row;
  }

  get(id: string): { model: MlflowLoggedModel } {
    return { model: toLoggedModel(this.require(id)) };
  }

  finalize(id: string, status: string): { model: MlflowLoggedModel } {
    this.require(id);
    if (status !== 'LOGGED_MODEL_READY' && status !== 'LOGGED_MODEL_UPLOAD_FAILED') {
      throw invalid(`Invalid status '${status}': a logged model is finalized as LOGGED_MODEL_READY or LOGGED_MODEL_UPLOAD_FAILED`);
    }
    this.s.status.run(status, Date.now(), id);
    return this.get(id);
  }

  setTags(id: string, tags: { key: string; value: string }[]): Record<string, never> {
    const row = this.require(id);
    const merged = { ...(JSON.parse(row.tags) as Record<string, string>), ...Object.fromEntries(tags.map((t) => [t.key, t.value])) };
    this.s.tags.run(JSON.stringify(merged), Date.now(), id);
    return {};
  }

  search(req: Req<'search'>): { models?: MlflowLoggedModel[]; next_page_token?: string } {
    if (req.filter?.trim()) throw invalid('filter is not supported for logged models here; search by experiment_ids');
    const limit = req.max_results ?? 100;
    if (limit < 1 || limit > 1000) throw invalid(`Invalid value ${limit} for parameter 'max_results' supplied.`);
    const offset = decodeToken(req.page_token);
    const ids = (req.experiment_ids ?? []).map((e) => this.tracking.requireExperiment(e).id);
    const rows = this.s.search.all(ids.length, JSON.stringify(ids), limit + 1, offset) as Row[];
    const models = rows.slice(0, limit).map(toLoggedModel);
    return { ...(models.length ? { models } : {}), ...(rows.length > limit ? { next_page_token: encodeToken(offset + limit) } : {}) };
  }
}

function toLoggedModel(r: Row): MlflowLoggedModel {
  const exp = experimentIdOut({ id: r.experiment_id, name: r.experiment });
  const tags = Object.entries(JSON.parse(r.tags) as Record<string, string>).map(([key, value]) => ({ key, value }));
  const params = Object.entries(JSON.parse(r.params) as Record<string, string>).map(([key, value]) => ({ key, value }));
  return {
    info: {
      model_id: r.id,
      experiment_id: exp,
      name: r.name,
      creation_timestamp_ms: r.created_ms,
      last_updated_timestamp_ms: r.updated_ms,
      artifact_uri: `mlflow-artifacts:/${exp}/models/${r.id}/artifacts`,
      status: r.status as MlflowLoggedModel['info']['status'],
      ...(r.model_type ? { model_type: r.model_type } : {}),
      ...(r.source_run_id ? { source_run_id: r.source_run_id } : {}),
      ...(tags.length ? { tags } : {}),
    },
    data: params.length ? { params } : {},
  };
}
