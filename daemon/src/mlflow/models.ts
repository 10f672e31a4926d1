/**
 * MLflow's model registry mapped onto ours. Stages, aliases and registration go through `Registry`
 * (its rules: one Production version, the Production history that rollback walks, retention, the
 * signature check, the audit log). Only what MLflow has and our registry does not (descriptions of
 * versions, model tags, the source URI, rename and delete) is written here, each with its event.
 * A version is servable only as ONNX: a source without an `.onnx` file is refused with the route to one.
 */
import type * as z from 'zod';
import { STAGES, type Stage } from '../../../schemas/src/api';
import { type mlflowRequests, type MlflowModelVersion, type MlflowRegisteredModel } from '../../../schemas/src/mlflow';
import { type EventLog } from '../events/event-log';
import { type ArtifactIntake } from '../registry/intake';
import { type Registry } from '../registry/registry';
import { type Db } from '../store/db';
import { type ObjectStore } from '../../../shared/src/objects';
import { DomainError } from '../util/errors';
import { exists, invalid, invalidState, missing } from './errors';
import { compileFilter, parseFilter, SearchSyntaxError } from './search-filter';
import { decodeToken, encodeToken } from './tracking';

type Req<K extends keyof typeof mlflowRequests> = z.infer<(typeof mlflowRequests)[K]>;

interface ModelRow {
  id: number;
  name: string;
  description: string;
  created_at: string;
  updated_at: string;
}
interface VersionRow {
  id: number;
  model_id: number;
  version: number;
  stage: Stage;
  description: string;
  tags: string;
  source_run_id: string | null;
  source_uri: string | null;
  created_at: string;
  stage_changed_at: string;
  removed_at: string | null;
}

export const ONNX_ROUTE =
  'only ONNX models can be registered and served here: log the model with mlflow.onnx.log_model(...) ' +
  '(convert scikit-learn models with skl2onnx, options={"zipmap": False}), or register it with mlops.log_model(...)';

const MODEL_ATTRS = { name: 'string', creation_timestamp: 'number', last_updated_timestamp: 'number' } as const;
const VERSION_ATTRS = { name: 'string', run_id: 'string', source_path: 'string', version_number: 'number', current_stage: 'string' } as const;
const TS = (col: string): string => `CAST(ROUND((julianday(${col}) - 2440587.5) * 86400000) AS INTEGER)`;

export class MlflowModels {
  private readonly s;

  constructor(
    private readonly db: Db,
    private readonly registry: Registry,
    private readonly intake: ArtifactIntake,
    private readonly objects: ObjectStore,
    private readonly events: EventLog,
  ) {
    this.s = {
      model: db.prepare('SELECT id, name, description, created_at, updated_at FROM models WHERE name = ?'),
      setDescription: db.prepare('UPDATE models SET description = ?, updated_at = ? WHERE id = ?'),
      rename: db.prepare('UPDATE models SET name = ?, updated_at = ? WHERE id = ?'),
      tags: db.prepare('SELECT key, value FROM model_tags WHERE model_id = ? ORDER BY key'),
      setTag: db.prepare('INSERT INTO model_tags (model_id, key, value) VALUES (?, ?, ?) ON CONFLICT (model_id, key) DO UPDATE SET value = excluded.value'),
      deleteTag: db.prepare('DELETE FROM model_tags WHERE model_id = ? AND key = ?'),
      aliases: db.prepare('SELECT alias, version FROM model_aliases WHERE model_id = ? ORDER BY alias'),
      deleteAliases: db.prepare('DELETE FROM model_aliases WHERE model_id = ?'),
      deleteVersionAliases: db.prepare('DELETE FROM model_aliases WHERE model_id = ? AND version = ?'),
      version: db.prepare('SELECT * FROM model_versions WHERE model_id = ? AND version = ? AND removed_at IS NULL'),
      live: db.prepare('SELECT * FROM model_versions WHERE model_id = ? AND removed_at IS NULL ORDER BY version DESC'),
      latestPerStage: db.prepare(`SELECT * FROM model_versions v WHERE v.model_id = ? AND v.removed_at IS NULL
        AND v.version = (SELECT MAX(w.version) FROM model_versions w WHERE w.model_id = v.model_id AND w.stage = v.stage AND w.removed_at IS NULL)
        ORDER BY v.version`),
      versionMeta: db.prepare('UPDATE model_versions SET description = ? WHERE id = ?'),
      versionSource: db.prepare('UPDATE model_versions SET source_uri = ?, tags = ? WHERE id = ?'),
      removeVersion: db.prepare('UPDATE model_versions SET removed_at = ? WHERE id = ?'),
      runArtifacts: db.prepare("SELECT path, sha256 FROM run_artifacts WHERE run_id = ? AND (path = ? OR ? = '' OR path LIKE ? ESCAPE '\\') ORDER BY path"),
      loggedArtifacts: db.prepare("SELECT path, sha256 FROM logged_model_artifacts WHERE model_id = ? AND (path = ? OR ? = '' OR path LIKE ? ESCAPE '\\') ORDER BY path"),
    };
  }

