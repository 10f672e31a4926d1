import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { datasetOfEvent, datasetsModel, datasetVersionView, datasetView, diffMarkdown } from '../../../extension/src/datasets/model';
import { experimentsModel, experimentView, keyMetrics, runOfEvent, runView, selectedRunIds } from '../../../extension/src/experiments/model';
import { run } from './fixtures';

const exp = (name: string, runs = 1, last: string | null = '2026-01-01T00:00:00.000Z') => ({ name, run_count: runs, last_run_time: last, created_at: '2026-01-01T00:00:00.000Z' });

describe('experiments tree model', () => {
  test('runOfEvent reads the run id and, for run.created, its experiment', () => {
    assert.deepEqual(runOfEvent({ kind: 'run.created', subject: 'run:abc123', after: { experiment: 'churn' } }), { id: 'abc123', experiment: 'churn' });
    assert.deepEqual(runOfEvent({ kind: 'run.metrics', subject: 'run:abc123', after: { points: 3 } }), { id: 'abc123' });
    assert.equal(runOfEvent({ kind: 'model.created', subject: 'model:churn', after: null }), undefined);
  });

  test('setExperiments reports a root change only when the set of experiments changes', () => {
    const m = experimentsModel();
    assert.equal(m.setGroups([exp('churn')]), true);
    const node = m.group('churn');
    assert.equal(m.setGroups([exp('churn', 2)]), false);
    assert.equal(m.group('churn'), node, 'same node object');
    assert.equal(node?.info.run_count, 2);
    assert.equal(m.setGroups([exp('churn', 2), exp('live')]), true);
  });

  test('runs are newest first; experiments most recently active first', () => {
    const m = experimentsModel();
    m.setGroups([exp('old', 1, '2025-01-01T00:00:00Z'), exp('churn')]);
    assert.deepEqual(m.roots().map((e) => e.name), ['churn', 'old']);
    m.setLeaves('churn', [run('aaaaaa', { start_time: '2026-01-01T00:00:00Z' }), run('bbbbbb', { start_time: '2026-01-02T00:00:00Z' })]);
    assert.deepEqual(m.leavesOf('churn')?.map((r) => r.data.id), ['bbbbbb', 'aaaaaa']);
  });

  test('run view: status icon, one short key metric and the age (fits the default sidebar); the rest in the tooltip', () => {
    const now = Date.parse('2026-01-01T00:05:00Z');
    const v = runView({ kind: 'run', parent: 'churn', data: run('abc123', { git_dirty: true, metrics: { auc: 0.812345, loss: 0.44, zeta: 1 } }) }, now);
    assert.equal(v.icon, 'pass');
    assert.equal(v.description, 'auc 0.812 · 5 min ago');
    assert.ok(v.label.length + v.description.length < 40, 'short enough for ~300 px');
    assert.match(v.tooltip, /\| loss \| 0\.4400 \|/);
    assert.match(v.tooltip, /Git 0123456789abcdef \(uncommitted changes\)/);
    assert.doesNotMatch(v.tooltip, /T00:00:00/, 'local times, not raw ISO');
    assert.equal(runView({ kind: 'run', parent: 'churn', data: run('x1x1x1', { status: 'failed' }) }, now).icon, 'error');
    assert.equal(runView({ kind: 'run', parent: 'churn', data: run('x1x1x1', { status: 'running' }) }, now).icon, 'sync~spin');
    assert.match(experimentView({ kind: 'experiment', name: 'churn', info: exp('churn', 3) }, now).description, /^3 runs · last 5 min ago$/);
    assert.match(experimentView({ kind: 'experiment', name: 'churn', info: exp('churn', 1) }, now).description, /^1 run · /);
  });

  test('keyMetrics prefers headline metrics', () => {
    assert.deepEqual(keyMetrics({ zeta: 1, loss: 2, auc: 3 }, 2), [['auc', 3], ['loss', 2]]);
    assert.deepEqual(keyMetrics({ zeta: 1, loss: 2, auc: 3 }), [['auc', 3]]);
  });

  test('selectedRunIds uses the multi-selection, else the clicked run', () => {
    const a = { kind: 'run' as const, parent: 'e', data: run('aaaaaa') };
    const b = { kind: 'run' as const, parent: 'e', data: run('bbbbbb') };
    const e = { kind: 'experiment' as const, name: 'e', info: exp('e') };
    assert.deepEqual(selectedRunIds(a, [a, b, e]), ['aaaaaa', 'bbbbbb']);
    assert.deepEqual(selectedRunIds(a, []), ['aaaaaa']);
    assert.deepEqual(selectedRunIds(e, [e]), []);
  });
});

