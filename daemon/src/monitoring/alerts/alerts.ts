/**
 * Alert state: an alert opens when its rule's condition holds, stays open (one per deployment and
 * kind, deduplicated: re-evaluations only update `latest`) while it holds, and resolves when it
 * clears. Every transition, acknowledgement and silence is an audited event (subject
 * `deployment:<name>`, `after` = the alert) that the editor, the webhook and the automatic rollback
 * follow. A silenced deployment's alerts still open and resolve, but nothing is sent out.
 */
import type * as z from 'zod';
import { durationSeconds } from '../../../../schemas/src/mlops-yaml';
import { type Alert, type AlertEvidence, type AlertKind, type alertsQuery } from '../../../../schemas/src/monitoring';
import { type EventLog } from '../../events/event-log';
import { type Db } from '../../store/db';
import { notFound } from '../../util/errors';
import { type WebhookNotifier } from './webhook';

/** What a rule found: `breached` null means "cannot judge now" (too little data), which changes nothing. */
export interface Condition {
  kind: AlertKind;
  breached: boolean | null;
  evidence: AlertEvidence;
  version: number | null;
}

interface AlertRow {
  id: number;
  deployment: string;
  kind: AlertKind;
  state: 'open' | 'resolved';
  opened_at: string;
  resolved_at: string | null;
  updated_at: string;
  version: number | null;
  evidence: string;
  latest: string | null;
  acknowledged_by: string | null;
  acknowledged_at: string | null;
  silenced_until: string | null;
}

function toAlert(r: AlertRow): Alert {
  return {
    id: `al-${r.id}`,
    deployment: r.deployment,
    kind: r.kind,
    state: r.state,
    opened_at: r.opened_at,
    resolved_at: r.resolved_at,
    updated_at: r.updated_at,
    version: r.version,
    evidence: JSON.parse(r.evidence) as AlertEvidence,
    latest: r.latest ? (JSON.parse(r.latest) as AlertEvidence) : null,
    acknowledged: r.acknowledged_by !== null,
    acknowledged_by: r.acknowledged_by,
    acknowledged_at: r.acknowledged_at,
    silenced_until: r.silenced_until,
  };
}

export class Alerts {
  private readonly s;

