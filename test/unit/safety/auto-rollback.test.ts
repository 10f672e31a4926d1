/**
 * The automatic-rollback rule in-process over a real SQLite store, registry and event log: alerts are
 * appended to the event log as monitoring appends them. Once per version; only within
 * `rollback_within`; only for kinds set to `rollback`; an event instead when nothing earlier exists.
 */
import { after, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mlopsConfigSchema, type MlopsConfig } from '../../../schemas/src/mlops-yaml';
import { EventLog } from '../../../daemon/src/events/event-log';
import { Alerts } from '../../../daemon/src/monitoring/alerts/alerts';
import { WebhookNotifier } from '../../../daemon/src/monitoring/alerts/webhook';
import { AutoRollback } from '../../../daemon/src/monitoring/rollback';
import { Registry, type NewVersion } from '../../../daemon/src/registry/registry';
import { openStore, type Db } from '../../../daemon/src/store/db';

const dir = mkdtempSync(join(tmpdir(), 'mlops-autorb-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let db: Db;
let events: EventLog;
let reg: Registry;
let rule: AutoRollback;
let alerts: Alerts;
let config: MlopsConfig;
let n = 0;
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

const version = (i: number): NewVersion => ({ sha256: i.toString(16).padStart(64, '0'), size: 10, signature: { inputs: [], outputs: [] }, description: '', tags: {}, metrics: {}, runId: null });

function configWith(deployment: Record<string, unknown>): MlopsConfig {
  return mlopsConfigSchema.parse({ project: { name: 't' }, models: { churn: { task: 'classification', signature: { inputs: [{ name: 'a' }] } } }, deployments: { prod: { model: 'churn', ...deployment } } });
}

beforeEach(() => {
  db = openStore(join(dir, `a${++n}.db`));
  events = new EventLog(db);
  reg = new Registry(db, events);
  config = configWith({ on_alert: { error_rate: 'rollback', drift: 'notify' }, rollback_within: '1h' });
  alerts = new Alerts(db, events, new WebhookNotifier(() => undefined), () => undefined);
  rule = new AutoRollback({ db, events, registry: reg, alerts, config: () => config, log: silent as never });
  rule.start();
  for (const i of [1, 2]) reg.register('churn', version(i), 10, 'test');
  reg.setStage('churn', 1, 'Production', '', 'test');
  reg.setStage('churn', 2, 'Production', '', 'test');
});

let alertId = 0;
async function alert(kind: string, v: number | null = 2): Promise<void> {
  const a = { id: `al-${++alertId}`, deployment: 'prod', kind, state: 'open', version: v, evidence: { values: { error_rate: 0.5 }, threshold: 0.01, message: 'error rate 50 %' } };
  events.record({ actor: 'monitoring', kind: 'alert.opened', subject: 'deployment:prod', after: a });
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
}

const autoEvents = () => events.list(0, 1000).filter((e) => e.kind === 'deployment.auto_rollback');

test('an error_rate alert rolls back once; a second alert on the same version does nothing', async () => {
  await alert('error_rate');
  assert.equal(reg.getModel('churn', 1).model.production_version, 1);
  reg.setStage('churn', 2, 'Production', 're-promoted by hand', 'test');
  await alert('error_rate');
  assert.equal(reg.getModel('churn', 1).model.production_version, 2, 'never twice for one version');
  assert.equal(autoEvents().length, 1);
  const rb = events.list(0, 1000).filter((e) => e.kind === 'model.rolled_back');
  assert.equal(rb.length, 1);
  assert.equal(rb[0]?.actor, 'rule:deployments.prod.on_alert.error_rate');
  assert.match(rb[0]?.reason ?? '', /error_rate alert al-\d+ on version 2 .*"error_rate":0.5/);
});

test('kinds set to notify, alerts on another version, and promotions older than rollback_within leave Production alone', async () => {
  await alert('drift');
  await alert('latency');
  await alert('error_rate', 1);
  assert.equal(reg.getModel('churn', 1).model.production_version, 2);
  db.prepare("UPDATE production_history SET started_at = '2000-01-01T00:00:00.000Z' WHERE ended_at IS NULL").run();
  await alert('error_rate');
  assert.equal(reg.getModel('churn', 1).model.production_version, 2);
  assert.equal(autoEvents().length, 0);
});

test('with no earlier version to go back to, an event says so and a rollback_failed alert opens', async () => {
  reg.rollback('churn', 'back to 1', 'test');
  reg.register('churn', version(3), 10, 'test');
  // Only version 1 was ever in Production before: roll 1 back has nowhere to go.
  config = configWith({ on_alert: { error_rate: 'rollback' } });
  await alert('error_rate', 1);
  const ev = autoEvents();
  assert.equal(ev.length, 1);
  assert.equal((ev[0]?.after as { outcome: string }).outcome, 'no_earlier_version');
  assert.match(ev[0]?.reason ?? '', /cannot roll back version 1 of churn: no earlier Production version/);
  assert.equal(reg.getModel('churn', 1).model.production_version, 1);
  const open = alerts.list({ all: false, limit: 100 }).alerts;
  assert.deepEqual(open.map((a) => [a.deployment, a.kind, a.state, a.version]), [['prod', 'rollback_failed', 'open', 1]]);
  assert.equal(open[0]?.evidence.values['alert'], alertId, 'names the alert that asked for the rollback');
  assert.match(open[0]?.evidence.message ?? '', new RegExp(`no earlier Production version \\(asked by error_rate alert al-${alertId}\\)`));
  const opened = events.list(0, 1000).filter((e) => e.kind === 'alert.opened' && (e.after as { kind: string }).kind === 'rollback_failed');
  assert.equal(opened.length, 1, 'audited like any other alert');
  assert.equal(opened[0]?.actor, 'rule:deployments.prod.on_alert.error_rate');
  // A person acts: Production moves to version 3, and the alert resolves.
  reg.setStage('churn', 3, 'Production', 'fixed release', 'test');
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
  assert.deepEqual(alerts.list({ all: false, limit: 100 }).alerts, []);
  const resolved = alerts.list({ all: true, limit: 100 }).alerts.find((a) => a.kind === 'rollback_failed');
  assert.equal(resolved?.state, 'resolved');
  assert.match(resolved?.latest?.message ?? '', /Production of churn is now version 3/);
});
