/**
 * The deployment dashboards' data as the extension reads it (extension/src/dashboards/data.ts and the
 * Alerts view's calls) against a real daemon and a real serving process on loopback: the latency
 * series with the SLA from mlops.yaml, a live patch of only the newer steps, drift per window with the
 * selected feature's history and binned distribution, the shadow comparison (Production mirrored to
 * itself, so every answer agrees), and the alert the notification announces.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { alertGroups, notificationText, openedAlert } from '../../../extension/src/alerts/model';
import { alertsApi } from '../../../extension/src/alerts/api';
import { deploymentDrift, latencyCursor, latencyDashboard, latencyPatch, latencySince, shadowFor } from '../../../extension/src/dashboards/data';
import { describeIssues, hostMessageSchema } from '../../../schemas/src/webview';
import { loadConfig } from '../../../shared/src/mlops-yaml';
import { startDaemon, tempProject, writeLinearOnnx, type RunningDaemon, type TempProject } from '../../helpers';
import { churnRow, seeded, writeReference } from '../../helpers/monitoring';
import { CHURN_FEATURES, deploy, portOf, postJson, registry, waitFor } from '../../helpers/serving';

const CONFIG = `version: 1
project:
  name: dashboards-test
data:
  ref:
    paths: [data/ref.csv]
    watch: false
models:
  churn:
    task: classification
    signature:
      inputs:
        - name: age
        - name: tenure
          range: [0, 60]
        - name: spend
monitoring:
  reference: ref
  window: 200
  slice: 1s
  evaluate_every: 1s
  sample_size: 200
  drift:
    threshold: 0.001
deployments:
  live:
    model: churn
    shadow: Production
    monitoring:
      latency:
        p95_ms: 0.001
`;

let project: TempProject;
let daemon: RunningDaemon;
let port = 0;
const config = () => {
  const r = loadConfig(project.root);
  assert.ok(r.ok);
  return r.config;
};
const hour = () => ({ kind: 'hour' as const, from: Date.now() - 3_600_000, to: Date.now() });

before(async () => {
  project = tempProject({ config: CONFIG, prefix: 'mlops-dash-dep-' });
  writeReference(project.root, 2000);
  daemon = await startDaemon(project.root);
  const c = daemon.client;
  await c.snapshot('ref', 'reference');
  await registry(c).register('churn', { artifact_path: writeLinearOnnx(join(project.root, 'models', 'churn.onnx'), { features: CHURN_FEATURES, seed: 1 }) });
  await registry(c).setStage('churn', 1, 'Production');
  const st = await deploy(c, 'live');
  assert.equal(st.state, 'serving', st.error ?? '');
  port = portOf(st);
});

after(async () => {
  await daemon?.stop();
  await project?.cleanup();
});

async function send(rows: number[][], perRequest = 20): Promise<void> {
  for (let i = 0; i < rows.length; i += perRequest) assert.equal((await postJson(port, '/predict', { instances: rows.slice(i, i + perRequest) })).status, 200);
}

test('latency: stored steps with the SLA of this deployment; a patch carries only the steps since the last', async () => {
  const rand = seeded(3);
  await send(Array.from({ length: 200 }, () => churnRow(rand)));
  // The serving process also reports idle steps (before this traffic), so wait for one with requests.
  const d = await waitFor('a stored step with traffic', async () => {
    const x = await latencyDashboard(daemon.client, { deployment: 'live', window: hour() }, config());
    return x.series.throughput.some((v) => v > 0) ? x : undefined;
  });
  assert.equal(d.sla_p95_ms, 0.001, 'deployments.live.monitoring.latency.p95_ms');
  assert.equal(d.error_rate_max, 0.01, 'the global default');
  assert.equal(d.step_ms, 60_000, 'an hour in one-minute steps');
  assert.equal(d.breaker, 'closed');
  assert.ok(d.series.p95.some((v) => (v ?? 0) > 0), JSON.stringify(d.series));
  assert.ok(d.series.throughput.some((x) => x > 0));
  const checked = hostMessageSchema.safeParse({ type: 'init', kind: 'latency', data: d, source: { deployment: 'live', window: d.window } });
  assert.ok(checked.success, checked.success ? '' : describeIssues(checked.error));
  const last = d.series.t[d.series.t.length - 1] as number;
  await send(Array.from({ length: 100 }, () => churnRow(rand)));
  const since = await waitFor('steps since the last', async () => {
    const s = await latencySince(daemon.client, 'live', last, d.step_ms / 1000);
    return s.points.some((p) => p.requests > 0) ? s : undefined;
  });
  assert.ok(since.series.t.every((t) => t >= last), 'nothing before the last step is sent again');
});

test('latency: the shadow comparison of the deployment, its numbers from the daemon\'s shadow report', async () => {
  const rand = seeded(5);
  await send(Array.from({ length: 60 }, () => churnRow(rand)));
  const d = await waitFor('shadow answers compared', async () => {
    const x = await latencyDashboard(daemon.client, { deployment: 'live', window: hour() }, config());
    return (x.shadow?.compared ?? 0) > 0 ? x : undefined;
  });
  const s = d.shadow;
  assert.ok(s);
  assert.deepEqual([s.shadow, s.primary_version, s.shadow_version, s.agreement, s.mean_abs_score_diff], ['Production', 1, 1, 1, 0], JSON.stringify(s));
  assert.ok(s.primary_p95_ms !== null && s.shadow_p95_ms !== null, JSON.stringify(s));
  assert.ok(s.compared + s.dropped + s.failed <= 360, `no more copies than the 360 instances sent so far: ${JSON.stringify(s)}`);
  const checked = hostMessageSchema.safeParse({ type: 'init', kind: 'latency', data: d, source: { deployment: 'live', window: d.window } });
  assert.ok(checked.success, checked.success ? '' : describeIssues(checked.error));
  // More traffic: the live refresh (what the open panel does every few seconds) patches the figures in, no reload.
  const cursor = latencyCursor(d);
  await send(Array.from({ length: 60 }, () => churnRow(rand)));
  const next = await waitFor('a patch with more shadow comparisons', async () => {
    const since = await latencySince(daemon.client, 'live', cursor.t, cursor.step);
    const p = latencyPatch(cursor, since, await shadowFor(daemon.client, 'live', config()));
    return p && (p.patch.shadow?.compared ?? 0) > s.compared ? p : undefined;
  });
  assert.equal(next.patch.shadow?.agreement, 1);
  assert.deepEqual(next.cursor.shadow, next.patch.shadow, 'the next refresh compares against what was sent');
  const patched = hostMessageSchema.safeParse({ type: 'patch', kind: 'latency', patch: next.patch });
  assert.ok(patched.success, patched.success ? '' : describeIssues(patched.error));
});

test('drift: the latest window per feature, the selected feature history and distribution; the alert the notification names', async () => {
  const rand = seeded(11);
  await send(Array.from({ length: 400 }, () => churnRow(rand, { age: 30, spendFactor: 3 })));
  const d = await waitFor('a drifted window', async () => {
    const x = await deploymentDrift(daemon.client, { type: 'deployment', deployment: 'live', window: hour() }, config());
    return x.verdict.drifted ? x : undefined;
  }, 30_000);
  assert.deepEqual(d.subject, { kind: 'deployment', deployment: 'live', reference: 'ref@1' });
  assert.deepEqual(d.features.filter((f) => f.drifted).map((f) => f.feature).sort(), ['age', 'spend']);
  const selected = d.features.find((f) => f.drifted)?.feature;
  assert.deepEqual(d.history.map((h) => h.feature), [selected]);
  assert.ok((d.history[0]?.times.length ?? 0) >= 1);
  assert.equal(d.distributions[0]?.feature, selected);
  assert.equal(d.distributions[0]?.kind, 'histogram');
  const other = await deploymentDrift(daemon.client, { type: 'deployment', deployment: 'live', window: hour(), feature: 'tenure' }, config());
  assert.equal(other.distributions[0]?.feature, 'tenure');
  assert.ok(hostMessageSchema.safeParse({ type: 'init', kind: 'drift', data: d, source: { type: 'deployment', deployment: 'live', window: d.window ?? hour() } }).success);

  const alerts = (await alertsApi.list(daemon.client)).alerts;
  assert.ok(alerts.some((a) => a.kind === 'drift' && a.state === 'open'));
  assert.deepEqual(alertGroups(alerts).map((g) => g.name), ['live']);
  const events = await registry(daemon.client).events(0, 1000, 'deployment:live');
  const opened = events.events.map(openedAlert).find((a) => a?.kind === 'drift');
  assert.ok(opened, 'alert.opened carries the alert');
  assert.match(notificationText(opened), /^Drift alert on live \(v1\): /);
});
