/**
 * The model registry: models, numbered versions, stages, aliases and the Production history that
 * rollback walks. Every change is one synchronous transaction that also appends its audit event.
 */
import {
  type ModelSummary,
  type ModelVersion,
  type ModelVersionSummary,
  type Signature,
  type Stage,
} from '../../../schemas/src/api';
import { type EventLog } from '../events/event-log';
import { type Db } from '../store/db';
import { type CheckReport } from '../../../schemas/src/gates';
import { fmt as fmtNum } from '../../../shared/src/gates/rules';
import { badRequest, conflict, DomainError, notFound } from '../util/errors';
import { RegistryQueries, type VersionRow } from './queries';

export interface NewVersion {
  sha256: string;
  size: number;
  signature: Signature;
  description: string;
  tags: Record<string, string>;
  metrics: Record<string, number>;
  runId: string | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Tells retention which versions something outside the registry (deployments) still needs. */
export type ReferenceCheck = (model: string, version: number) => boolean;

/**
 * Runs a model's promotion gates (daemon/src/gates): `evaluate` compares a candidate with the given
 * Production version (null when the model declares no gates); `record` stores a result with the
 * version and is called inside the registry's transaction.
 */
export interface Gatekeeper {
  evaluate(model: string, version: number, production: number | null): Promise<CheckReport | null>;
  record(versionRowId: number, subject: string, report: CheckReport, forced: boolean, reason: string, actor: string): void;
}

export interface StageOptions {
  /** Promote to Production even when a gate fails; needs a reason, audited with the gate results. */
  force?: boolean;
}

export class Registry {
  private readonly q: RegistryQueries;
  private isReferenced: ReferenceCheck = () => false;
  private gatekeeper: Gatekeeper | undefined;

  constructor(
    db: Db,
    private readonly events: EventLog,
  ) {
    this.q = new RegistryQueries(db);
  }

  setReferenceCheck(check: ReferenceCheck): void {
    this.isReferenced = check;
  }

  setGatekeeper(g: Gatekeeper): void {
    this.gatekeeper = g;
  }

  listModels(limit: number, cursor?: string): Page<ModelSummary> {
    const rows = this.q.listSummaries(cursor ?? '', limit + 1);
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? (items[items.length - 1]?.name ?? null) : null };
  }

  getModel(name: string, limit: number, cursor?: string): { model: ModelSummary } & Page<ModelVersionSummary> {
    const model = this.q.summary(name);
    if (!model) throw notFound('model', `model "${name}"`);
    const before = cursor ? Number(cursor) : Number.MAX_SAFE_INTEGER;
    const rows = this.q.versionsPage(model.id, Number.isFinite(before) ? before : 0, limit + 1);
    const items = this.q.toSummaries(name, model.id, rows.slice(0, limit));
    return {
      model: model.summary,
      items,
      nextCursor: rows.length > limit ? String(items[items.length - 1]?.version ?? '') : null,
    };
  }

  getVersion(name: string, version: number): ModelVersion {
    const { row } = this.requireVersion(name, version);
    return this.q.toVersion(name, row);
  }

  /** Creates a model with no version yet (MLflow's registered-models/create); 409 when it exists. */
  createModel(name: string, description: string, actor: string): void {
    this.events.transact(() => {
      if (this.q.modelByName(name)) throw conflict(`model "${name}" already exists`);
      const model = this.q.insertModel(name, new Date().toISOString());
      if (description) this.q.setDescription(model.id, description);
      this.events.append({ actor, kind: 'model.created', subject: `model:${name}`, after: { name, description } });
    });
  }

  /** Registers a new version (creating the model on first use) and applies retention. */
  register(name: string, v: NewVersion, keepVersions: number, actor: string): { version: ModelVersion; removed: number[] } {
    return this.events.transact(() => {
      const now = new Date().toISOString();
      let model = this.q.modelByName(name);
      if (!model) {
        model = this.q.insertModel(name, now);
        this.events.append({ actor, kind: 'model.created', subject: `model:${name}`, after: { name } });
      }
      if (v.runId !== null && !this.q.runExists(v.runId)) throw notFound('run', `run "${v.runId}"`);
      const number = this.q.takeVersionNumber(model.id, now);
      this.q.insertVersion(model.id, number, v, now);
      const row = this.q.versionRow(model.id, number);
      if (!row) throw new Error('version vanished inside its own transaction');
      if (v.runId !== null) this.q.copyLineage(row.id, v.runId);
      const version = this.q.toVersion(name, row);
      this.events.append({
        actor,
        kind: 'model.version_registered',
        subject: `model:${name}/${number}`,
        after: { version: number, artifact_sha256: v.sha256, run_id: v.runId },
      });
      const removed = this.applyRetention(model.id, name, keepVersions, actor, now);
      return { version, removed };
    });
  }

