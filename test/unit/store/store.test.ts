/** The store in-process: migrations, the version guard, the append-only log, the one-Production index, objects. */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { migrate, openStore, schemaVersion, StoreVersionError } from '../../../daemon/src/store/db';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../../../daemon/src/store/migrations';
import { ObjectStore } from '../../../shared/src/objects';

const dir = mkdtempSync(join(tmpdir(), 'mlops-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (): string => join(dir, `s${++n}.db`);

describe('migrations', () => {
  test('numbered 1, 2, 3… without gaps, the latest exported', () => {
    assert.deepEqual(MIGRATIONS.map((m) => m.version), MIGRATIONS.map((_, i) => i + 1));
    assert.equal(LATEST_SCHEMA_VERSION, MIGRATIONS.length);
  });

  test('an empty store migrates to the latest version, each step recorded once', () => {
    const db = openStore(file());
    assert.equal(schemaVersion(db), LATEST_SCHEMA_VERSION);
    const rows = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    assert.deepEqual(rows, MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    assert.deepEqual(migrate(db), { from: LATEST_SCHEMA_VERSION, to: LATEST_SCHEMA_VERSION }, 'a second run is a no-op');
    db.close();
  });

  for (let k = 0; k <= LATEST_SCHEMA_VERSION; k++) {
    test(`from version ${k}: the remaining migrations apply`, () => {
      const f = file();
      const db = new Database(f);
      assert.deepEqual(migrate(db, MIGRATIONS.slice(0, k)), { from: 0, to: k });
      db.close();
      const reopened = openStore(f);
      assert.equal(schemaVersion(reopened), LATEST_SCHEMA_VERSION);
      assert.equal(reopened.pragma('integrity_check', { simple: true }), 'ok');
      reopened.close();
    });
  }

  test("summaries written by the old rule (last by step, then arrival) are rebuilt by MLflow's", () => {
    const f = file();
    const db = new Database(f);
    const latestRule = MIGRATIONS.findIndex((m) => m.sql.includes('last_timestamp'));
    migrate(db, MIGRATIONS.slice(0, latestRule));
    db.prepare("INSERT INTO experiments (id, name, created_at) VALUES (1, 'e', 'now')").run();
    db.prepare("INSERT INTO runs (id, seq, experiment_id, name, status, start_time, command, environment) VALUES ('r', 1, 1, 'r', 'finished', 'now', '[]', '{}')").run();
    const point = db.prepare("INSERT INTO run_metrics (run_id, key, step, timestamp, value) VALUES ('r', 'loss', ?, ?, ?)");
    // Same step; the later timestamp arrived first, so the old fold kept the earlier one (0.8).
    point.run(2, 50, 0.3);
    point.run(2, 40, 0.8);
    db.prepare("INSERT INTO run_metric_summary (run_id, key, last, step, min, max, count) VALUES ('r', 'loss', 0.8, 2, 0.3, 0.8, 2)").run();
    db.close();
    const reopened = openStore(f);
    assert.deepEqual(reopened.prepare('SELECT last, step, last_timestamp, count FROM run_metric_summary').get(), { last: 0.3, step: 2, last_timestamp: 50, count: 2 });
    const plan = reopened.prepare("EXPLAIN QUERY PLAN SELECT run_id FROM run_metric_summary WHERE key = 'loss' AND last < 0.5").all() as { detail: string }[];
    assert.match(plan.map((p) => p.detail).join(' '), /run_metric_summary_key_last/);
    reopened.close();
  });

  test('a newer store is refused with a message naming both versions', () => {
    const f = file();
    const db = openStore(f);
    db.prepare("INSERT INTO schema_migrations VALUES (?, 'future', 'now')").run(LATEST_SCHEMA_VERSION + 5);
    db.close();
    assert.throws(
      () => openStore(f),
      (e: unknown) =>
        e instanceof StoreVersionError &&
        e.message.includes(`schema version ${LATEST_SCHEMA_VERSION + 5}`) &&
        e.message.includes(`(${LATEST_SCHEMA_VERSION})`),
    );
  });

  test('a failing migration leaves the store at the previous version', () => {
    const db = new Database(file());
    const broken = [...MIGRATIONS.slice(0, 1), { version: 2, name: 'broken', sql: 'CREATE TABLE ok_table (x); SELECT * FROM no_such_table;' }];
    assert.throws(() => migrate(db, broken), /no_such_table/);
    assert.equal(schemaVersion(db), 1);
    const leftover = db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'ok_table'").get() as { n: number };
    assert.equal(leftover.n, 0, 'the half-applied migration was rolled back');
    db.close();
  });
});

describe('integrity rules in the schema', () => {
  const db = openStore(file());
  db.prepare("INSERT INTO events (time, actor, kind, subject) VALUES ('t', 'a', 'model.created', 'model:x')").run();

  test('the event log refuses UPDATE and DELETE', () => {
    assert.throws(() => db.prepare("UPDATE events SET actor = 'b'").run(), /append-only/);
    assert.throws(() => db.prepare('DELETE FROM events').run(), /append-only/);
    assert.equal((db.prepare('SELECT actor FROM events').get() as { actor: string }).actor, 'a');
  });

  test('at most one live Production version per model, whatever the code does', () => {
    db.prepare("INSERT INTO models (id, name, created_at, updated_at) VALUES (1, 'm', 't', 't')").run();
    const ins = db.prepare(`INSERT INTO model_versions (model_id, version, stage, artifact_sha256, artifact_size, format, signature,
      description, tags, metrics, created_at, stage_changed_at) VALUES (1, ?, ?, 'x', 1, 'onnx', '{}', '', '{}', '{}', 't', 't')`);
    ins.run(1, 'Production');
    assert.throws(() => ins.run(2, 'Production'), /UNIQUE/);
    assert.throws(() => ins.run(3, 'Live'), /CHECK/);
    ins.run(4, 'Archived');
    assert.throws(() => ins.run(4, 'None'), /UNIQUE/, 'version numbers are unique per model');
  });
});

describe('object store', () => {
  test('stores content by sha256, once, read-only', async () => {
    const objects = new ObjectStore(join(dir, 'objects'));
    const bytes = Buffer.from('model bytes');
    const sha = createHash('sha256').update(bytes).digest('hex');
    const a = await objects.putBytes(bytes);
    assert.deepEqual(a, { sha256: sha, size: bytes.length, created: true });
    assert.equal(objects.pathOf(sha), join(dir, 'objects', sha.slice(0, 2), sha.slice(2)));
    assert.deepEqual(readFileSync(objects.pathOf(sha)), bytes);
    assert.equal(statSync(objects.pathOf(sha)).mode & 0o222, 0, 'objects are read-only');
    const b = await objects.putBytes(bytes);
    assert.equal(b.created, false);
    const src = join(dir, 'src.bin');
    writeFileSync(src, bytes);
    const c = await objects.putFile(src);
    assert.deepEqual(c, { sha256: sha, size: bytes.length, created: false });
  });
});