  constructor(
    private readonly db: Db,
    private readonly events: EventLog,
    private readonly webhook: WebhookNotifier,
    private readonly webhookUrl: (deployment: string) => string | undefined,
  ) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      open: p("SELECT * FROM mon_alerts WHERE deployment = ? AND kind = ? AND state = 'open'"),
      openOf: p("SELECT * FROM mon_alerts WHERE deployment = ? AND state = 'open' ORDER BY id"),
      insert: p(`INSERT INTO mon_alerts (deployment, kind, state, opened_at, updated_at, version, evidence, latest, silenced_until)
        VALUES (?, ?, 'open', ?, ?, ?, ?, ?, ?)`),
      touch: p('UPDATE mon_alerts SET updated_at = ?, latest = ? WHERE id = ?'),
      resolve: p("UPDATE mon_alerts SET state = 'resolved', resolved_at = ?, updated_at = ?, latest = ? WHERE id = ?"),
      byId: p('SELECT * FROM mon_alerts WHERE id = ?'),
      ack: p('UPDATE mon_alerts SET acknowledged_by = ?, acknowledged_at = ? WHERE id = ?'),
      listOpen: p("SELECT * FROM mon_alerts WHERE state = 'open' AND (@dep IS NULL OR deployment = @dep) ORDER BY opened_at DESC, id DESC LIMIT @limit"),
      listAll: p('SELECT * FROM mon_alerts WHERE (@dep IS NULL OR deployment = @dep) ORDER BY opened_at DESC, id DESC LIMIT @limit'),
      silence: p('INSERT INTO mon_silences (deployment, until_ms, actor) VALUES (?, ?, ?) ON CONFLICT (deployment) DO UPDATE SET until_ms = excluded.until_ms, actor = excluded.actor'),
      silenceOf: p('SELECT until_ms FROM mon_silences WHERE deployment = ?'),
      silences: p('SELECT deployment, until_ms FROM mon_silences WHERE until_ms > ? ORDER BY deployment'),
    };
  }

  /** Applies the conditions of one evaluation: opens, deduplicates or resolves each kind. */
  apply(deployment: string, conditions: Condition[], actor = 'monitoring'): void {
    for (const c of conditions) {
      if (c.breached === null) continue;
      const now = new Date().toISOString();
      const open = this.s.open.get(deployment, c.kind) as AlertRow | undefined;
      if (open && c.breached) this.s.touch.run(now, JSON.stringify(c.evidence), open.id);
      else if (open && !c.breached) this.transition(open.id, 'alert.resolved', actor, c.evidence.message, () => this.s.resolve.run(now, now, JSON.stringify(c.evidence), open.id), toAlert(open));
      else if (!open && c.breached) {
        const silenced = this.silencedUntil(deployment);
        const evidence = JSON.stringify(c.evidence);
        let id = 0;
        this.transition(0, 'alert.opened', actor, c.evidence.message, () => {
          id = Number(this.s.insert.run(deployment, c.kind, now, now, c.version, evidence, evidence, silenced).lastInsertRowid);
          return id;
        }, null);
      }
    }
  }

  /** Writes the change and its event in one transaction, then notifies outside it. */
  private transition(id: number, kind: 'alert.opened' | 'alert.resolved', actor: string, reason: string, write: () => unknown, before: Alert | null): void {
    const after = this.db.transaction(() => {
      const written = write();
      const row = this.s.byId.get(id || written) as AlertRow;
      const alert = toAlert(row);
      this.events.record({ actor, kind, subject: `deployment:${alert.deployment}`, before, after: alert, reason });
      return alert;
    })();
    const url = this.webhookUrl(after.deployment);
    if (url && !this.silencedUntil(after.deployment)) this.webhook.send({ url, event: kind === 'alert.opened' ? 'opened' : 'resolved', alert: after });
  }

  list(q: z.infer<typeof alertsQuery>): { alerts: Alert[]; silenced: { deployment: string; until: string }[] } {
    const rows = (q.all ? this.s.listAll : this.s.listOpen).all({ dep: q.deployment ?? null, limit: q.limit }) as AlertRow[];
    const silenced = (this.s.silences.all(Date.now()) as { deployment: string; until_ms: number }[]).map((r) => ({ deployment: r.deployment, until: new Date(r.until_ms).toISOString() }));
    return { alerts: rows.map(toAlert), silenced };
  }

  openOf(deployment: string): Alert[] {
    return (this.s.openOf.all(deployment) as AlertRow[]).map(toAlert);
  }

  ack(id: string, actor: string, reason: string): Alert {
    const n = Number(id.replace(/^al-/, ''));
    return this.db.transaction(() => {
      const row = this.s.byId.get(n) as AlertRow | undefined;
      if (!row) throw notFound('alert', `alert ${id}`);
      if (row.acknowledged_by !== null) return toAlert(row);
      this.s.ack.run(actor, new Date().toISOString(), n);
      const after = toAlert(this.s.byId.get(n) as AlertRow);
      this.events.record({ actor, kind: 'alert.acknowledged', subject: `deployment:${row.deployment}`, before: toAlert(row), after, reason });
      return after;
    })();
  }

  silence(deployment: string, forDuration: string, actor: string, reason: string): { deployment: string; silenced_until: string } {
    const until = Date.now() + durationSeconds(forDuration) * 1000;
    const untilIso = new Date(until).toISOString();
    this.db.transaction(() => {
      this.s.silence.run(deployment, until, actor);
      this.events.record({ actor, kind: 'alert.silenced', subject: `deployment:${deployment}`, before: null, after: { deployment, silenced_until: untilIso, for: forDuration }, reason });
    })();
    return { deployment, silenced_until: untilIso };
  }

  silencedUntil(deployment: string): string | null {
    const r = this.s.silenceOf.get(deployment) as { until_ms: number } | undefined;
    return r && r.until_ms > Date.now() ? new Date(r.until_ms).toISOString() : null;
  }

  notifyFailed(alert: Alert, event: string, error: string, attempts: number): void {
    this.events.record({ actor: 'monitoring', kind: 'alert.notify_failed', subject: `deployment:${alert.deployment}`, before: null, after: { alert_id: alert.id, event, error, attempts }, reason: `webhook: ${error}` });
  }
}