  /**
   * Moves a version to a stage. Into Production, the model's gates run first (every path that
   * promotes comes here: the API, the CLI, MLflow's transition-stage, the pipeline's deploy stage):
   * a failure refuses unless forced with a reason, and the change commits only if Production is
   * still the version the gates compared against.
   */
  async setStage(name: string, version: number, to: Stage, reason: string, actor: string, opts: StageOptions = {}): Promise<{ version: ModelVersion; archived: number[] }> {
    const keeper = this.gatekeeper;
    if (to !== 'Production' || !keeper) return this.applyStage(name, version, to, reason, actor);
    const { model, row } = this.requireVersion(name, version);
    if (row.stage === 'Production') return this.applyStage(name, version, to, reason, actor);
    const compared = this.q.productionRow(model.id)?.version ?? null;
    const report = await keeper.evaluate(name, version, compared);
    if (!report) return this.applyStage(name, version, to, reason, actor);
    const subject = `model:${name}/${version}`;
    if (!report.passed && !opts.force) {
      this.events.transact(() => keeper.record(row.id, subject, report, false, reason, actor));
      throw new DomainError(409, 'gates_failed', refusal(name, version, report));
    }
    if (!report.passed && !reason.trim()) {
      this.events.transact(() => keeper.record(row.id, subject, report, false, reason, actor));
      throw badRequest('a forced promotion needs a reason (--reason "…"); it goes to the audit log with the gate results');
    }
    return this.events.transact(() => {
      keeper.record(row.id, subject, report, !report.passed, reason, actor);
      const now = this.q.productionRow(model.id)?.version ?? null;
      if (now !== compared) {
        throw conflict(`Production of "${name}" changed from ${vName(compared)} to ${vName(now)} while the gates ran against ${vName(compared)}; run the promotion again to compare with ${vName(now)}`);
      }
      if (!report.passed) {
        this.events.append({ actor, kind: 'model.promotion_forced', subject, before: { production: compared }, after: { gates: report.gates }, reason });
      }
      return this.applyStage(name, version, to, reason, actor);
    });
  }

  /** The stage change itself, in one transaction; gates (if any) have already been decided. */
  private applyStage(name: string, version: number, to: Stage, reason: string, actor: string): { version: ModelVersion; archived: number[] } {
    return this.events.transact(() => {
      const { model, row } = this.requireVersion(name, version);
      const archived: number[] = [];
      if (row.stage === to) return { version: this.q.toVersion(name, row), archived };
      const now = new Date().toISOString();
      if (row.stage === 'Production') this.q.endProduction(model.id, 'demoted', now);
      if (to === 'Production') {
        const current = this.q.productionRow(model.id);
        if (current) {
          this.q.updateStage(current.id, 'Archived', now);
          this.q.endProduction(model.id, 'replaced', now);
          archived.push(current.version);
        }
        this.q.pushProduction(model.id, version, now);
      }
      this.q.updateStage(row.id, to, now);
      this.q.touchModel(model.id, now);
      this.events.append({
        actor,
        kind: 'model.stage_changed',
        subject: `model:${name}/${version}`,
        before: { stage: row.stage },
        after: { stage: to, archived },
        reason,
      });
      const updated = this.q.versionRow(model.id, version);
      if (!updated) throw new Error('version vanished inside its own transaction');
      return { version: this.q.toVersion(name, updated), archived };
    });
  }

  setAlias(name: string, alias: string, version: number, reason: string, actor: string): { previous: number | null } {
    return this.events.transact(() => {
      const { model } = this.requireVersion(name, version);
      const previous = this.q.aliasVersion(model.id, alias);
      if (previous === version) return { previous };
      this.q.upsertAlias(model.id, alias, version);
      this.q.touchModel(model.id, new Date().toISOString());
      this.events.append({
        actor,
        kind: 'model.alias_set',
        subject: `model:${name}@${alias}`,
        before: previous === null ? null : { version: previous },
        after: { version },
        reason,
      });
      return { previous };
    });
  }

