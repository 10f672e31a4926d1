/**
 * The daemon process lifecycle: single instance under concurrent auto-starts, clean SIGTERM, and
 * `mlops daemon stop`; plus the append-only event log, enforced by SQLite itself.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { connectDaemon } from '../../../client/src/connect';
import {
  DAEMON_JS,
  daemonPidsOf,
  ensureBuilt,
  integrityCheck,
  openDb,
  readInfo,
  runCliJson,
  startDaemon,
  tempProject,
  waitForExit,
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
  return p;
}

describe('single instance', () => {
  test('5 concurrent connectDaemon auto-starts converge on one daemon', async () => {
    ensureBuilt();
    const p = newProject();
    const clients = await Promise.all(
      Array.from({ length: 5 }, (_, i) => connectDaemon(p.root, { daemonScript: DAEMON_JS, actor: `starter-${i}`, timeoutMs: 20_000 })),
    );
    const pids = await Promise.all(clients.map(async (c) => (await c.request(endpoints.getStatus)).pid));
    assert.equal(new Set(pids).size, 1, `one pid for all: ${pids.join(',')}`);
    const ports = new Set(clients.map((c) => c.conn.port));
    assert.equal(ports.size, 1);
    // The losers exit on their own once they see the lock taken; give them a moment.
    const end = Date.now() + 5000;
    while (daemonPidsOf(p.root).length > 1 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(daemonPidsOf(p.root), [pids[0]], 'exactly one daemon process serves the project');
    const started = (await clients[0]!.request(endpoints.listEvents, { query: { after: 0, limit: 100 } })).events.filter((e) => e.kind === 'daemon.started');
    assert.equal(started.length, 1, 'only one daemon ever opened the store');
  });
});

describe('stopping', () => {
  test('SIGTERM stops cleanly: exit 0, daemon.json removed, WAL checkpointed, store sound', async () => {
    const p = newProject();
    const d = await startDaemon(p.root);
    await d.client.request(endpoints.registerVersion, { params: { name: 'm' }, body: { artifact_path: writeLinearOnnx(join(p.root, 'm.onnx'), { features: 2 }) } });
    assert.ok(existsSync(p.daemonJson));
    assert.equal(statSync(p.daemonJson).mode & 0o777, 0o600, 'daemon.json is private to the user');
    const exit = await d.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, d.output());
    assert.equal(existsSync(p.daemonJson), false, 'daemon.json removed');
    const wal = join(p.stateDir, 'mlops.db-wal');
    assert.ok(!existsSync(wal) || statSync(wal).size === 0, 'the WAL was checkpointed into the database');
    assert.equal(integrityCheck(p.root), 'ok');
    const db = openDb(p.root, { readonly: true });
    const last = db.prepare('SELECT kind, reason FROM events ORDER BY seq DESC LIMIT 1').get() as { kind: string; reason: string };
    db.close();
    assert.deepEqual(last, { kind: 'daemon.stopping', reason: 'SIGTERM' }, 'the stop is audited');
  });

  test('`mlops daemon stop` stops the daemon that `mlops daemon start` started', async () => {
    const p = newProject();
    const started = (await runCliJson(['daemon', 'start'], { cwd: p.root })) as { running: boolean; pid: number };
    assert.equal(started.running, true);
    assert.deepEqual(daemonPidsOf(p.root), [started.pid]);
    const again = (await runCliJson(['daemon', 'start'], { cwd: p.root })) as { pid: number };
    assert.equal(again.pid, started.pid, 'a second start connects to the running daemon');
    const stopped = (await runCliJson(['daemon', 'stop'], { cwd: p.root })) as { stopped: boolean; pid: number };
    assert.deepEqual(stopped, { stopped: true, pid: started.pid });
    assert.ok(await waitForExit(started.pid, 5000));
    assert.equal(readInfo(p.root), undefined, 'daemon.json removed');
    assert.equal(integrityCheck(p.root), 'ok');
    const none = (await runCliJson(['daemon', 'stop'], { cwd: p.root })) as { stopped: boolean };
    assert.equal(none.stopped, false, 'stopping when nothing runs is not an error');
  });
});

describe('the event log is append-only', () => {
  test('UPDATE and DELETE on events fail through SQLite, even while the daemon runs', async () => {
    const p = newProject();
    const d = await startDaemon(p.root);
    await d.client.request(endpoints.registerVersion, { params: { name: 'm' }, body: { artifact_path: writeLinearOnnx(join(p.root, 'm.onnx'), { features: 2 }) } });
    const db = openDb(p.root);
    try {
      const before = db.prepare('SELECT * FROM events ORDER BY seq').all();
      assert.ok(before.length >= 2);
      assert.throws(() => db.prepare("UPDATE events SET actor = 'mallory' WHERE seq = 1").run(), /append-only/);
      assert.throws(() => db.prepare('DELETE FROM events WHERE seq = 1').run(), /append-only/);
      assert.throws(() => db.prepare('DELETE FROM events').run(), /append-only/);
      assert.deepEqual(db.prepare('SELECT * FROM events ORDER BY seq').all(), before);
    } finally {
      db.close();
    }
    await d.stop();
  });
});
