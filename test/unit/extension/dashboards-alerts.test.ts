/** The Alerts view's model, the Deployments warning icon, the dashboards' host-side shaping and their webview messages. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { type Alert, type SeriesPoint, type WindowResult } from '../../../schemas/src/monitoring';
import { type DeploymentStatus } from '../../../schemas/src/serving';
import { alertDeploymentOfEvent, alertGroups, alertOrder, alertsModel, alertView, dashboardOf, notificationText, openedAlert } from '../../../extension/src/alerts/model';
import { ALERTS_VIEW } from '../../../extension/src/alerts/ids';
import { deploymentOfEvent, deploymentsModel, deploymentView } from '../../../extension/src/deployments/model';
import { decimateSeries, scoreHistories, seriesOf, shadowOf, versionMarks, breakerMark, resolveWindow, stepSeconds, latencyPatch, type LatencyCursor } from '../../../extension/src/dashboards/data';
import { hostMessageSchema, webviewMessageSchema, webviewStateSchema } from '../../../schemas/src/webview';
import { latencyShadowSchema, type LatencyDashboard, type LatencyShadow } from '../../../schemas/src/dashboards';
import { type ShadowSummary } from '../../../schemas/src/safety';

const span = { id: 4, start: '2026-12-03T10:00:00.000Z', end: '2026-12-03T10:05:00.000Z', predictions: 500 };
function alert(id: number, extra: Partial<Alert> = {}): Alert {
  return {
    id: `al-${id}`,
    deployment: 'production',
    kind: 'drift',
    state: 'open',
    opened_at: `2026-12-03T10:0${id}:00.000Z`,
    resolved_at: null,
    updated_at: '2026-12-03T10:09:00.000Z',
    version: 2,
    evidence: {
      values: { drift_share: 0.67 },
      threshold: 0.5,
      window: span,
      features: [{ name: 'tenure_months', test: 'ks', statistic: 0.3, p_value: 0.0001, distance: null, threshold: 0.05 }],
      message: '2 of 3 features drifted (tenure_months, age)',
    },
    latest: null,
    acknowledged: false,
    acknowledged_by: null,
    acknowledged_at: null,
    silenced_until: null,
    ...extra,
  };
}

describe('alerts view model', () => {
  test('deployments with open alerts first; open alerts before resolved, newest first', () => {
    const all = [alert(1, { state: 'resolved', resolved_at: '2026-12-03T10:03:00.000Z' }), alert(2), alert(3, { deployment: 'staging', state: 'resolved' })];
    assert.deepEqual(alertGroups(all), [
      { name: 'production', open: 1, total: 2 },
      { name: 'staging', open: 0, total: 1 },
    ]);
    assert.deepEqual([alert(1, { state: 'resolved' }), alert(3), alert(2)].sort(alertOrder).map((a) => a.id), ['al-3', 'al-2', 'al-1']);
    const model = alertsModel();
    model.setGroups(alertGroups(all));
    assert.deepEqual(model.roots().map((g) => g.name), ['production', 'staging']);
  });

  test('a row: kind and version, state and evidence; the tooltip lists the evidence and drifted features; menus match', () => {
    const v = alertView({ kind: 'alert', parent: 'production', data: alert(2) }, Date.parse('2026-12-03T10:05:00.000Z'));
    assert.equal(v.label, 'Drift v2');
    assert.match(v.description, /^open · 3 min ago · 2 of 3 features drifted/);
    assert.match(v.tooltip, /\| drift_share \| 0\.67 \|/);
    assert.match(v.tooltip, /\| threshold \| 0\.5 \|/);
    assert.match(v.tooltip, /tenure_months \| ks p=1\.00e-4 \(threshold 0\.05\)/);
    assert.equal(v.icon, 'warning');
    assert.equal(v.contextValue, 'alert;open');
    const acked = alertView({ kind: 'alert', parent: 'production', data: alert(2, { acknowledged: true, acknowledged_by: 'ana' }) });
    assert.equal(acked.contextValue, 'alert;open;acked');
    assert.match(acked.tooltip, /acknowledged by ana/);
    const when = (cmd: keyof typeof ALERTS_VIEW.commands, ctx: string) => new RegExp((ALERTS_VIEW.commands[cmd] as { item?: { when: string } }).item?.when.match(/\/(.*)\//)?.[1] ?? '^$').test(ctx) || (ALERTS_VIEW.commands[cmd] as { item?: { when: string } }).item?.when === `viewItem == ${ctx}`;
    assert.ok(when('acknowledge', 'alert;open'));
    assert.ok(!when('acknowledge', 'alert;open;acked'));
    assert.ok(when('rollBack', 'alert;open;acked'));
    assert.ok(!when('rollBack', 'alert;resolved'));
    assert.ok(when('openDashboard', 'alert;resolved'));
  });

  test('events: alert.* names the deployment; alert.opened carries the alert; which dashboard an alert opens', () => {
    const ev = { kind: 'alert.opened' as const, subject: 'deployment:production', after: alert(2), time: new Date().toISOString() };
    assert.equal(alertDeploymentOfEvent(ev), 'production');
    assert.equal(alertDeploymentOfEvent({ kind: 'model.created', subject: 'model:churn' }), undefined);
    assert.equal(openedAlert(ev)?.id, 'al-2');
    assert.equal(openedAlert({ kind: 'alert.opened', after: { junk: true } }), undefined);
    assert.equal(notificationText(alert(2)), 'Drift alert on production (v2): 2 of 3 features drifted (tenure_months, age)');
    assert.equal(dashboardOf({ kind: 'drift' }), 'drift');
    assert.equal(dashboardOf({ kind: 'latency' }), 'latency');
    assert.equal(dashboardOf({ kind: 'error_rate' }), 'latency');
  });

  test('a deployment with an open alert shows a warning icon and the alert in its tooltip; alert events refresh it', () => {
    const d = { name: 'production', model: 'churn', version: 2, follows: { kind: 'stage', value: 'Production' }, state: 'serving', url: null, port: 0, pid: 1, auth: 'none', enabled: true, error: null, restarts: 0, started_at: null, stats: null } as unknown as DeploymentStatus;
    const model = deploymentsModel();
    model.setGroups([d]);
    const node = model.roots()[0] as never;
    assert.equal(deploymentView(node).icon, 'radio-tower');
    const warned = deploymentView(node, ['drift: 2 of 3 features drifted']);
    assert.equal(warned.icon, 'warning');
    assert.match(warned.tooltip, /⚠ Open alert: drift: 2 of 3 features drifted/);
    assert.equal(deploymentOfEvent({ kind: 'alert.resolved', subject: 'deployment:production' }), 'production');
  });
});

function point(minute: number, extra: Partial<SeriesPoint> = {}): SeriesPoint {
  return {
    time: new Date(Date.UTC(2026, 11, 3, 10, minute)).toISOString(),
    requests: 60,
    errors: 0,
    error_rate: 0,
    throughput_rps: 1,
    p50_ms: 2,
    p95_ms: 5,
    p99_ms: 9,
    in_flight: 1,
    version: 1,
    versions: [1],
    cpu_pct: null,
    rss_mb: null,
    ...extra,
  };
}

describe('dashboards: host-side shaping', () => {
  test('series as parallel arrays; version changes become marks', () => {
    const pts = [point(0), point(1, { version: null }), point(2, { version: 2 }), point(3, { version: 2 })];
    const s = seriesOf(pts);
    assert.deepEqual(s.t, pts.map((p) => Date.parse(p.time)));
    assert.deepEqual(s.p99, [9, 9, 9, 9]);
    assert.deepEqual(versionMarks(pts), [{ time: Date.parse(pts[2]?.time as string), kind: 'version', label: 'v1 → v2' }]);
    assert.equal(breakerMark({ kind: 'breaker.opened', time: pts[1]?.time as string })?.label, 'breaker open');
    assert.equal(breakerMark({ kind: 'alert.opened', time: pts[1]?.time as string }), undefined);
  });

  test('10^5 steps decimate to the budget with every series at the same steps and the p99 spike kept', () => {
    const n = 100_000;
    const pts = Array.from({ length: n }, (_, i) => point(0, { time: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(), p99_ms: i === 77_777 ? 900 : 9, p50_ms: i }));
    const d = decimateSeries(seriesOf(pts), 1500);
    assert.ok(d.t.length <= 1500, `${d.t.length} points`);
    assert.equal(d.p50.length, d.t.length);
    assert.ok(d.p99.includes(900));
    const k = d.p99.indexOf(900);
    assert.equal(d.p50[k], 77_777, 'the other series are taken at the same step');
  });

  test('per-feature score history from stored windows, p-value or distance by test', () => {
    const w = (id: number, p: number, d: number): WindowResult =>
      ({
        id,
        end: new Date(Date.UTC(2026, 11, 3, 10, id)).toISOString(),
        drift: {
          reference: 'train@1',
          drifted: false,
          share: 0,
          drifted_features: [],
          sample: 100,
          features: [
            { name: 'age', test: 'ks', statistic: 0.1, p_value: p, distance: null, threshold: 0.05, drifted: p < 0.05, missing: 0, out_of_range: 0, note: null },
            { name: 'gb', test: 'psi', statistic: d, p_value: null, distance: d, threshold: 0.1, drifted: d >= 0.1, missing: 0, out_of_range: 0, note: null },
          ],
          prediction: null,
          note: null,
        },
      }) as unknown as WindowResult;
    const h = scoreHistories([w(1, 0.5, 0.01), { ...w(2, 0, 0), drift: null } as WindowResult, w(3, 0.01, 0.2)]);
    assert.deepEqual(h.map((x) => [x.feature, x.measure, x.scores, x.threshold]), [
      ['age', 'p_value', [0.5, 0.01], 0.05],
      ['gb', 'distance', [0.01, 0.2], 0.1],
    ]);
  });

  test('shadow: the newest pair’s agreement, score difference, counts and both p95s; none configured is null; nothing compared yet is empty', () => {
    const lat = (p95: number | null) => ({ count: 10, p50_ms: 1, p95_ms: p95, p99_ms: 9 });
    const pair = (primary: number, agreement: number, p95: number): ShadowSummary => ({
      deployment: 'prod', model: 'churn', primary_version: primary, shadow_version: 4, compared: 90, agreement, mean_abs_score_diff: 0.03,
      dropped: 2, failed: 1, primary_latency: lat(p95), shadow_latency: lat(p95 * 2), updated_at: '2026-12-03T12:00:00.000Z',
    });
    const got = shadowOf({ deployment: 'prod', shadow: 'Staging', pairs: [pair(3, 0.95, 12), pair(2, 0.5, 40)] });
    assert.deepEqual(got, { shadow: 'Staging', primary_version: 3, shadow_version: 4, compared: 90, agreement: 0.95, mean_abs_score_diff: 0.03, dropped: 2, failed: 1, primary_p95_ms: 12, shadow_p95_ms: 24 });
    assert.ok(latencyShadowSchema.safeParse(got).success);
    assert.equal(shadowOf({ deployment: 'prod', shadow: null, pairs: [] }), null);
    assert.deepEqual(shadowOf({ deployment: 'prod', shadow: '4', pairs: [] }), {
      shadow: '4', primary_version: null, shadow_version: null, compared: 0, agreement: null, mean_abs_score_diff: null, dropped: 0, failed: 0, primary_p95_ms: null, shadow_p95_ms: null,
    });
  });

  test('windows: a day ends now with per-minute steps; a custom range keeps its bounds', () => {
    const now = Date.parse('2026-12-03T12:00:00Z');
    const day = resolveWindow({ kind: 'day', from: 0, to: 0 }, now);
    assert.deepEqual(day, { kind: 'day', from: now - 86_400_000, to: now });
    assert.equal(stepSeconds(day), 60);
    assert.deepEqual(resolveWindow({ kind: 'custom', from: 5, to: 6_000_000 }, now), { kind: 'custom', from: 5, to: 6_000_000 });
  });
});

describe('dashboards: live latency patches', () => {
  test('live patch: new steps with their version marks; shadow figures only when they changed; nothing new is no patch', () => {
    const shadow = (compared: number, agreement: number): LatencyShadow => ({
      shadow: 'Staging', primary_version: 1, shadow_version: 2, compared, agreement, mean_abs_score_diff: 0.01, dropped: 0, failed: 0, primary_p95_ms: 5, shadow_p95_ms: 7,
    });
    const since = (pts: SeriesPoint[]) => ({ series: seriesOf(pts), points: pts });
    const cur: LatencyCursor = { t: Date.parse(point(2).time), step: 60, version: 1, shadow: shadow(40, 0.9) };
    assert.equal(latencyPatch(cur, since([]), shadow(40, 0.9)), null, 'same figures, no step: nothing to send');
    // The serving process reported more comparisons: the patch carries the new figures, no steps.
    const onlyShadow = latencyPatch(cur, since([]), shadow(60, 0.95));
    assert.deepEqual(onlyShadow?.patch, { from: cur.t, series: seriesOf([]), marks: [], shadow: shadow(60, 0.95) });
    assert.deepEqual(onlyShadow?.cursor, { ...cur, shadow: shadow(60, 0.95) });
    // New steps, the second on v2: a mark at it; unchanged shadow figures are not re-sent.
    const pts = [point(2), point(3, { version: 2 })];
    const next = latencyPatch(cur, since(pts), shadow(40, 0.9));
    assert.ok(next);
    assert.equal('shadow' in next.patch, false);
    assert.deepEqual(next.patch.marks, [{ time: Date.parse(point(3).time), kind: 'version', label: 'v1 → v2' }]);
    assert.deepEqual(next.patch.series.t, pts.map((p) => Date.parse(p.time)));
    assert.deepEqual([next.cursor.t, next.cursor.version], [Date.parse(point(3).time), 2]);
    // A version change right at the first new step is marked against the cursor's version.
    assert.equal(latencyPatch({ ...next.cursor, version: 1 }, since([point(3, { version: 2 })]), shadow(40, 0.9))?.patch.marks.length, 1);
    // The shadow removed from mlops.yaml: null is sent once.
    const gone = latencyPatch(cur, since([]), null);
    assert.equal(gone?.patch.shadow, null);
    assert.equal(latencyPatch({ ...cur, shadow: null }, since([]), null), null);
    for (const p of [onlyShadow, next, gone]) assert.ok(hostMessageSchema.safeParse({ type: 'patch', kind: 'latency', patch: p?.patch }).success);
  });
});

describe('dashboards: webview messages', () => {
  const series = { t: [1, 2], p50: [1, null], p95: [2, 3], p99: [3, 4], error_rate: [0, 0.5], throughput: [1, 1], in_flight: [0, 2] };
  const window = { kind: 'day' as const, from: 0, to: 86_400_000 };
  const latency: LatencyDashboard = {
    title: 'Latency: production', deployment: 'production', generated_at: '2026-12-03T12:00:00.000Z', sla_p95_ms: 500, error_rate_max: 0.01,
    window, step_ms: 60_000, source_points: 2, series, breaker: 'closed', marks: [], shadow: null,
  };
  test('latency init and patch pass; a patch for another kind or with a bad breaker state is refused', () => {
    assert.ok(hostMessageSchema.safeParse({ type: 'init', kind: 'latency', data: latency, source: { deployment: 'production', window } }).success);
    assert.ok(hostMessageSchema.safeParse({ type: 'patch', kind: 'latency', patch: { from: 2, series, marks: [], breaker: 'open' } }).success);
    assert.equal(hostMessageSchema.safeParse({ type: 'patch', kind: 'drift', patch: { from: 2, series, marks: [] } }).success, false);
    assert.equal(hostMessageSchema.safeParse({ type: 'patch', kind: 'latency', patch: { from: 2, series, marks: [], breaker: 'melted' } }).success, false);
  });
  test('webview requests: a new source, exports with safe file names only; state per kind', () => {
    assert.ok(webviewMessageSchema.safeParse({ type: 'driftSource', source: { type: 'dataset', dataset: 'train', reference: 'train@1' } }).success);
    assert.ok(webviewMessageSchema.safeParse({ type: 'export', format: 'csv', filename: 'drift-train.csv', content: 'a,b\n' }).success);
    assert.equal(webviewMessageSchema.safeParse({ type: 'export', format: 'csv', filename: '../../etc/passwd.csv', content: '' }).success, false);
    assert.equal(webviewMessageSchema.safeParse({ type: 'export', format: 'png', filename: 'x.exe', content: '' }).success, false);
    assert.ok(webviewStateSchema.safeParse({ kind: 'latency', source: { deployment: 'production', window }, data: latency }).success);
    assert.equal(webviewStateSchema.safeParse({ kind: 'drift', source: { deployment: 'production', window } }).success, false);
  });
});
