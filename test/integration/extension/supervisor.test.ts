/**
 * The extension's daemon supervisor against a real daemon (dist/daemon.js, real SQLite, real HTTP/SSE):
 * it starts the daemon, delivers events from CLI-equivalent changes, restarts a killed daemon within
 * its budget and gives up past it, and refuses a Node of the wrong major with a clear message.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { type MlopsEvent } from '../../../schemas/src/api';
import { readDaemonInfo } from '../../../client/src/connect';
import { buildLinearModelOnnx } from '../../../daemon/src/onnx/model';
import { DaemonSupervisor, type DaemonState } from '../../../extension/src/daemon/supervisor';
import { memoryLogger } from '../../../extension/src/util/logger';
import * as endpoints from '../../../schemas/src/endpoints';

const daemonScript = join(__dirname, '..', '..', '..', 'dist', 'daemon.js');
const dirs: string[] = [];
const sups: DaemonSupervisor[] = [];

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-sup-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'mlops.yaml'), 'version: 1\nproject:\n  name: sup\n');
  return dir;
}

function supervisor(root: string, settings: { nodePath?: string; maxRestartsPerMinute?: number } = {}) {
  const log = memoryLogger();
  const sup = new DaemonSupervisor({
    root,
    daemonScript,
    log,
    maxBackoffMs: 200,
    settings: () => ({ nodePath: settings.nodePath ?? process.execPath, autoStart: true, maxRestartsPerMinute: settings.maxRestartsPerMinute ?? 3 }),
  });
  sups.push(sup);
  const states: DaemonState[] = [];
  const events: MlopsEvent[] = [];
  sup.onState.on((s) => states.push(s));
  sup.onEvent.on((e) => events.push(e));
  return { sup, log, states, events };
}

async function until<T>(what: string, probe: () => T | undefined, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function onnxFile(dir: string): string {
  const file = join(dir, 'model.onnx');
  writeFileSync(file, buildLinearModelOnnx({ task: 'classification', weights: [0.5, -0.25], bias: 0.1 }));
  return file;
}

after(() => {
  for (const s of sups) s.dispose();
  for (const d of dirs) {
    const info = readDaemonInfo(d);
    if (info) {
      try {
        process.kill(info.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    rmSync(d, { recursive: true, force: true });
  }
});

describe('DaemonSupervisor with a real daemon', () => {
  test('starts the daemon, follows events, restarts it after kill -9 and resumes the stream', async () => {
    const root = project();
    const { sup, states, events } = supervisor(root);
    const first = new Promise<void>((r) => sup.onFirstConnect.on(() => r()));
    sup.start();
    await first;
    assert.equal(sup.state.kind, 'connected');
    const pid1 = readDaemonInfo(root)?.pid;
    assert.ok(pid1 && sup.spawned.length === 1, 'the supervisor spawned the daemon');

    const client = await sup.getClient();
    await client.request(endpoints.registerVersion, { params: { name: 'churn' }, body: { artifact_path: onnxFile(root) } });
    await until('registration events', () => (events.some((e) => e.kind === 'model.version_registered') ? true : undefined));

    process.kill(pid1, 'SIGKILL');
    await until('reconnecting state', () => (states.some((s) => s.kind === 'reconnecting') ? true : undefined));
    const pid2 = await until('a new daemon', () => {
      const p = readDaemonInfo(root)?.pid;
      return p && p !== pid1 ? p : undefined;
    });
    await until('connected again', () => (sup.state.kind === 'connected' ? true : undefined));
    const c2 = await sup.getClient();
    await c2.request(endpoints.setStage, { params: { name: 'churn', version: 1 }, body: { stage: 'Staging', reason: 'after restart' } });
    const ev = await until('the stage event from the new daemon', () => events.find((e) => e.kind === 'model.stage_changed'));
    assert.equal(ev.subject, 'model:churn/1');
    const seqs = events.map((e) => e.seq);
    assert.deepEqual(seqs, [...new Set(seqs)].sort((a, b) => a - b), 'no event delivered twice or out of order');
    assert.notEqual(pid2, pid1);
  });

  test('gives up after the restart budget and says so', async () => {
    const root = project();
    const { sup, log } = supervisor(root, { maxRestartsPerMinute: 1 });
    const first = new Promise<void>((r) => sup.onFirstConnect.on(() => r()));
    sup.start();
    await first;
    process.kill(readDaemonInfo(root)?.pid as number, 'SIGKILL');
    const pid2 = await until('the one allowed restart', () => {
      const info = readDaemonInfo(root);
      return info && sup.state.kind === 'connected' && sup.spawned.length === 2 ? info.pid : undefined;
    });
    process.kill(pid2, 'SIGKILL');
    const failed = await until('failed state', () => (sup.state.kind === 'failed' ? sup.state : undefined));
    assert.match(failed.message, /stopped 1 times within a minute; not restarting it/);
    assert.ok(log.lines.some((l) => l.startsWith('error: The MLOps daemon stopped')));
    assert.equal(sup.spawned.length, 2, 'no third start');
  });

  test('refuses a Node of the wrong major before spawning anything', async () => {
    const root = project();
    const fake = join(root, 'node-fake');
    writeFileSync(fake, '#!/bin/sh\necho v18.20.0\n', { mode: 0o755 });
    const { sup } = supervisor(root, { nodePath: fake });
    sup.start();
    const failed = await until('failed state', () => (sup.state.kind === 'failed' ? sup.state : undefined));
    assert.match(failed.message, /needs Node 20 .* is v18\.20\.0/);
    assert.equal(sup.spawned.length, 0);
    assert.equal(readDaemonInfo(root), undefined);
  });
});
