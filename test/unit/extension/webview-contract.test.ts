import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { contentSecurityPolicy, makeNonce, webviewShell } from '../../../extension/src/webview/html';
import { metricDirection, metricRows, paramRows } from '../../../extension/src/comparison/data';
import { fromRuns } from '../../../extension/src/experiments/webview';
import { fromVersions } from '../../../extension/src/registry/webview';
import { describeIssues, hostMessageSchema, webviewMessageSchema, webviewStateSchema } from '../../../schemas/src/webview';
import { run, version } from './fixtures';

describe('webview message contracts', () => {
  const data = fromVersions('churn', [version(1, 'Production'), version(2, 'Staging')]);
  const source = { type: 'versions' as const, model: 'churn', versions: [1, 2] };

  test('host messages: valid init passes, a missing field is named', () => {
    assert.ok(hostMessageSchema.safeParse({ type: 'init', kind: 'comparison', data, source }).success);
    const bad = hostMessageSchema.safeParse({ type: 'init', kind: 'comparison', data: { ...data, items: [] }, source });
    assert.equal(bad.success, false);
    if (!bad.success) assert.match(describeIssues(bad.error), /^data\.items: /);
    assert.equal(hostMessageSchema.safeParse({ type: 'explode' }).success, false);
  });

  test('webview messages: ready, rendered, revealRun; junk is refused', () => {
    assert.ok(webviewMessageSchema.safeParse({ type: 'ready', kind: 'comparison' }).success);
    assert.ok(webviewMessageSchema.safeParse({ type: 'rendered', charts: 2, rows: 5 }).success);
    assert.equal(webviewMessageSchema.safeParse({ type: 'rendered', charts: -1, rows: 5 }).success, false);
    assert.equal(webviewMessageSchema.safeParse({ type: 'revealRun', run_id: '' }).success, false);
    assert.equal(webviewMessageSchema.safeParse('ready').success, false);
  });

  test('saved state round-trips and a comparison of runs needs two', () => {
    assert.ok(webviewStateSchema.safeParse({ kind: 'comparison', source, data }).success);
    assert.equal(webviewStateSchema.safeParse({ kind: 'comparison', source: { type: 'runs', ids: ['a'] } }).success, false);
  });
});

describe('webview shell', () => {
  test('CSP: nonce-only scripts, no eval, no wildcard, nothing by default', () => {
    const csp = contentSecurityPolicy('https://file+.vscode-resource.vscode-cdn.net', 'N0nce');
    assert.match(csp, /^default-src 'none'/);
    assert.match(csp, /script-src 'nonce-N0nce'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-eval|unsafe-inline|\*/);
  });
  test('nonces are fresh and script tags carry them', () => {
    const a = makeNonce();
    assert.notEqual(a, makeNonce());
    assert.match(a, /^[A-Za-z0-9]{16,}$/);
    const html = webviewShell({ title: 'T"<x>', cspSource: 'vscode-resource:', nonce: a, scriptUri: 'vscode-resource:/c.js' });
    assert.match(html, new RegExp(`<script nonce="${a}" src="vscode-resource:/c.js"></script>`));
    assert.doesNotMatch(html, /<x>/, 'the title is escaped');
  });
});

describe('comparison data', () => {
  test('paramRows marks differing and missing values', () => {
    assert.deepEqual(paramRows([{ lr: 0.1, seed: 1 }, { lr: 0.2, seed: 1, extra: true }]), [
      { key: 'extra', values: [undefined, true], differs: true },
      { key: 'lr', values: [0.1, 0.2], differs: true },
      { key: 'seed', values: [1, 1], differs: false },
    ]);
  });
  test('model versions become items with single-point series and tag params', () => {
    const d = fromVersions('churn', [version(1, 'Production', { tags: { owner: 'ana' } }), version(2, 'None')]);
    assert.deepEqual(d.items.map((i) => i.label), ['churn v1', 'churn v2']);
    assert.ok(d.params.some((p) => p.key === 'tag.owner' && p.differs));
    assert.deepEqual(d.series.map((s) => [s.item, s.key, s.steps.length]), [['churn/1', 'auc', 1], ['churn/2', 'auc', 1]]);
  });
  test('runs carry their curves and a title naming them', () => {
    const cmp = { runs: [run('aaaaaa'), run('bbbbbb')], params: [{ key: 'lr', values: [0.1, 0.2], differs: true }], metrics: [{ key: 'auc', values: [0.8, 0.9] }] };
    const d = fromRuns(cmp, new Map([['aaaaaa', [{ key: 'loss', steps: [0, 1], values: [1, 0.5] }]]]));
    assert.equal(d.title, 'Run Comparison: run-aaaaaa vs run-bbbbbb');
    assert.equal(d.series.length, 1);
    assert.equal(d.items[0]?.run_id, 'aaaaaa');
    assert.ok(hostMessageSchema.safeParse({ type: 'update', kind: 'comparison', data: d, source: { type: 'runs', ids: ['aaaaaa', 'bbbbbb'] } }).success);
  });
  test('runs: final metrics come from the comparison, with deltas against the first run', () => {
    const cmp = { runs: [run('aaaaaa'), run('bbbbbb')], params: [], metrics: [{ key: 'val_loss', values: [0.5, 0.4] }] };
    const d = fromRuns(cmp, new Map());
    assert.equal(d.metrics[0]?.direction, 'lower');
    assert.deepEqual(d.metrics[0]?.best, [1]);
    assert.ok(Math.abs((d.metrics[0]?.deltas[1] ?? 0) + 0.1) < 1e-12);
  });
});

describe('which way a metric is better', () => {
  test('the name decides: loss, error, RMSE, MAE, log loss lower; accuracy, AUC, F1, precision, recall, R² higher', () => {
    for (const k of ['loss', 'val_loss', 'train/loss', 'error_rate', 'rmse', 'MAE', 'log_loss', 'mean_absolute_error']) assert.equal(metricDirection(k), 'lower', k);
    for (const k of ['accuracy', 'val_acc', 'auc', 'roc_auc', 'f1', 'F1_score', 'precision', 'recall', 'r2', 'R²']) assert.equal(metricDirection(k), 'higher', k);
    assert.equal(metricDirection('epochs'), undefined);
  });
  test('the setting overrides the name', () => {
    assert.equal(metricDirection('churn_rate', { churn_rate: 'lower' }), 'lower');
    assert.equal(metricDirection('loss', { loss: 'higher' }), 'higher');
  });
  test('rows: deltas against the first item, best marked only when the direction is known and values differ', () => {
    const rows = metricRows([{ auc: 0.791, loss: 0.5, epochs: 10 }, { auc: 0.767, loss: 0.45, epochs: 20 }, { loss: 0.45 }]);
    const byKey = Object.fromEntries(rows.map((r) => [r.key, r]));
    assert.deepEqual(byKey['auc']?.best, [0]);
    assert.deepEqual(byKey['auc']?.values, [0.791, 0.767, null]);
    assert.equal(byKey['auc']?.deltas[0], null);
    assert.ok(Math.abs((byKey['auc']?.deltas[1] ?? 0) + 0.024) < 1e-12);
    assert.equal(byKey['auc']?.deltas[2], null, 'no value, no delta');
    assert.deepEqual(byKey['loss']?.best, [1, 2], 'ties are all best');
    assert.deepEqual(byKey['epochs']?.best, [], 'unknown direction: nothing marked');
    assert.equal(byKey['epochs']?.direction, null);
    assert.deepEqual(metricRows([{ auc: 0.8 }, { auc: 0.8 }])[0]?.best, [], 'all equal: nothing marked');
  });
});