  removeAlias(name: string, alias: string, reason: string, actor: string): { previous: number } {
    return this.events.transact(() => {
      const model = this.q.modelByName(name);
      if (!model) throw notFound('model', `model "${name}"`);
      const previous = this.q.aliasVersion(model.id, alias);
      if (previous === null) throw notFound('alias', `alias "${alias}" of model "${name}"`);
      this.q.deleteAlias(model.id, alias);
      this.events.append({
        actor,
        kind: 'model.alias_removed',
        subject: `model:${name}@${alias}`,
        before: { version: previous },
        reason,
      });
      return { previous };
    });
  }

  /** Archives the current Production version and brings back the one before it. */
  rollback(name: string, reason: string, actor: string): { from: number; to: number } {
    return this.events.transact(() => {
      const model = this.q.modelByName(name);
      if (!model) throw notFound('model', `model "${name}"`);
      const current = this.q.productionRow(model.id);
      if (!current) throw conflict(`model "${name}" has no Production version to roll back`);
      const stack = this.q.productionStack(model.id);
      const open = stack.find((h) => h.ended_at === null);
      const passed: number[] = open ? [open.id] : [];
      let target: { id: number; version: number } | undefined;
      for (const h of stack) {
        if (h === open) continue;
        const cand = this.q.versionRow(model.id, h.version);
        if (h.version !== current.version && cand && cand.removed_at === null) {
          target = h;
          break;
        }
        passed.push(h.id);
      }
      if (!target) throw conflict(`model "${name}" has no earlier Production version to roll back to`);
      const now = new Date().toISOString();
      for (const id of passed) this.q.markRolledBack(id, now);
      this.q.reopenProduction(target.id);
      this.q.updateStage(current.id, 'Archived', now);
      const targetRow = this.q.versionRow(model.id, target.version);
      if (targetRow) this.q.updateStage(targetRow.id, 'Production', now);
      this.q.touchModel(model.id, now);
      this.events.append({
        actor,
        kind: 'model.rolled_back',
        subject: `model:${name}`,
        before: { production: current.version },
        after: { production: target.version, archived: [current.version] },
        reason,
      });
      return { from: current.version, to: target.version };
    });
  }

  /**
   * Keeps the newest `keep` versions. Older ones are removed (their artifact left for gc) unless a
   * stage (Staging, Production), an alias, a deployment, or the next rollback still needs them.
   */
  private applyRetention(modelId: number, name: string, keep: number, actor: string, now: string): number[] {
    const live = this.q.liveVersions(modelId);
    const protectedVersions = new Set<number>([...this.q.aliasedVersions(modelId)]);
    const rollbackTarget = this.q.rollbackTarget(modelId);
    if (rollbackTarget !== null) protectedVersions.add(rollbackTarget);
    const removed: number[] = [];
    for (const v of live.slice(keep)) {
      if (v.stage === 'Staging' || v.stage === 'Production') continue;
      if (protectedVersions.has(v.version) || this.isReferenced(name, v.version)) continue;
      this.q.markRemoved(v.id, now);
      removed.push(v.version);
      this.events.append({
        actor,
        kind: 'model.version_removed',
        subject: `model:${name}/${v.version}`,
        before: { stage: v.stage },
        reason: `retention keeps ${keep} versions`,
      });
    }
    return removed;
  }

  private requireVersion(name: string, version: number): { model: { id: number }; row: VersionRow } {
    const model = this.q.modelByName(name);
    if (!model) throw notFound('model', `model "${name}"`);
    const row = this.q.versionRow(model.id, version);
    if (!row) throw notFound('model_version', `version ${version} of model "${name}"`);
    if (row.removed_at !== null) throw conflict(`version ${version} of model "${name}" was removed by retention`);
    return { model, row };
  }

  /** The store id of a live version, for records kept with it (gate results). */
  versionRowId(name: string, version: number): number {
    return this.requireVersion(name, version).row.id;
  }

  counts(): { models: number; versions: number } {
    return this.q.counts();
  }
}

const fmt = (v: number | null): string => (v === null ? '-' : fmtNum(v));
const vName = (v: number | null): string => (v === null ? 'none' : `v${v}`);

/** Names each gate that failed (or could not run) with both numbers, for the refusal. */
export function refusal(name: string, version: number, r: CheckReport): string {
  const bad = r.gates
    .filter((g) => !g.passed)
    .map((g) =>
      g.status === 'error'
        ? `${g.name} could not run (${g.detail.replace(/^cannot run: /, '')})`
        : `${g.name} failed: candidate ${fmt(g.candidate)} vs Production ${g.production === null ? '-' : fmt(g.production)} (rule: ${g.rule})`,
    );
  return `promotion of ${name} v${version} to Production refused: ${bad.join('; ')}. See \`mlops check ${name} ${version}\`; to promote anyway: --force --reason "…"`;
}
