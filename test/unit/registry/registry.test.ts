/** The Registry in-process over a real SQLite file: retention with outside references, no-ops, paging, events. */
import { after, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MlopsEvent } from '../../../schemas/src/api';
import { EventLog } from '../../../daemon/src/events/event-log';
import { Registry, type NewVersion } from '../../../daemon/src/registry/registry';
import { openStore, type Db } from '../../../daemon/src/store/db';
import { DomainError } from '../../../daemon/src/util/errors';
import Database from 'better-sqlite3';

const dir = mkdtempSync(join(tmpdir(), 'mlops-registry-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let db: Db;
let events: EventLog;
let reg: Registry;
let n = 0;

beforeEach(() => {
  db = openStore(join(dir, `r${++n}.db`));
  events = new EventLog(db);
  reg = new Registry(db, events);
});

const version = (i = 1): NewVersion => ({
  sha256: i.toString(16).padStart(64, '0'),
  size: 10,
  signature: { inputs: [], outputs: [] },
  description: '',
  tags: {},
  metrics: {},
  runId: null,
});

function domainError(status: number, fragment: string): (e: unknown) => boolean {
  return (e) => e instanceof DomainError && e.status === status && e.message.includes(fragment);
}

describe('retention', () => {
  test('never removes a version a deployment references', () => {
    const deployed = new Set([1, 3]);
    reg.setReferenceCheck((model, v) => model === 'm' && deployed.has(v));
    for (let i = 1; i <= 6; i++) reg.register('m', version(i), 2, 'test');
    const live = reg.getModel('m', 100).items.map((v) => v.version);
    assert.deepEqual(live, [6, 5, 3, 1], 'the two newest plus the deployed ones');
  });

  test('keeps exactly N when nothing is protected, and reports what it removed', () => {
    const removed: number[][] = [];
    for (let i = 1; i <= 5; i++) removed.push(reg.register('m', version(i), 3, 'test').removed);
    assert.deepEqual(removed, [[], [], [], [1], [2]]);
  });
});

describe('transactions and events', () => {
  test('a refused change writes no event and publishes nothing', async () => {
    reg.register('m', version(), 10, 'test');
    const seen: MlopsEvent[] = [];
    events.subscribe((e) => seen.push(e));
    const before = events.lastSeq();
    await assert.rejects(reg.setStage('m', 9, 'Production', '', 'test'), domainError(404, 'version 9'));
    assert.throws(() => reg.rollback('m', '', 'test'), domainError(409, 'no Production version'));
    assert.equal(events.lastSeq(), before);
    assert.deepEqual(seen, []);
  });

  test('a change publishes its events after the commit, with their sequence numbers', () => {
    const seen: MlopsEvent[] = [];
    events.subscribe((e) => {
      // At publish time the event is already readable by others: the transaction committed.
      assert.ok(events.list(e.seq - 1, 1).some((x) => x.seq === e.seq));
      seen.push(e);
    });
    reg.register('m', version(), 10, 'ana');
    assert.deepEqual(seen.map((e) => [e.kind, e.actor]), [['model.created', 'ana'], ['model.version_registered', 'ana']]);
  });

  test('setting the stage a version already has is a no-op without an event', async () => {
    reg.register('m', version(), 10, 'test');
    await reg.setStage('m', 1, 'Staging', '', 'test');
    const before = events.lastSeq();
    const r = await reg.setStage('m', 1, 'Staging', '', 'test');
    assert.deepEqual(r.archived, []);
    assert.equal(events.lastSeq(), before);
  });

  test('demoting Production leaves no Production version, and rollback then has nothing to roll back', async () => {
    reg.register('m', version(1), 10, 'test');
    reg.register('m', version(2), 10, 'test');
    await reg.setStage('m', 1, 'Production', '', 'test');
    await reg.setStage('m', 2, 'Production', '', 'test');
    await reg.setStage('m', 2, 'Archived', 'pulled', 'test');
    assert.equal(reg.getModel('m', 10).model.production_version, null);
    assert.throws(() => reg.rollback('m', '', 'test'), domainError(409, 'no Production version'));
  });
});

describe('paging', () => {
  test('models page by name and versions page newest first, without gaps or repeats', () => {
    for (let m = 0; m < 25; m++) reg.register(`model-${String(m).padStart(2, '0')}`, version(m), 10, 'test');
    for (let i = 0; i < 23; i++) reg.register('model-00', version(100 + i), 100, 'test');
    const names: string[] = [];
    let cursor: string | undefined;
    do {
      const page = reg.listModels(7, cursor);
      names.push(...page.items.map((s) => s.name));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    assert.equal(names.length, 25);
    assert.deepEqual(names, [...names].sort());
    const versions: number[] = [];
    cursor = undefined;
    do {
      const page = reg.getModel('model-00', 10, cursor);
      versions.push(...page.items.map((v) => v.version));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    assert.deepEqual(versions, Array.from({ length: 24 }, (_, i) => 24 - i));
  });
});

describe('listing a page of versions', () => {
  test('carries each version its own lineage, with a number of SQL statements that does not grow with the page', () => {
    const file = join(dir, 'lineage.db');
    const seed = openStore(file);
    const seeded = new Registry(seed, new EventLog(seed));
    for (let i = 1; i <= 250; i++) seeded.register('m', version(i), 1000, 'test');
    // Lineage rows as copyLineage writes them: every third version was trained on two datasets.
    const ids = seed.prepare("SELECT v.id, v.version FROM model_versions v JOIN models m ON m.id = v.model_id WHERE m.name = 'm'").all() as { id: number; version: number }[];
    const insert = seed.prepare('INSERT INTO model_version_datasets (model_version_id, dataset, version) VALUES (?, ?, ?)');
    for (const { id, version: v } of ids) if (v % 3 === 0) for (const [d, dv] of [['train', v], ['holdout', 1]] as const) insert.run(id, d, dv);
    seed.close();

    let statements = 0;
    const counted = new Database(file, { verbose: () => statements++ });
    const reg2 = new Registry(counted, new EventLog(counted));
    const perPage = (limit: number): number => {
      let cursor: string | undefined;
      let pages = 0;
      statements = 0;
      do {
        const page = reg2.getModel('m', limit, cursor);
        for (const v of page.items) {
          const want = v.version % 3 === 0 ? [{ dataset: 'holdout', version: 1 }, { dataset: 'train', version: v.version }] : [];
          assert.deepEqual(v.dataset_versions, want, `lineage of version ${v.version}`);
        }
        cursor = page.nextCursor ?? undefined;
        pages++;
      } while (cursor);
      return statements / pages;
    };
    const small = perPage(10);
    const large = perPage(250);
    counted.close();
    // One lookup per version made a 250-version page cost ~250 statements more than a 10-version one.
    assert.ok(large <= small + 1, `statements per page: ${small} for 10 versions, ${large} for 250`);
    assert.ok(large < 10, `statements per page of 250 versions: ${large}`);
  });
});
