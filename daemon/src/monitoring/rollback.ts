/**
 * Automatic rollback. On `alert.opened` for a deployment whose `on_alert` says `rollback` for the
 * alert's kind, and whose Production version (the one the alert names) was promoted less than
 * `rollback_within` ago, the registry rolls Production back through the same rule-checked, audited
 * path as `mlops models rollback` (actor: the rule; reason: the alert and its evidence). The
 * deployment follows the registry event with its usual hand-over, so no request fails. A version is
 * rolled back by itself at most once (the `auto_rollbacks` row is the guard); with no earlier version
 * to go back to, a `deployment.auto_rollback` event says so and a `rollback_failed` alert opens
 * through the alerts store (audited, notified and listed by `mlops alerts` like any other), its
 * evidence naming the alert that asked for the rollback and why it could not happen.
 */
import { type Statement } from 'better-sqlite3';
import * as z from 'zod';
import { type MlopsEvent } from '../../../schemas/src/api';
import { durationSeconds, type MlopsConfig } from '../../../schemas/src/mlops-yaml';
import { alertEvidenceSchema, alertSchema, type AlertEvidence } from '../../../schemas/src/monitoring';
import { type EventLog } from '../events/event-log';
import { type Alerts } from './alerts/alerts';
import { type Registry } from '../registry/registry';
import { followsOf } from '../serving/resolve';
import { type Db } from '../store/db';
import { DomainError } from '../util/errors';
import { type Logger } from '../util/logger';

export interface AutoRollbackDeps {
  db: Db;
  events: EventLog;
  registry: Registry;
  /** Where a failed rollback raises its own alert. */
  alerts: Pick<Alerts, 'apply' | 'openOf'>;
  config: () => MlopsConfig | undefined;
  log: Logger;
}

/** What the rule reads of an alert; the evidence is carried into the reason as it is. */
const alertHead = alertSchema.pick({ id: true, deployment: true, kind: true, version: true }).extend({ evidence: z.unknown() });
type Alert = z.infer<typeof alertHead>;

export class AutoRollback {
  private readonly done: Statement<[string, number]>;
  private readonly insert: Statement<[string, number, string, string, string, number | null, string]>;
  private readonly promotedAt: Statement<[string, number]>;
  private unsubscribe?: () => void;

  constructor(private readonly deps: AutoRollbackDeps) {
    this.done = deps.db.prepare('SELECT outcome FROM auto_rollbacks WHERE model = ? AND version = ?');
    this.insert = deps.db.prepare('INSERT INTO auto_rollbacks (model, version, deployment, alert_id, outcome, to_version, at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.promotedAt = deps.db.prepare(
      'SELECT h.started_at AS at FROM production_history h JOIN models m ON m.id = h.model_id WHERE m.name = ? AND h.version = ? AND h.ended_at IS NULL ORDER BY h.id DESC LIMIT 1',
    );
  }

  start(): void {
    this.unsubscribe = this.deps.events.subscribe((ev) => {
      // Out of the publishing loop: the rollback writes its own transaction and events.
      if (ev.kind === 'alert.opened') setImmediate(() => this.onAlert(ev));
      if ((ev.kind === 'model.stage_changed' || ev.kind === 'model.rolled_back') && ev.subject.startsWith('model:')) {
        const model = ev.subject.slice('model:'.length).split('/')[0] ?? '';  // model:<name>/<version>
        setImmediate(() => this.resolveFailed(model));
      }
    });
  }

  close(): void {
    this.unsubscribe?.();
  }

