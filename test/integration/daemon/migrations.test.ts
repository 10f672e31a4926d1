/**
 * Store migrations with the real daemon: from no store at all, from a store at every earlier schema
 * version (built by applying `MIGRATIONS.slice(0, N)` and seeded with data), and a store newer than
 * this build, which the daemon must refuse with a clear message and a non-zero exit.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import Database from 'better-sqlite3';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../../../daemon/src/store/migrations';
import { migrate } from '../../../daemon/src/store/db';
import {
  daemonPidsOf,
  openDb,
  readInfo,
  runCli,
  spawnDaemonProcess,
  startDaemon,
  tempProject,
  writeLinearOnnx,
  type TempProject,
} from '../../helpers';
import * as endpoints from '../../../schemas/src/endpoints';

const projects: TempProject[] = [];
after(async () => {
  for (const p of projects) await p.cleanup();
});

function newProject(): TempProject {
  const p = tempProject();
  projects.push(p);
  mkdirSync(p.stateDir, { recursive: true });
  return p;
}

const T0 = '2024-01-01T00:00:00.000Z';

/**
 * Registry data written with the SQL of migration 1 (released migrations never change, so this stays
 * valid for any store at version ≥ 1): model "legacy" with v1 Archived, v2 Production (history v1 → v2),
 * alias "champion" → 2, next version 3, and three audit events.
 */
function seedRegistry(db: Database.Database): void {
  const sig = JSON.stringify({ inputs: [{ name: 'features', type: 'float', shape: ['N', 3] }], outputs: [] });
  db.prepare("INSERT INTO models (id, name, description, next_version, created_at, updated_at) VALUES (1, 'legacy', 'old', 3, ?, ?)").run(T0, T0);
  const v = db.prepare(`INSERT INTO model_versions (model_id, version, stage, artifact_sha256, artifact_size, format, signature,
    description, tags, metrics, source_run_id, created_at, stage_changed_at) VALUES (1, ?, ?, ?, 10, 'onnx', ?, '', '{}', ?, NULL, ?, ?)`);
  v.run(1, 'Archived', 'a'.repeat(64), sig, '{"auc":0.8}', T0, T0);
  v.run(2, 'Production', 'b'.repeat(64), sig, '{"auc":0.9}', T0, T0);
  db.prepare("INSERT INTO model_aliases (model_id, alias, version) VALUES (1, 'champion', 2)").run();
  db.prepare("INSERT INTO production_history (model_id, version, started_at, ended_at, end_reason) VALUES (1, 1, ?, ?, 'replaced')").run(T0, T0);
  db.prepare('INSERT INTO production_history (model_id, version, started_at) VALUES (1, 2, ?)').run(T0);
  const ev = db.prepare('INSERT INTO events (time, actor, kind, subject, before, after, reason) VALUES (?, ?, ?, ?, ?, ?, ?)');
  ev.run(T0, 'old', 'model.created', 'model:legacy', null, '{"name":"legacy"}', '');
  ev.run(T0, 'old', 'model.stage_changed', 'model:legacy/1', '{"stage":"None"}', '{"stage":"Production","archived":[]}', '');
  ev.run(T0, 'old', 'model.stage_changed', 'model:legacy/2', '{"stage":"None"}', '{"stage":"Production","archived":[1]}', '');
}

