import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { age, localTime, plural, shortMetric } from '../../../extension/src/shared/tree/item';
import { GroupedModel } from '../../../extension/src/shared/tree/model';
import { auditEvents, auditMarkdown, fromTo } from '../../../extension/src/registry/audit';

describe('shared tree formatting', () => {
  test('plural', () => {
    assert.equal(plural(1, 'file'), '1 file');
    assert.equal(plural(0, 'file'), '0 files');
    assert.equal(plural(2, 'entry', 'entries'), '2 entries');
  });
  test('local time names its offset and never shows raw ISO', () => {
    assert.equal(localTime('2026-01-01T23:30:00.000Z', 60), '2026-01-02 00:30:00 (UTC+01:00)');
    assert.equal(localTime('2026-01-01T00:30:00.000Z', -330), '2025-12-31 19:00:00 (UTC-05:30)');
    assert.match(localTime('2026-06-01T12:00:00Z'), /^2026-06-01 \d\d:\d\d:00 \(UTC[+-]\d\d:\d\d\)$/);
    assert.equal(localTime('not a time'), 'not a time');
  });
  test('ages move on as time passes (the view re-renders them)', () => {
    const t = '2026-01-01T00:00:00Z';
    assert.equal(age(t, Date.parse('2026-01-01T00:00:20Z')), 'just now');
    assert.equal(age(t, Date.parse('2026-01-01T00:06:10Z')), '6 min ago');
    assert.equal(age(t, Date.parse('2026-01-01T00:16:10Z')), '16 min ago');
    assert.equal(age(t, Date.parse('2026-01-01T03:59:00Z')), '3 h ago');
  });
  test('short metrics keep three significant digits', () => {
    assert.equal(shortMetric(0.791234), '0.791');
    assert.equal(shortMetric(12.3456), '12.3');
    assert.equal(shortMetric(42), '42');
    assert.equal(shortMetric(0.00001234), '1.23e-5');
  });
});

describe('GroupedModel', () => {
  const model = () => new GroupedModel<'g', { name: string; n: number }, 'l', number>({ groupKind: 'g', leafKind: 'l', leafOrder: (a, b) => a - b });
  test('groups keep identity, leaves are sorted and tagged with their parent', () => {
    const m = model();
    assert.equal(m.setGroups([{ name: 'b', n: 1 }, { name: 'a', n: 1 }]), true);
    const b = m.group('b');
    assert.equal(m.setGroups([{ name: 'b', n: 2 }, { name: 'a', n: 1 }]), false);
    assert.equal(m.group('b'), b);
    assert.equal(b?.info.n, 2);
    assert.deepEqual(m.roots().map((g) => g.name), ['a', 'b']);
    m.setLeaves('b', [3, 1, 2]);
    assert.deepEqual(m.leavesOf('b'), [1, 2, 3].map((data) => ({ kind: 'l', parent: 'b', data })));
  });
  test('a group that disappears takes its leaves with it', () => {
    const m = model();
    m.setGroups([{ name: 'a', n: 1 }]);
    m.setLeaves('a', [1]);
    m.setGroups([]);
    m.setGroups([{ name: 'a', n: 1 }]);
    assert.equal(m.leavesOf('a'), undefined);
  });
});

describe('audit history', () => {
  const ev = (seq: number, kind: string, subject: string, before: unknown, after: unknown, reason = '') =>
    ({ seq, time: '2026-01-01T00:00:00.000Z', actor: 'vscode', kind, subject, before, after, reason }) as Parameters<typeof fromTo>[0] & { seq: number; time: string; actor: string; reason: string };
  test('from → to for every registry event', () => {
    assert.equal(fromTo(ev(1, 'model.stage_changed', 'model:churn/2', { stage: 'None' }, { stage: 'Production', archived: [1] })), 'None → Production (archived v1)');
    assert.equal(fromTo(ev(2, 'model.alias_set', 'model:churn@champion', null, { version: 2 })), '— → v2');
    assert.equal(fromTo(ev(3, 'model.rolled_back', 'model:churn', { production: 2 }, { production: 1, archived: [2] })), 'Production v2 → v1');
    assert.equal(fromTo(ev(4, 'model.version_registered', 'model:churn/3', null, { version: 3 })), '— → v3');
  });
  test('a version\'s history excludes its namesakes (v1 is not v10); reasons are shown, oldest first', () => {
    const events = [
      ev(3, 'model.stage_changed', 'model:churn/1', { stage: 'Staging' }, { stage: 'Production' }, 'beats v0 | by 2%'),
      ev(1, 'model.stage_changed', 'model:churn/1', { stage: 'None' }, { stage: 'Staging' }),
      ev(2, 'model.stage_changed', 'model:churn/10', { stage: 'None' }, { stage: 'Staging' }),
      ev(4, 'model.stage_changed', 'model:churn/2', { stage: 'None' }, { stage: 'Production', archived: [1] }),
      ev(5, 'model.rolled_back', 'model:churn', { production: 2 }, { production: 1, archived: [2] }),
      ev(6, 'model.alias_set', 'model:churn@x', null, { version: 10 }),
    ] as Parameters<typeof auditEvents>[0];
    const picked = auditEvents(events, 'churn', 1).filter((e) => e.seq < 4);
    assert.deepEqual(picked.map((e) => e.seq), [1, 3]);
    assert.deepEqual(auditEvents(events, 'churn', 1).map((e) => e.seq), [1, 3, 4, 5], 'archived by v2, restored by the rollback');
    assert.deepEqual(auditEvents(events, 'churn').map((e) => e.seq), [1, 2, 3, 4, 5, 6]);
    const md = auditMarkdown('churn v1', picked, 0);
    assert.match(md, /\| from → to +\| reason/);
    assert.match(md, /None → Staging +\| — +\|/);
    assert.match(md, /Staging → Production \| beats v0 \\\| by 2% \|/);
    assert.match(md, /2026-01-01 00:00:00 \(UTC\+00:00\)/);
  });
});