  // ── registered models ──────────────────────────────────────────────────────────────────────
  private requireModel(name: string): ModelRow {
    const row = this.s.model.get(name) as ModelRow | undefined;
    if (!row) throw missing(`Registered Model with name=${name} not found`);
    return row;
  }

  create(req: Req<'createRegisteredModel'>, actor: string): { registered_model: MlflowRegisteredModel } {
    if (this.s.model.get(req.name)) throw exists(`Registered Model (name=${req.name}) already exists.`);
    try {
      this.registry.createModel(req.name, req.description ?? '', actor);
    } catch (e) {
      if (e instanceof DomainError && e.status === 409) throw exists(`Registered Model (name=${req.name}) already exists.`);
      throw e;
    }
    const row = this.requireModel(req.name);
    if (req.tags?.length) this.db.transaction(() => req.tags?.forEach((t) => this.s.setTag.run(row.id, t.key, t.value)))();
    return { registered_model: this.toModel(row) };
  }

  get(name: string): { registered_model: MlflowRegisteredModel } {
    return { registered_model: this.toModel(this.requireModel(name)) };
  }

  search(req: Req<'searchModels'>): { registered_models?: MlflowRegisteredModel[]; next_page_token?: string } {
    const limit = req.max_results ?? 100;
    if (limit < 1 || limit > 1000) throw invalid(`Invalid value ${limit} for parameter 'max_results' supplied. It must be at most 1000`);
    const offset = decodeToken(req.page_token);
    const where = this.filter(req.filter, MODEL_ATTRS, { name: 'm.name', creation_timestamp: TS('m.created_at'), last_updated_timestamp: TS('m.updated_at') }, 'model_tags', 'x.model_id = m.id');
    const order = this.order(req.order_by, { name: 'm.name', creation_timestamp: TS('m.created_at'), last_updated_timestamp: TS('m.updated_at') }, 'm.name ASC');
    const rows = this.db
      .prepare(`SELECT id, name, description, created_at, updated_at FROM models m WHERE m.name NOT LIKE '%@deleted-%' AND ${where.sql} ORDER BY ${order} LIMIT ? OFFSET ?`)
      .all(...where.args, limit + 1, offset) as ModelRow[];
    const found = rows.slice(0, limit).map((r) => this.toModel(r));
    return {
      ...(found.length ? { registered_models: found } : {}),
      ...(rows.length > limit ? { next_page_token: encodeToken(offset + limit) } : {}),
    };
  }

  update(req: Req<'updateRegisteredModel'>, actor: string): { registered_model: MlflowRegisteredModel } {
    this.events.transact(() => {
      const row = this.requireModel(req.name);
      if (req.description === undefined || req.description === row.description) return;
      this.s.setDescription.run(req.description, new Date().toISOString(), row.id);
      this.events.append({ actor, kind: 'model.updated', subject: `model:${row.name}`, before: { description: row.description }, after: { description: req.description } });
    });
    return this.get(req.name);
  }

  rename(req: Req<'renameRegisteredModel'>, actor: string): { registered_model: MlflowRegisteredModel } {
    this.events.transact(() => {
      const row = this.requireModel(req.name);
      if (this.s.model.get(req.new_name)) throw exists(`Registered Model (name=${req.new_name}) already exists.`);
      this.s.rename.run(req.new_name, new Date().toISOString(), row.id);
      this.events.append({ actor, kind: 'model.updated', subject: `model:${req.name}`, before: { name: req.name }, after: { name: req.new_name } });
    });
    return this.get(req.new_name);
  }

