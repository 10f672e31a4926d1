/**
 * kill -9 of the daemon while four client processes write to the registry as fast as they can.
 * Each client logs every write it saw acknowledged; after a restart every one of them must be in the
 * store (state and audit event), the store must pass `PRAGMA integrity_check`, and a write that was in
 * flight at the kill may have landed or not, but nothing else.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type MlopsEvent } from '../../../schemas/src/api';
import {
  REPO_ROOT,
  configYaml,
  integrityCheck,
  startDaemon,
  tempProject,
  type RunningDaemon,
  type TempProject,
} from '../../helpers';
import { type WriterLine } from '../../helpers/registry-writer';
import { type DaemonClient } from '../../../client/src/client';
import * as endpoints from '../../../schemas/src/endpoints';

const WRITERS = 4;
let project: TempProject;
let daemon: RunningDaemon;

before(async () => {
  project = tempProject({ config: configYaml({ keepVersions: 100_000 }) });
  daemon = await startDaemon(project.root);
});

after(async () => {
  await daemon?.stop();
  await project?.cleanup();
});

const logOf = (id: number): string => join(project.root, `writer-${id}.log`);

function readLog(id: number): WriterLine[] {
  if (!existsSync(logOf(id))) return [];
  return readFileSync(logOf(id), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as WriterLine);
}

const acks = (id: number): number => readLog(id).filter((l) => l.t === 'ack').length;

function spawnWriter(id: number): Promise<number | null> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'test', 'helpers', 'registry-writer.ts'), project.root, String(id), logOf(id)],
    { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      if (code !== 0) process.stderr.write(`writer ${id} exited ${code}: ${err}\n`);
      resolve(code);
    }),
  );
}

async function waitUntil(pred: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Every acknowledged write of one writer is in the store; the final state is the last ack or the in-flight write. */
async function checkWriter(client: DaemonClient, id: number, events: MlopsEvent[]): Promise<number> {
  const lines = readLog(id);
  const model = `w${id}`;
  const ackedRegs = lines.filter((l): l is Extract<WriterLine, { op: 'register' }> => l.t === 'ack' && l.op === 'register');
  for (const reg of ackedRegs) {
    const v = await client.request(endpoints.getModelVersion, { params: { name: model, version: reg.version ?? -1 } });
    assert.equal(v.artifact_sha256, reg.sha256, `${model} v${reg.version}: the acknowledged artifact is stored`);
  }
  const has = (kind: string, subject: string, after: (a: Record<string, unknown>) => boolean): boolean =>
    events.some((e) => e.kind === kind && e.subject === subject && after((e.after ?? {}) as Record<string, unknown>));
  let checked = ackedRegs.length;
  for (const l of lines) {
    if (l.t !== 'ack') continue;
    if (l.op === 'stage') {
      assert.ok(has('model.stage_changed', `model:${model}/${l.version}`, (a) => a['stage'] === l.stage), `${model} v${l.version} → ${l.stage} is in the log`);
      checked++;
    } else if (l.op === 'alias') {
      assert.ok(has('model.alias_set', `model:${model}@${l.alias}`, (a) => a['version'] === l.version), `${model}@${l.alias} → ${l.version} is in the log`);
      checked++;
    } else if (l.op === 'register') {
      assert.ok(has('model.version_registered', `model:${model}/${l.version}`, () => true), `${model} v${l.version} registration is in the log`);
    }
  }
  await checkFinalAlias(client, model, lines);
  return checked;
}

async function checkFinalAlias(client: DaemonClient, model: string, lines: WriterLine[]): Promise<void> {
  const aliasLines = lines.filter((l): l is Extract<WriterLine, { op: 'alias' }> => 'op' in l && l.op === 'alias');
  const lastAck = [...aliasLines].reverse().find((l) => l.t === 'ack');
  if (!lastAck) return;
  const inFlight = aliasLines.filter((l) => l.t === 'intent' && l.version > lastAck.version).map((l) => l.version);
  const summary = (await client.request(endpoints.getModel, { params: { name: model }, query: { limit: 1 } })).model;
  const allowed = [lastAck.version, ...inFlight];
  assert.ok(allowed.includes(summary.aliases['latest'] ?? -1), `${model}@latest is ${summary.aliases['latest']}, expected one of ${allowed.join(',')}`);
}

test('kill -9 during sustained writes from several processes loses no acknowledged write', async () => {
  const writers = Array.from({ length: WRITERS }, (_, i) => spawnWriter(i + 1));
  await waitUntil(() => Array.from({ length: WRITERS }, (_, i) => acks(i + 1)).every((n) => n >= 30), 60_000, 'every writer to get 30 acks');
  const exit = await daemon.kill9();
  assert.equal(exit.signal, 'SIGKILL');
  await Promise.all(writers);
  for (let i = 1; i <= WRITERS; i++) {
    const end = readLog(i).find((l) => l.t === 'end');
    assert.ok(end, `writer ${i} stopped because the daemon went away`);
  }
  assert.equal(integrityCheck(project.root), 'ok', 'the store is sound right after the crash');

  daemon = await startDaemon(project.root);
  const events: MlopsEvent[] = [];
  for (let after = 0; ; ) {
    const page = await daemon.client.request(endpoints.listEvents, { query: { after, limit: 10_000 } });
    events.push(...page.events);
    if (page.events.length < 10_000) break;
    after = page.events[page.events.length - 1]?.seq ?? after;
  }
  let checked = 0;
  for (let i = 1; i <= WRITERS; i++) checked += await checkWriter(daemon.client, i, events);
  assert.ok(checked >= WRITERS * 30, `checked ${checked} acknowledged writes`);
  const seqs = events.map((e) => e.seq);
  assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'event sequence numbers are ordered');
  await daemon.stop();
  assert.equal(integrityCheck(project.root), 'ok', 'the store is sound after the restart');
});
