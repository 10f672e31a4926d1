import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  describeRollback,
  headlineMetric,
  productionVersions,
  registryFacts,
  registryModel,
  describeStageChange,
  modelOfEvent,
  modelView,
  versionContext,
  versionView,
  gateLines,
} from '../../../extension/src/registry/model';
import { type StoredGateRun } from '../../../schemas/src/gates';
import { summary, version } from './fixtures';

describe('modelOfEvent', () => {
  test('reads the model from every registry subject form', () => {
    assert.equal(modelOfEvent({ kind: 'model.created', subject: 'model:churn' }), 'churn');
    assert.equal(modelOfEvent({ kind: 'model.stage_changed', subject: 'model:churn/3' }), 'churn');
    assert.equal(modelOfEvent({ kind: 'model.alias_set', subject: 'model:churn-v2.x@champion' }), 'churn-v2.x');
  });
  test('ignores events about other things', () => {
    assert.equal(modelOfEvent({ kind: 'run.created', subject: 'run:abc123' }), undefined);
    assert.equal(modelOfEvent({ kind: 'daemon.started', subject: 'daemon' }), undefined);
  });
});

describe('registry model (on the shared GroupedModel)', () => {
  test('keeps node identity across updates; versions newest first', () => {
    const m = registryModel();
    m.setGroups([summary('churn', 1), summary('aaa', null)]);
    assert.deepEqual(m.roots().map((r) => r.name), ['aaa', 'churn']);
    const node = m.group('churn');
    const r = m.upsertGroup(summary('churn', 2));
    m.setLeaves('churn', [version(1, 'Archived'), version(2, 'Production')]);
    assert.equal(r.existed, true);
    assert.equal(r.node, node, 'an existing model keeps its node, so only it refreshes');
    assert.equal(node?.info.production_version, 2);
    assert.deepEqual(m.leavesOf('churn')?.map((v) => v.data.version), [2, 1], 'newest first');
    assert.equal(m.leavesOf('churn')?.[0]?.parent, 'churn');
  });
  test('a new model is reported as new; removing it empties the root', () => {
    const m = registryModel();
    m.setGroups([]);
    assert.equal(m.upsertGroup(summary('fraud', null)).existed, false);
    assert.equal(m.roots().length, 1);
    assert.ok(m.removeGroup('fraud'));
    assert.equal(m.roots().length, 0);
  });
  test('setGroups reports a root change only when the set of names changes; a full reload forgets versions', () => {
    const m = registryModel();
    assert.equal(m.setGroups([summary('churn', 1)]), true);
    assert.equal(m.setGroups([summary('churn', 2)]), false);
    m.setLeaves('churn', [version(1, 'Production')]);
    m.clearLeaves();
    assert.equal(m.leavesOf('churn'), undefined);
  });
  test('lists Production versions for the status bar and walkthrough facts', () => {
    const m = registryModel();
    m.setGroups([summary('churn', 3), summary('fraud', null)]);
    assert.deepEqual(productionVersions(m), [
      { model: 'churn', version: 3 },
      { model: 'fraud', version: null },
    ]);
    assert.deepEqual(registryFacts(m), { hasModels: true, hasPromotedVersion: true });
    m.setGroups([summary('fraud', null, { staging_versions: [] })]);
    assert.deepEqual(registryFacts(m), { hasModels: true, hasPromotedVersion: false });
    m.setGroups([summary('fraud', null, { staging_versions: [1] })]);
    assert.equal(registryFacts(m).hasPromotedVersion, true);
  });
});