describe('datasets tree model', () => {
  const dv = (version: number, parent: number | null) => ({
    dataset: 'train',
    version,
    parent_version: parent,
    file_count: 2,
    total_bytes: 2048,
    reason: 'cli',
    created_at: '2026-01-01T00:00:00.000Z',
  });
  const info = (latest: ReturnType<typeof dv> | null, configured = true) => ({ name: 'train', paths: ['data/train.csv'], format: 'csv', configured, latest, version_count: latest ? latest.version : 0 });

  test('datasetOfEvent', () => {
    assert.equal(datasetOfEvent({ kind: 'dataset.version_created', subject: 'dataset:train/3' }), 'train');
    assert.equal(datasetOfEvent({ kind: 'run.created', subject: 'run:abc' }), undefined);
  });

  test('views show version, file count, size, age and reason', () => {
    const now = Date.parse('2026-01-01T02:00:00Z');
    assert.equal(datasetView({ kind: 'dataset', name: 'train', info: info(dv(2, 1)) }, now).description, 'v2 · 2 files · 2.0 KB · 2 h ago');
    assert.equal(datasetView({ kind: 'dataset', name: 'train', info: info(null, false) }, now).description, 'no snapshot yet · not in mlops.yaml');
    const v = datasetVersionView({ kind: 'datasetVersion', parent: 'train', data: dv(2, 1) }, now);
    assert.equal(v.description, '2 files · 2.0 KB · 2 h ago · cli');
    assert.equal(v.contextValue, 'datasetVersion;parent');
    assert.equal(datasetVersionView({ kind: 'datasetVersion', parent: 'train', data: dv(1, null) }, now).contextValue, 'datasetVersion;first');
    const one = { ...dv(1, null), file_count: 1 };
    assert.equal(datasetVersionView({ kind: 'datasetVersion', parent: 'train', data: one }, now).description, '1 file · 2.0 KB · 2 h ago · cli');
    assert.match(datasetView({ kind: 'dataset', name: 'train', info: info(one) }, now).description, /^v1 · 1 file · /);
  });

  test('model keeps identity and sorts versions newest first', () => {
    const m = datasetsModel();
    assert.equal(m.setGroups([info(dv(1, null))]), true);
    const node = m.group('train');
    assert.equal(m.setGroups([info(dv(2, 1))]), false);
    assert.equal(m.group('train'), node);
    m.setLeaves('train', [dv(1, null), dv(2, 1)]);
    assert.deepEqual(m.leavesOf('train')?.map((v) => v.data.version), [2, 1]);
    assert.equal(m.setGroups([info(dv(2, 1)), { ...info(null), name: 'holdout' }]), true, 'a dataset added to mlops.yaml changes the root');
  });

  test('diff report lists added, removed and changed files', () => {
    const f = (path: string) => ({ path, size: 10, sha256: 'b'.repeat(64) });
    const md = diffMarkdown({
      dataset: 'train',
      from: 1,
      to: 2,
      added: [f('new.csv')],
      removed: [f('old.csv')],
      changed: [{ path: 'a.csv', from_size: 10, to_size: 2048, from_sha256: 'c'.repeat(64), to_sha256: 'd'.repeat(64) }],
      unchanged: 4,
    });
    assert.match(md, /1 added · 1 removed · 1 changed · 4 unchanged/);
    assert.match(md, /`a\.csv`: 10 B → 2\.0 KB/);
  });
});