  private onAlert(ev: MlopsEvent): void {
    const parsed = alertHead.safeParse(ev.after);
    if (!parsed.success) return this.deps.log.warn(`auto-rollback: alert.opened #${ev.seq} has an unexpected shape; ignored`);
    try {
      this.handle(parsed.data);
    } catch (e) {
      this.deps.log.warn(`auto-rollback for alert ${parsed.data.id}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** A `rollback_failed` alert resolves once Production of its model is another version (a person acted). */
  private resolveFailed(model: string): void {
    try {
      const deployments = Object.entries(this.deps.config()?.deployments ?? {}).filter(([, d]) => d.model === model);
      if (!deployments.length) return;
      const now = this.deps.registry.getModel(model, 1).model.production_version;
      for (const [name] of deployments) {
        for (const a of this.deps.alerts.openOf(name).filter((x) => x.kind === 'rollback_failed' && x.version !== now)) {
          const evidence = { ...a.evidence, message: `Production of ${model} is now ${now === null ? 'empty' : `version ${now}`}` };
          this.deps.alerts.apply(name, [{ kind: 'rollback_failed', breached: false, version: a.version, evidence }], 'rule:auto-rollback');
        }
      }
    } catch (e) {
      this.deps.log.warn(`auto-rollback: resolving rollback_failed alerts of ${model}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private handle(alert: Alert): void {
    // A failed rollback's own alert is not an `on_alert` kind: it asks a person, not the rule.
    if (alert.kind === 'rollback_failed') return;
    const d = this.deps.config()?.deployments[alert.deployment];
    if (!d || d.on_alert[alert.kind] !== 'rollback') return;
    const follows = followsOf(d);
    if (follows.kind !== 'stage' || follows.value !== 'Production') {
      return this.deps.log.warn(`auto-rollback: deployment ${alert.deployment} follows ${follows.kind} ${follows.value}, not Production; nothing to roll back`);
    }
    const { model } = this.deps.registry.getModel(d.model, 1);
    const version = model.production_version;
    if (version === null || (alert.version !== null && alert.version !== version)) return;
    const at = (this.promotedAt.get(d.model, version) as { at: string } | undefined)?.at;
    const withinMs = durationSeconds(d.rollback_within) * 1000;
    if (!at || Date.now() - Date.parse(at) > withinMs) return;
    if (this.done.get(d.model, version)) return;
    const actor = `rule:deployments.${alert.deployment}.on_alert.${alert.kind}`;
    const reason = `${alert.kind} alert ${alert.id} on version ${version} (promoted ${at}, within ${d.rollback_within}): ${evidenceText(alert.evidence)}`;
    let to: number | null = null;
    let outcome = 'rolled_back';
    try {
      to = this.deps.registry.rollback(d.model, reason, actor).to;
    } catch (e) {
      if (!(e instanceof DomainError) || e.status !== 409) throw e;
      outcome = 'no_earlier_version';
    }
    const refusal = `cannot roll back version ${version} of ${d.model}: no earlier Production version`;
    this.deps.events.transact(() => {
      this.insert.run(d.model, version, alert.deployment, alert.id, outcome, to, new Date().toISOString());
      this.deps.events.append({
        actor,
        kind: 'deployment.auto_rollback',
        subject: `deployment:${alert.deployment}`,
        before: { model: d.model, version },
        after: { outcome, model: d.model, rolled_back: version, to_version: to, alert: { id: alert.id, kind: alert.kind, evidence: alert.evidence } },
        reason: outcome === 'rolled_back' ? reason : `${refusal}; ${reason}`,
      });
    });
    if (outcome !== 'rolled_back') {
      const evidence = failedEvidence(alert, version, `${refusal} (asked by ${alert.kind} alert ${alert.id}); roll forward or disable the deployment`);
      this.deps.alerts.apply(alert.deployment, [{ kind: 'rollback_failed', breached: true, version, evidence }], actor);
    }
  }
}

/** Evidence of a `rollback_failed` alert: the triggering alert's number and its window, when it has one. */
function failedEvidence(alert: Alert, version: number, message: string): AlertEvidence {
  const cause = alertEvidenceSchema.safeParse(alert.evidence);
  const now = new Date().toISOString();
  const window = cause.success ? cause.data.window : { id: null, start: now, end: now, predictions: 0 };
  const alertNumber = Number(alert.id.replace(/^al-/, ''));
  return { values: { version, alert: Number.isFinite(alertNumber) ? alertNumber : null }, threshold: cause.success ? cause.data.threshold : 0, window, message };
}

function evidenceText(evidence: unknown): string {
  const text = JSON.stringify(evidence);
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}