  /**
   * Deletes a model as MLflow does, within our rules: a model with a version in Production is
   * refused (roll it back or archive it first). The row stays under a tombstone name so the audit
   * log and lineage still resolve, and the name is free again.
   */
  delete(name: string, actor: string): Record<string, never> {
    this.events.transact(() => {
      const row = this.requireModel(name);
      const live = this.s.live.all(row.id) as VersionRow[];
      const prod = live.find((v) => v.stage === 'Production');
      if (prod) throw invalidState(`Registered Model ${name} has version ${prod.version} in Production; transition it to Archived first (our registry keeps one audited Production path)`);
      const now = new Date().toISOString();
      for (const v of live) this.s.removeVersion.run(now, v.id);
      this.s.deleteAliases.run(row.id);
      this.s.rename.run(`${name}@deleted-${row.id}`, now, row.id);
      this.events.append({ actor, kind: 'model.deleted', subject: `model:${name}`, before: { versions: live.map((v) => v.version) } });
    });
    return {};
  }

  setAlias(req: Req<'setAlias'>, actor: string): Record<string, never> {
    this.registry.setAlias(req.name, req.alias, this.versionNumber(req.version), '', actor);
    return {};
  }

  deleteAlias(req: Req<'aliasRef'>, actor: string): Record<string, never> {
    this.registry.removeAlias(req.name, req.alias, '', actor);
    return {};
  }

  byAlias(req: Req<'aliasRef'>): { model_version: MlflowModelVersion } {
    const model = this.requireModel(req.name);
    const alias = (this.s.aliases.all(model.id) as { alias: string; version: number }[]).find((a) => a.alias === req.alias);
    if (!alias) throw missing(`Registered model alias ${req.alias} not found.`);
    return this.getVersion({ name: req.name, version: String(alias.version) });
  }

  latestVersions(req: Req<'getLatestVersions'>): { model_versions: MlflowModelVersion[] } {
    const model = this.requireModel(req.name);
    const stages = req.stages?.length ? req.stages.map((s) => this.stage(s)) : null;
    const rows = (this.s.latestPerStage.all(model.id) as VersionRow[]).filter((v) => !stages || stages.includes(v.stage));
    return { model_versions: rows.map((v) => this.toVersion(model, v)) };
  }

  // ── model versions ─────────────────────────────────────────────────────────────────────────
  private versionNumber(v: string): number {
    if (!/^\d+$/.test(v) || Number(v) < 1) throw invalid(`Parameter 'version' must be an integer, got '${v}'.`);
    return Number(v);
  }

  private requireVersion(name: string, version: string): { model: ModelRow; row: VersionRow } {
    const model = this.requireModel(name);
    const row = this.s.version.get(model.id, this.versionNumber(version)) as VersionRow | undefined;
    if (!row) throw missing(`Model Version (name=${name}, version=${version}) not found`);
    return { model, row };
  }

  async createVersion(req: Req<'createModelVersion'>, actor: string): Promise<{ model_version: MlflowModelVersion }> {
    this.requireModel(req.name);
    const file = this.resolveOnnx(req.source, req.run_id);
    const bytes = await this.objects.read(file.sha256);
    const tags = Object.fromEntries((req.tags ?? []).map((t) => [t.key, t.value]));
    const runId = req.run_id || file.runId;
    const prepared = await this.intake.prepareBytes(req.name, bytes, req.source, { description: req.description ?? '', tags, metrics: {}, ...(runId ? { run_id: runId } : {}) });
    const { version } = this.registry.register(req.name, prepared.version, prepared.keepVersions, actor);
    const model = this.requireModel(req.name);
    const row = this.s.version.get(model.id, version.version) as VersionRow;
    this.s.versionSource.run(req.source, JSON.stringify({ ...tags, ...(req.run_link ? { 'mlflow.run_link': req.run_link } : {}) }), row.id);
    return this.getVersion({ name: req.name, version: String(version.version) });
  }