describe('item views', () => {
  const node = (n: number, stage: Parameters<typeof version>[1], extra = {}) => ({ kind: 'version' as const, parent: 'churn', data: version(n, stage, extra) });

  test('version: stage, aliases and the headline metric as description; metrics/tags/run in tooltip', () => {
    const v = versionView(node(2, 'Staging', { aliases: ['challenger'], tags: { owner: 'ana' }, source_run_id: 'abc123' }), { production: 1 });
    assert.equal(v.label, 'v2');
    assert.equal(v.description, 'Staging · @challenger · auc 0.82');
    assert.equal(v.icon, 'beaker');
    assert.match(v.tooltip, /\| auc \| 0\.8200 \|/);
    assert.match(v.tooltip, /\| owner \| ana \|/);
    assert.match(v.tooltip, /Source run: abc123/);
    assert.equal(versionView(node(1, 'Production'), { production: 1 }).icon, 'rocket');
    assert.equal(versionView(node(3, 'None', { metrics: {} }), { production: 1 }).description, '');
  });

  test('the tooltip shows the last gate results; the promotion dialog lists each gate with both numbers', () => {
    const run: StoredGateRun = {
      model: 'churn',
      candidate_version: 2,
      production_version: 1,
      passed: false,
      exit_code: 1,
      evaluated_at: '2026-12-03T10:00:00.000Z',
      seconds: 1.5,
      forced: true,
      reason: 'hotfix',
      gates: [
        { name: 'holdout', passed: false, status: 'fail', candidate: 0.8123, production: 0.85, rule: 'auc ≥ Production + 0.01', detail: 'auc on 500 rows' },
        { name: 'shadow', passed: false, status: 'error', candidate: null, production: null, rule: 'agreement ≥ 0.95', detail: 'cannot run: no shadow data' },
      ],
    };
    const tip = versionView(node(2, 'Production'), { production: 2, gates: run }).tooltip;
    assert.match(tip, /Gates failed, promoted anyway: hotfix \(against v1, /);
    assert.match(tip, /\| gate \| candidate \| Production \| rule \| result \|\n\|---\|---\|---\|---\|---\|/);
    assert.match(tip, /\| holdout \| 0\.8123 \| 0\.8500 \| auc ≥ Production \+ 0\.01 \| FAIL \|/);
    assert.match(tip, /\| shadow \| - \| - \| agreement ≥ 0\.95 \| cannot run \|/);
    assert.doesNotMatch(versionView(node(2, 'None'), { production: 1 }).tooltip, /Gates/);
    assert.deepEqual(gateLines(run.gates), ['✗ holdout: 0.8123 vs Production 0.8500 (auc ≥ Production + 0.01)', '? shadow: cannot run: no shadow data (agreement ≥ 0.95)']);
    assert.equal(modelOfEvent({ kind: 'gates.evaluated', subject: 'model:churn/2' }), 'churn');
  });

  test('the headline metric: the gate\'s metric, else the first declared, else the first logged', () => {
    const metrics = { accuracy: 0.9, auc: 0.8, log_loss: 0.3 };
    assert.deepEqual(headlineMetric(metrics, ['log_loss']), ['log_loss', 0.3]);
    assert.deepEqual(headlineMetric(metrics, ['f1', 'auc']), ['auc', 0.8], 'a preferred metric the version lacks is skipped');
    assert.deepEqual(headlineMetric(metrics, []), ['accuracy', 0.9]);
    assert.equal(headlineMetric({}, ['auc']), undefined);
    assert.match(versionView(node(2, 'None', { metrics }), { production: null, preferred: ['log_loss'] }).description, /^log_loss 0\.3$/);
  });

  test('tooltips show local times, counts are pluralised', () => {
    const v = versionView(node(2, 'None', { created_at: '2026-01-01T00:00:00.000Z', artifact_size: 1 }), { production: null });
    assert.doesNotMatch(v.tooltip, /2026-01-01T00:00:00\.000Z/);
    assert.match(v.tooltip, /Registered 20\d\d-\d\d-\d\d \d\d:\d\d:\d\d \(UTC[+-]\d\d:\d\d\) · 1 byte/);
    assert.match(modelView({ kind: 'model', name: 'x', info: summary('x', null, { version_count: 1 }) }).description, /^1 version$/);
  });

  test('context value encodes stage, other Production, source run', () => {
    assert.equal(versionContext(node(2, 'None'), 1), 'version;stage=None;prod;norun');
    assert.equal(versionContext(node(1, 'Production', { source_run_id: 'r1' }), 1), 'version;stage=Production;noprod;run');
    assert.equal(versionContext(node(2, 'Staging'), null), 'version;stage=Staging;noprod;norun');
  });

  test('model: Production, count and staging in the description', () => {
    const v = modelView({ kind: 'model', name: 'churn', info: summary('churn', 3, { staging_versions: [4], version_count: 4 }) });
    assert.equal(v.description, 'Production v3 · 4 versions · Staging v4');
    assert.equal(v.contextValue, 'model;prod');
    assert.equal(modelView({ kind: 'model', name: 'x', info: summary('x', null) }).contextValue, 'model;noprod');
  });

  test('a markdown pipe in a tag value cannot break the tooltip table', () => {
    assert.match(versionView(node(1, 'None', { tags: { note: 'a|b' } }), { production: null }).tooltip, /a\\\|b/);
  });
});

const versionNode = (n: number, stage: Parameters<typeof version>[1]) => ({ kind: 'version' as const, parent: 'churn', data: version(n, stage) });

test('a latency gate measured in-process and through an endpoint shows each figure in the dialog and the tooltip', () => {
  const latency = {
    name: 'latency' as const,
    passed: false,
    status: 'fail' as const,
    candidate: 27.1,
    production: 2.56,
    rule: 'p95 ≤ 3 × Production (in-process and through an endpoint, each)',
    detail: 'p95 ms of 20 single-instance predictions per model, interleaved; …',
    measurements: [
      { via: 'in_process' as const, candidate: 14.6, production: 0.15, passed: false },
      { via: 'endpoint' as const, candidate: 27.1, production: 2.56, passed: false },
    ],
  };
  assert.deepEqual(gateLines([latency]), [
    '✗ latency: 27.1000 vs Production 2.5600 (p95 ≤ 3 × Production (in-process and through an endpoint, each))',
    '    ✗ in-process: 14.6000 ms vs Production 0.1500 ms',
    '    ✗ through an endpoint: 27.1000 ms vs Production 2.5600 ms',
  ]);
  const run = { model: 'scorer', candidate_version: 2, production_version: 1, passed: false, exit_code: 1 as const, evaluated_at: '2026-12-03T10:00:00.000Z', seconds: 3, forced: false, reason: '', gates: [latency] };
  const tip = versionView(versionNode(2, 'None'), { production: 1, gates: run }).tooltip;
  assert.match(tip, /\| latency \| 27\.1000 \| 2\.5600 \| .* \| FAIL \|\n\n- latency ✗ in-process: 14\.6000 ms vs Production 0\.1500 ms\n- latency ✗ through an endpoint: 27\.1000 ms/);
});

describe('confirmation texts', () => {
  const all = [1, 2, 3].map((n) => ({ kind: 'version' as const, parent: 'churn', data: version(n, n === 1 ? 'Production' : 'None') }));
  test('promoting to Production names the version that gets archived', () => {
    assert.deepEqual(describeStageChange(all[2]!, 'Production', all), ['churn v3: None → Production', 'churn v1: Production → Archived']);
    assert.deepEqual(describeStageChange(all[2]!, 'Staging', all), ['churn v3: None → Staging']);
  });
  test('rollback names the current Production version', () => {
    assert.match(describeRollback('churn', all)[0] ?? '', /v1: Production → Archived/);
    assert.match(describeRollback('churn', [])[0] ?? '', /no Production version/);
  });
});
