/** The Deployments view's model: rows, context values for the menus, events, the status bar endpoint. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type DeploymentStatus } from '../../../schemas/src/serving';
import { autoRollbackNotice, deploymentOfEvent, deploymentsModel, deploymentView, detailRows, productionEndpoint } from '../../../extension/src/deployments/model';
import { DEPLOYMENTS_VIEW } from '../../../extension/src/deployments/ids';

const base: DeploymentStatus = {
  name: 'production',
  model: 'churn',
  version: 3,
  follows: { kind: 'stage', value: 'Production' },
  state: 'serving',
  url: 'http://127.0.0.1:8401',
  port: 8401,
  pid: 10,
  auth: 'none',
  enabled: true,
  error: null,
  restarts: 0,
  started_at: '2026-01-01T00:00:00.000Z',
  stats: { requests: 100, errors: 0, rps: 12.345, p95_ms: 1.234 },
  breaker: null,
};

test('a serving deployment shows version, state, rps and p95; its rows include the URL', () => {
  const model = deploymentsModel();
  model.setGroups([base, { ...base, name: 'staging', state: 'stopped', url: null, stats: null, follows: { kind: 'alias', value: 'challenger' } }]);
  const [prod, staging] = model.roots();
  assert.equal(deploymentView(prod as never).description, 'churn v3 · serving · 12.3 req/s · p95 1.23 ms');
  assert.equal(deploymentView(staging as never).description, 'churn v3 · stopped');
  assert.deepEqual(detailRows(base).map((r) => [r.label, r.value]), [
    ['version', 'v3 (follows Production)'],
    ['state', 'serving'],
    ['URL', 'http://127.0.0.1:8401'],
    ['requests/s', '12.3'],
    ['p95 latency', '1.23 ms'],
  ]);
});

test('menu conditions match the context values the model produces', () => {
  const ctx = (state: DeploymentStatus['state']) => deploymentView({ kind: 'deployment', name: 'x', info: { ...base, state } }).contextValue;
  const matches = (when: string, value: string): boolean => {
    const re = /^viewItem =~ \/(.+)\/$/.exec(when);
    return re ? new RegExp(re[1] as string).test(value) : when === `viewItem == ${value}`;
  };
  const c = DEPLOYMENTS_VIEW.commands;
  assert.ok(matches(c.copyUrl.item.when, ctx('serving')));
  assert.ok(!matches(c.copyUrl.item.when, ctx('stopped')));
  assert.ok(matches(c.stop.item.when, ctx('starting')));
  assert.ok(!matches(c.stop.item.when, ctx('failed')));
  assert.ok(matches(c.deploy.item.when, ctx('failed')));
});

test('deployment events name their deployment; the status bar shows the Production endpoint', () => {
  assert.equal(deploymentOfEvent({ kind: 'deployment.switched', subject: 'deployment:production' }), 'production');
  assert.equal(deploymentOfEvent({ kind: 'model.stage_changed', subject: 'model:churn/2' }), undefined);
  assert.equal(productionEndpoint([base])?.text, '$(radio-tower) churn v3 · 127.0.0.1:8401');
  assert.equal(productionEndpoint([{ ...base, follows: { kind: 'alias', value: 'x' } }]), undefined);
  assert.equal(productionEndpoint([{ ...base, state: 'failed' }]), undefined);
});

test('safety nets in the tree: breaker open and flag off show in the description, icon, tooltip and menus', () => {
  const view = (info: DeploymentStatus) => deploymentView({ kind: 'deployment', name: info.name, info });
  const open = view({ ...base, breaker: { state: 'open', since: '2026-01-01T00:00:00.000Z', reason: 'the model threw: out of bounds', fallback_answers: 12 } });
  assert.match(open.description ?? '', /breaker open: fallback/);
  assert.equal(open.icon, 'debug-disconnect');
  assert.match(String(open.tooltip), /Circuit breaker open since .*the model threw: out of bounds\. 12 fallback answers/);
  assert.equal(view({ ...base, breaker: { state: 'closed', since: '2026-01-01T00:00:00.000Z', reason: 'ok', fallback_answers: 0 } }).icon, 'radio-tower');
  const off = view({ ...base, enabled: false });
  assert.match(off.description ?? '', /disabled: fallback/);
  const c = DEPLOYMENTS_VIEW.commands;
  const matches = (when: string, value: string): boolean => new RegExp(/^viewItem =~ \/(.+)\/$/.exec(when)?.[1] ?? '^$').test(value);
  assert.ok(matches(c.enable.item.when, off.contextValue ?? ''));
  assert.ok(!matches(c.disable.item.when, off.contextValue ?? ''));
  assert.ok(matches(c.disable.item.when, open.contextValue ?? ''));
  assert.equal(deploymentOfEvent({ kind: 'breaker.opened', subject: 'deployment:production' }), 'production');
});

test('an automatic rollback notice says what happened and which version Undo promotes', () => {
  const n = autoRollbackNotice({ kind: 'deployment.auto_rollback', subject: 'deployment:prod', reason: '', after: { outcome: 'rolled_back', model: 'churn', rolled_back: 3, to_version: 2, alert: { kind: 'error_rate' } } });
  assert.deepEqual(n, { text: 'prod: the error_rate alert rolled churn back from v3 to v2 automatically.', model: 'churn', version: 3 });
  assert.equal(autoRollbackNotice({ kind: 'deployment.started', subject: 'deployment:prod', reason: '', after: null }), undefined);
});