/** A store at schema version `n` holding whatever data that version can hold. */
function buildStoreAt(p: TempProject, n: number): { seeded: boolean } {
  const db = new Database(p.dbFile);
  try {
    db.pragma('journal_mode = WAL');
    migrate(db, MIGRATIONS.slice(0, n));
    const version = (db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations').get() as { v: number }).v;
    assert.equal(version, n, `the store was built at version ${n}`);
    if (n >= 1) seedRegistry(db);
    return { seeded: n >= 1 };
  } finally {
    db.close();
  }
}

describe('migrations through the daemon', () => {
  test('from no store at all: the daemon creates one at the latest version', async () => {
    const p = newProject();
    const d = await startDaemon(p.root);
    const st = await d.client.request(endpoints.getStatus);
    assert.equal(st.schema_version, LATEST_SCHEMA_VERSION);
    await d.stop();
    const db = openDb(p.root, { readonly: true });
    const rows = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[];
    db.close();
    assert.deepEqual(rows.map((r) => r.version), MIGRATIONS.map((m) => m.version), 'every migration recorded once, in order');
  });

  for (let n = 0; n < LATEST_SCHEMA_VERSION; n++) {
    test(`from schema version ${n} (MIGRATIONS.slice(0, ${n})) with data: migrated on open, data intact`, async () => {
      const p = newProject();
      const { seeded } = buildStoreAt(p, n);
      const d = await startDaemon(p.root);
      const c = d.client;
      assert.equal((await c.request(endpoints.getStatus)).schema_version, LATEST_SCHEMA_VERSION);
      if (seeded) {
        const m = await c.request(endpoints.getModel, { params: { name: 'legacy' } });
        assert.equal(m.model.production_version, 2);
        assert.deepEqual(m.model.aliases, { champion: 2 });
        assert.deepEqual(m.versions.map((v) => [v.version, v.stage, v.metrics['auc']]), [[2, 'Production', 0.9], [1, 'Archived', 0.8]]);
        const old = await c.request(endpoints.listEvents, { query: { after: 0, limit: 10 } });
        assert.deepEqual(old.events.slice(0, 3).map((e) => e.seq), [1, 2, 3], 'old events keep their sequence numbers');
        const rb = await c.request(endpoints.rollbackModel, { params: { name: 'legacy' }, body: { reason: 'after migration' } });
        assert.deepEqual([rb.from_version, rb.to_version], [2, 1], 'the migrated Production history still rolls back');
        const file = writeLinearOnnx(`${p.root}/m.onnx`, { features: 3 });
        const reg = await c.request(endpoints.registerVersion, { params: { name: 'legacy' }, body: { artifact_path: file } });
        assert.equal(reg.version.version, 3, 'numbering continues from the migrated next_version');
      }
      await d.stop();
      const db = openDb(p.root, { readonly: true });
      const rows = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[];
      const check = db.pragma('integrity_check', { simple: true });
      db.close();
      assert.deepEqual(rows.map((r) => r.version), MIGRATIONS.map((m) => m.version));
      assert.equal(check, 'ok');
    });
  }

  test('a store newer than this build is refused: non-zero exit, a clear message, nothing touched', async () => {
    const p = newProject();
    buildStoreAt(p, LATEST_SCHEMA_VERSION);
    const future = LATEST_SCHEMA_VERSION + 1;
    const db = new Database(p.dbFile);
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from the future', ?)").run(future, T0);
    const eventsBefore = (db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
    db.close();
    const d = spawnDaemonProcess(p.root);
    const exit = await d.exited;
    assert.notEqual(exit.code, 0, 'the daemon exits non-zero');
    assert.match(d.output(), new RegExp(`schema version ${future}`), d.output());
    assert.match(d.output(), /newer than this Workbench understands/);
    assert.match(d.output(), /upgrade MLOps Workbench/);
    assert.equal(readInfo(p.root), undefined, 'no daemon.json was published');
    const after = new Database(p.dbFile, { readonly: true });
    const n = (after.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
    const v = (after.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number }).v;
    after.close();
    assert.equal(n, eventsBefore, 'no event was appended');
    assert.equal(v, future, 'the schema record is untouched');
  });

  // connectDaemon watches the daemon it spawned: a refusal is reported at once, not as a start timeout.
  test('connectDaemon: the CLI reports a newer store at once in one line, not as a start timeout', async () => {
    const p = newProject();
    buildStoreAt(p, LATEST_SCHEMA_VERSION);
    const db = new Database(p.dbFile);
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from the future', ?)").run(LATEST_SCHEMA_VERSION + 1, T0);
    db.close();
    const r = await runCli(['models', 'list'], { cwd: p.root, timeoutMs: 40_000 });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /newer than this Workbench understands/, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
    assert.deepEqual(daemonPidsOf(p.root), [], 'no daemon keeps running');
    assert.doesNotMatch(r.stderr, /did not start within/, 'the refusal is reported as such, without waiting out the start timeout');
  });
});