  /** Finds the one ONNX file a source URI points at, among the artifacts the store holds. */
  private resolveOnnx(source: string, runIdHint: string | undefined): { sha256: string; runId: string | null } {
    const run = /^runs:\/([^/]+)\/?(.*)$/.exec(source) ?? /^mlflow-artifacts:\/\d+\/([^/]+)\/artifacts\/?(.*)$/.exec(source);
    const logged = /^models:\/(m-[\w-]+)\/?(.*)$/.exec(source) ?? /^mlflow-artifacts:\/\d+\/models\/(m-[\w-]+)\/artifacts\/?(.*)$/.exec(source);
    let files: { path: string; sha256: string }[];
    let runId: string | null = null;
    if (logged) {
      const [, id = '', prefix = ''] = logged;
      files = this.s.loggedArtifacts.all(id, prefix, prefix, `${escapeLike(prefix)}/%`) as typeof files;
    } else if (run) {
      const [, id = '', prefix = ''] = run;
      runId = id;
      files = this.s.runArtifacts.all(id, prefix, prefix, `${escapeLike(prefix)}/%`) as typeof files;
    } else {
      throw invalid(`Unsupported source '${source}': expected runs:/<run_id>/<path>, models:/<model_id> or mlflow-artifacts:/… as this server hands out (local and cloud paths are not read)`);
    }
    if (runIdHint && runId && runIdHint !== runId) throw invalid(`source '${source}' belongs to run ${runId}, not run_id ${runIdHint}`);
    const onnx = files.filter((f) => f.path.toLowerCase().endsWith('.onnx'));
    if (files.length === 0) throw missing(`No artifacts found at '${source}'`);
    if (onnx.length === 0) throw invalid(`No ONNX model at '${source}' (found ${files.map((f) => f.path).slice(0, 5).join(', ')}): ${ONNX_ROUTE}`);
    if (onnx.length > 1) throw invalid(`Several ONNX files at '${source}' (${onnx.map((f) => f.path).join(', ')}): point source at one of them`);
    return { sha256: (onnx[0] as { sha256: string }).sha256, runId };
  }

  getVersion(req: Req<'modelVersionRef'>): { model_version: MlflowModelVersion } {
    const { model, row } = this.requireVersion(req.name, req.version);
    return { model_version: this.toVersion(model, row) };
  }

  searchVersions(req: Req<'searchModels'>): { model_versions?: MlflowModelVersion[]; next_page_token?: string } {
    const limit = req.max_results ?? 10_000;
    if (limit < 1 || limit > 200_000) throw invalid(`Invalid value ${limit} for parameter 'max_results' supplied.`);
    const offset = decodeToken(req.page_token);
    const cols = { name: 'm.name', run_id: 'v.source_run_id', source_path: 'v.source_uri', version_number: 'v.version', current_stage: 'v.stage' };
    const where = this.filter(req.filter, VERSION_ATTRS, cols, null, '');
    const order = this.order(req.order_by, { ...cols, creation_timestamp: TS('v.created_at'), last_updated_timestamp: TS('v.stage_changed_at') }, 'm.name ASC, v.version DESC');
    const rows = this.db
      .prepare(`SELECT v.*, m.name AS model_name FROM model_versions v JOIN models m ON m.id = v.model_id
        WHERE v.removed_at IS NULL AND ${where.sql} ORDER BY ${order} LIMIT ? OFFSET ?`)
      .all(...where.args, limit + 1, offset) as (VersionRow & { model_name: string })[];
    const found = rows.slice(0, limit).map((v) => this.toVersion(this.requireModel(v.model_name), v));
    return {
      ...(found.length ? { model_versions: found } : {}),
      ...(rows.length > limit ? { next_page_token: encodeToken(offset + limit) } : {}),
    };
  }

  updateVersion(req: Req<'updateModelVersion'>, actor: string): { model_version: MlflowModelVersion } {
    this.events.transact(() => {
      const { row } = this.requireVersion(req.name, req.version);
      if (req.description === undefined || req.description === row.description) return;
      this.s.versionMeta.run(req.description, row.id);
      this.events.append({ actor, kind: 'model.updated', subject: `model:${req.name}/${row.version}`, before: { description: row.description }, after: { description: req.description } });
    });
    return this.getVersion(req);
  }

  deleteVersion(req: Req<'modelVersionRef'>, actor: string): Record<string, never> {
    this.events.transact(() => {
      const { model, row } = this.requireVersion(req.name, req.version);
      if (row.stage === 'Production') throw invalidState(`Model Version ${req.name}/${req.version} is in Production; roll back or transition it to Archived first`);
      this.s.removeVersion.run(new Date().toISOString(), row.id);
      this.s.deleteVersionAliases.run(model.id, row.version);
      this.events.append({ actor, kind: 'model.version_removed', subject: `model:${req.name}/${row.version}`, before: { stage: row.stage }, reason: 'deleted through the MLflow API' });
    });
    return {};
  }

