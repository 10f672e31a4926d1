import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  RegistryTreeModel,
  describeRollback,
  describeStageChange,
  modelOfEvent,
  modelView,
  versionContext,
  versionView,
} from '../../../extension/src/registry/model';
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

describe('RegistryTreeModel', () => {
  test('keeps node identity across updates and asks for the model node to refresh', () => {
    const m = new RegistryTreeModel();
    m.load([summary('churn', 1), summary('aaa', null)]);
    assert.deepEqual(m.roots().map((r) => r.name), ['aaa', 'churn']);
    const node = m.model('churn');
    const r = m.setModel(summary('churn', 2), [version(1, 'Archived'), version(2, 'Production')]);
    assert.equal(r.refresh, node, 'an existing model refreshes only its own node');
    assert.equal(m.model('churn'), node);
    assert.equal(node?.summary.production_version, 2);
    assert.deepEqual(m.versionsOf('churn')?.map((v) => v.data.version), [2, 1], 'newest first');
  });
  test('a new model refreshes the root', () => {
    const m = new RegistryTreeModel();
    m.load([]);
    assert.equal(m.setModel(summary('fraud', null), [version(1, 'None')]).refresh, undefined);
    assert.equal(m.roots().length, 1);
    assert.ok(m.removeModel('fraud'));
    assert.equal(m.roots().length, 0);
  });
  test('versions are unknown until loaded, and a reload forgets them', () => {
    const m = new RegistryTreeModel();
    m.load([summary('churn', 1)]);
    assert.equal(m.versionsOf('churn'), undefined);
    m.setModel(summary('churn', 1), [version(1, 'Production')]);
    m.load([summary('churn', 1)]);
    assert.equal(m.versionsOf('churn'), undefined);
  });
  test('lists Production versions for the status bar', () => {
    const m = new RegistryTreeModel();
    m.load([summary('churn', 3), summary('fraud', null)]);
    assert.deepEqual(m.productionVersions(), [
      { model: 'churn', version: 3 },
      { model: 'fraud', version: null },
    ]);
  });
});

describe('item views', () => {
  const node = (n: number, stage: Parameters<typeof version>[1], production: number | null, extra = {}) => ({
    kind: 'version' as const,
    model: 'churn',
    data: version(n, stage, extra),
    production,
  });

  test('version: stage and aliases as description, stage icon, metrics/tags/run in tooltip', () => {
    const v = versionView(node(2, 'Staging', 1, { aliases: ['challenger'], tags: { owner: 'ana' }, source_run_id: 'abc123' }));
    assert.equal(v.label, 'v2');
    assert.equal(v.description, 'Staging · @challenger');
    assert.equal(v.icon, 'beaker');
    assert.match(v.tooltip, /\| auc \| 0\.8200 \|/);
    assert.match(v.tooltip, /\| owner \| ana \|/);
    assert.match(v.tooltip, /Source run: abc123/);
    assert.equal(versionView(node(1, 'Production', 1)).icon, 'rocket');
    assert.equal(versionView(node(3, 'None', 1)).description, '');
  });

  test('context value encodes stage, other Production, source run', () => {
    assert.equal(versionContext(node(2, 'None', 1)), 'version;stage=None;prod;norun');
    assert.equal(versionContext(node(1, 'Production', 1, { source_run_id: 'r1' })), 'version;stage=Production;noprod;run');
    assert.equal(versionContext(node(2, 'Staging', null)), 'version;stage=Staging;noprod;norun');
  });

  test('model: Production, count and staging in the description', () => {
    const v = modelView({ kind: 'model', name: 'churn', summary: summary('churn', 3, { staging_versions: [4], version_count: 4 }) });
    assert.equal(v.description, 'Production v3 · 4 versions · Staging v4');
    assert.equal(v.contextValue, 'model;prod');
    assert.equal(modelView({ kind: 'model', name: 'x', summary: summary('x', null) }).contextValue, 'model;noprod');
  });

  test('a markdown pipe in a tag value cannot break the tooltip table', () => {
    assert.match(versionView(node(1, 'None', null, { tags: { note: 'a|b' } })).tooltip, /a\\\|b/);
  });
});

describe('confirmation texts', () => {
  const all = [1, 2, 3].map((n) => ({ kind: 'version' as const, model: 'churn', data: version(n, n === 1 ? 'Production' : 'None'), production: 1 }));
  test('promoting to Production names the version that gets archived', () => {
    assert.deepEqual(describeStageChange(all[2]!, 'Production', all), ['churn v3: None → Production', 'churn v1: Production → Archived']);
    assert.deepEqual(describeStageChange(all[2]!, 'Staging', all), ['churn v3: None → Staging']);
  });
  test('rollback names the current Production version', () => {
    assert.match(describeRollback('churn', all)[0] ?? '', /v1: Production → Archived/);
    assert.match(describeRollback('churn', [])[0] ?? '', /no Production version/);
  });
});