  /** MLflow's stage transition through our rules; `archive_existing_versions` archives the rest of that stage. */
  async transition(req: Req<'transitionStage'>, actor: string): Promise<{ model_version: MlflowModelVersion }> {
    const to = this.stage(req.stage);
    const { model, row } = this.requireVersion(req.name, req.version);
    // Into Production this runs the model's gates (registry.setStage); a refusal is MLflow's INVALID_STATE.
    await this.registry.setStage(req.name, row.version, to, 'transition-stage through the MLflow API', actor);
    if (req.archive_existing_versions && (to === 'Staging' || to === 'Production')) {
      for (const v of this.s.live.all(model.id) as VersionRow[]) {
        if (v.stage === to && v.version !== row.version) await this.registry.setStage(req.name, v.version, 'Archived', `archive_existing_versions when ${row.version} moved to ${to}`, actor);
      }
    }
    return this.getVersion(req);
  }

  downloadUri(req: Req<'modelVersionRef'>): { artifact_uri: string } {
    const { row } = this.requireVersion(req.name, req.version);
    return { artifact_uri: row.source_uri ?? `models:/${req.name}/${row.version}` };
  }

  private stage(s: string): Stage {
    const found = STAGES.find((x) => x.toLowerCase() === s.toLowerCase());
    if (!found) throw invalid(`Invalid Model Version stage: ${s}. Value must be one of ${STAGES.join(', ')}.`);
    return found;
  }

  // ── shapes ─────────────────────────────────────────────────────────────────────────────────
  private toModel(m: ModelRow): MlflowRegisteredModel {
    const latest = (this.s.latestPerStage.all(m.id) as VersionRow[]).map((v) => this.toVersion(m, v));
    const tags = this.s.tags.all(m.id) as { key: string; value: string }[];
    const aliases = (this.s.aliases.all(m.id) as { alias: string; version: number }[]).map((a) => ({ alias: a.alias, version: String(a.version) }));
    return {
      name: m.name,
      creation_timestamp: Date.parse(m.created_at),
      last_updated_timestamp: Date.parse(m.updated_at),
      ...(m.description ? { description: m.description } : {}),
      ...(latest.length ? { latest_versions: latest } : {}),
      ...(tags.length ? { tags } : {}),
      ...(aliases.length ? { aliases } : {}),
    };
  }

  private toVersion(m: ModelRow, v: VersionRow): MlflowModelVersion {
    const tags = Object.entries(JSON.parse(v.tags) as Record<string, string>).filter(([k]) => k !== 'mlflow.run_link');
    const link = (JSON.parse(v.tags) as Record<string, string>)['mlflow.run_link'];
    const aliases = (this.s.aliases.all(m.id) as { alias: string; version: number }[]).filter((a) => a.version === v.version).map((a) => a.alias);
    return {
      name: m.name,
      version: String(v.version),
      creation_timestamp: Date.parse(v.created_at),
      last_updated_timestamp: Date.parse(v.stage_changed_at),
      current_stage: v.stage,
      description: v.description,
      source: v.source_uri ?? `models:/${m.name}/${v.version}`,
      ...(v.source_run_id ? { run_id: v.source_run_id } : {}),
      status: 'READY',
      ...(tags.length ? { tags: tags.map(([key, value]) => ({ key, value })) } : {}),
      ...(link ? { run_link: link } : {}),
      ...(aliases.length ? { aliases } : {}),
    };
  }

  private filter(
    filter: string | undefined,
    attrs: Record<string, 'string' | 'number'>,
    cols: Record<string, string>,
    tagTable: string | null,
    tagOwner: string,
  ): { sql: string; args: unknown[] } {
    try {
      const clauses = parseFilter(filter, { attributes: attrs });
      if (!tagTable && clauses.some((c) => c.type === 'tag')) throw invalid('tags cannot be searched in model versions here; filter on name, run_id, source_path, version_number or current_stage');
      return compileFilter(clauses, { attribute: (k) => cols[k] ?? 'NULL' }, { tagTable: tagTable ?? 'model_tags', tagOwner });
    } catch (e) {
      if (e instanceof SearchSyntaxError) throw invalid(e.message);
      throw e;
    }
  }

  private order(orderBy: string[] | undefined, cols: Record<string, string>, fallback: string): string {
    const parts: string[] = [];
    for (const term of orderBy ?? []) {
      const m = /^\s*(?:attributes?\.)?(\w+)(?:\s+(ASC|DESC))?\s*$/i.exec(term);
      const col = m ? cols[m[1] as string] : undefined;
      if (!m || !col) throw invalid(`Invalid order_by clause '${term}': expected one of ${Object.keys(cols).join(', ')} with ASC or DESC`);
      parts.push(`${col} ${(m[2] ?? 'ASC').toUpperCase()}`);
    }
    return [...parts, fallback].join(', ');
  }
}

const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);
