/**
 * Issue 11, items 6–11: no hostile file or client brings the daemon down or makes it hang. Real
 * daemon processes, real YAML bombs, stalled SSE readers on raw sockets, deep and huge bodies.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { connect, type Socket } from 'node:net';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  configYaml,
  openSse,
  rawRequest,
  startDaemon,
  tempProject,
  writeLinearOnnx,
  type RunningDaemon,
  type TempProject,
} from '../../helpers/index';
import * as endpoints from '../../../schemas/src/endpoints';

const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function setup(config?: string): Promise<{ p: TempProject; d: RunningDaemon }> {
  const p = tempProject({ prefix: 'mlops-crash-', ...(config ? { config } : {}) });
  cleanups.push(() => p.cleanup());
  const d = await startDaemon(p.root);
  cleanups.push(() => d.stop());
  return { p, d };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const rssMb = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

const BOMB = `version: 1
project:
  name: bomb
a: &a ["x","x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]
`;

test('6: a YAML alias bomb is an error event; the daemon keeps the last good config, and starts again', async () => {
  const { p, d } = await setup(configYaml({ name: 'good' }));
  const before = (await d.client.request(endpoints.listEvents, { query: { after: 0, limit: 1000 } })).last_seq;
  writeFileSync(join(p.root, 'mlops.yaml'), BOMB);
  const deadline = Date.now() + 10_000;
  let seen = false;
  while (!seen && Date.now() < deadline) {
    await sleep(200);
    seen = (await d.client.request(endpoints.listEvents, { query: { after: before, limit: 100 } })).events.some((e) => e.kind === 'config.invalid' && /alias/i.test(e.reason));
  }
  assert.ok(seen, 'a config.invalid event names the alias problem');
  assert.equal((await d.client.request(endpoints.getStatus)).pid, d.pid, 'still serving');
  await d.stop();
  const again = await startDaemon(p.root);
  cleanups.push(() => again.stop());
  assert.match(again.output(), /mlops\.yaml is invalid/);
});

test('9: an oversize mlops.yaml is refused at once with its size; below the limit parsing is quick', async () => {
  const { p, d } = await setup();
  const lines = ['version: 1', 'project:', '  name: big', 'params:'];
  for (let i = 0; i < 40_000; i++) lines.push(`  key_${i}: ${i}`);
  writeFileSync(join(p.root, 'mlops.yaml'), lines.join('\n'));
  const t = Date.now();
  const r = await d.client.raw('GET', '/datasets/x/versions');
  assert.ok(Date.now() - t < 5000, `answered in ${Date.now() - t} ms`);
  assert.match(r.text, /bytes allowed|more than/);
});

test('10: a dataset glob whose base links to a huge tree never blocks start and is not watched', async () => {
  const p = tempProject({ prefix: 'mlops-crash-', config: 'version: 1\nproject:\n  name: w\ndata:\n  big:\n    paths: ["big/**/*.csv"]\n    watch: true\n  many:\n    paths: ["many/**/*.csv"]\n    watch: true\n' });
  cleanups.push(() => p.cleanup());
  symlinkSync('/usr', join(p.root, 'big'));
  // More entries than one watch may cover (20,000), as real folders.
  for (let i = 0; i < 21; i++) {
    mkdirSync(join(p.root, 'many', `d${i}`), { recursive: true });
    for (let j = 0; j < 1000; j++) writeFileSync(join(p.root, 'many', `d${i}`, `${j}.csv`), '');
  }
  const t = Date.now();
  const d = await startDaemon(p.root, { timeoutMs: 30_000 });
  cleanups.push(() => d.stop());
  assert.ok(Date.now() - t < 20_000, `started in ${Date.now() - t} ms`);
  assert.ok(rssMb(d.pid) < 400, `rss ${rssMb(d.pid)} MB`);
  assert.match(d.output(), /not watching data\.big: .*symbolic link/);
  assert.match(d.output(), /not watching data\.many: .*too many to watch/);
});

test('11: a config nested 5,000 deep is a 400, and a million-point batch leaves other requests answering', async () => {
  const { d } = await setup();
  const deep = '{"experiment":"e","config":' + '{"a":'.repeat(5000) + '1' + '}'.repeat(5000) + '}';
  const r = await rawRequest({ port: d.info.port, method: 'POST', path: '/api/v1/runs', headers: { Authorization: `Bearer ${d.info.token}` }, body: deep });
  assert.equal(r.status, 400, r.text);
  const shallowButDeepConfig = { experiment: 'e', config: JSON.parse('{"a":'.repeat(80) + '1' + '}'.repeat(80)) as Record<string, unknown> };
  const r2 = await d.client.raw('POST', '/runs', { body: shallowButDeepConfig });
  assert.equal(r2.status, 400, r2.text);
  const run = await d.client.request(endpoints.createRun, { body: { experiment: 'e' } });
  const n = 1_000_000;
  const batch = { keys: new Array<string>(n).fill('loss'), steps: Array.from({ length: n }, (_, i) => i), timestamps: new Array<number>(n).fill(1), values: new Array<number>(n).fill(0.5) };
  const big = rawRequest({ port: d.info.port, method: 'POST', path: `/api/v1/runs/${run.id}/metrics/batch`, headers: { Authorization: `Bearer ${d.info.token}` }, body: JSON.stringify(batch), timeoutMs: 300_000 });
  let worst = 0;
  let done = false;
  void big.then(() => (done = true));
  while (!done) {
    const t = Date.now();
    await d.client.raw('GET', '/status', { timeoutMs: 60_000 });
    worst = Math.max(worst, Date.now() - t);
    await sleep(20);
  }
  const answer = await big;
  assert.equal(answer.status, 200, answer.text);
  // The writing is chunked (25,000 points per transaction); parsing and validating the 20 MB body
  // is still one step (about 0.5 s on an idle machine), so the bound is generous on a shared one.
  assert.ok(worst < 15_000, `the longest /status wait was ${worst} ms`);
  const series = await d.client.raw('GET', `/runs/${run.id}/metrics`, { query: { key: 'loss' }, timeoutMs: 60_000 });
  const steps = (JSON.parse(series.text) as { series: { steps: number[] }[] }).series[0]?.steps ?? [];
  assert.equal(steps.length, n, 'every chunk was written');
  assert.equal(steps[n - 1], n - 1);
});

/** Inserts events straight into the store while the daemon is stopped (append-only: inserts are allowed). */
function plantEvents(dbFile: string, n: number, reasonBytes: number): void {
  const db = new Database(dbFile);
  const ins = db.prepare("INSERT INTO events (time, actor, kind, subject, before, after, reason) VALUES (?, 'test', 'run.updated', 'run:x', NULL, NULL, ?)");
  const reason = 'r'.repeat(reasonBytes);
  db.transaction(() => {
    for (let i = 0; i < n; i++) ins.run(new Date().toISOString(), reason);
  })();
  db.close();
}

test('8: replay delivers every missed event in pages, then continues live', async () => {
  const { p, d } = await setup();
  await d.stop();
  plantEvents(p.dbFile, 3500, 10);
  const d2 = await startDaemon(p.root);
  cleanups.push(() => d2.stop());
  for (const opts of [{ query: 'after=0' }, { lastEventId: '1200' }]) {
    const last = (await d2.client.request(endpoints.listEvents, { query: { after: 0, limit: 1 } })).last_seq;
    const sse = await openSse({ port: d2.info.port, token: d2.info.token, ...opts });
    const from = opts.lastEventId ? 1201 : 1;
    await sse.waitFor((evs) => evs.length >= last - from + 1, 30_000);
    assert.deepEqual(sse.events.map((e) => e.seq), Array.from({ length: last - from + 1 }, (_, i) => from + i), 'every id once, in order');
    writeLinearOnnx(join(p.root, 'm.onnx'), { features: 2 });
    await d2.client.register('live', { artifact_path: join(p.root, 'm.onnx') });
    await sse.waitFor((evs) => evs.some((e) => e.kind === 'model.version_registered'), 10_000);
    sse.close();
  }
});

/** A subscriber that connects and then never reads. */
function stalledReader(port: number, token: string, query: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => {
      s.write(`GET /api/v1/events?${query} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n\r\n`);
      s.once('data', () => {
        s.pause();
        resolve(s);
      });
    });
    s.on('error', reject);
  });
}

test('7: stalled subscribers cannot grow the daemon without bound; live ones that fall behind are dropped', async () => {
  const { p, d } = await setup();
  await d.stop();
  plantEvents(p.dbFile, 6000, 2000);
  const d2 = await startDaemon(p.root);
  cleanups.push(() => d2.stop());
  const base = rssMb(d2.pid);
  // Replay to stalled readers waits for them: memory stays flat.
  const replaying = await Promise.all(Array.from({ length: 60 }, () => stalledReader(d2.info.port, d2.info.token, 'after=0')));
  await sleep(1500);
  assert.ok(rssMb(d2.pid) - base < 150, `rss grew from ${base} to ${rssMb(d2.pid)} MB`);
  assert.equal((await d2.client.request(endpoints.getStatus)).pid, d2.pid);
  replaying.forEach((s) => s.destroy());
  // Live stalled readers: dropped once more than 1 MiB waits for them beyond the socket buffers.
  const now = (await d2.client.request(endpoints.listEvents, { query: { after: 0, limit: 1 } })).last_seq;
  const live = await Promise.all(Array.from({ length: 5 }, () => stalledReader(d2.info.port, d2.info.token, `after=${now}`)));
  writeLinearOnnx(join(p.root, 'm.onnx'), { features: 2 });
  await d2.client.register('m', { artifact_path: join(p.root, 'm.onnx') });
  await d2.client.register('m', { artifact_path: writeLinearOnnx(join(p.root, 'm2.onnx'), { features: 2, seed: 2 }) });
  const reason = 'z'.repeat(2000);
  // About 9 MB of events: more than the kernel's socket buffers (≈4 MB) plus the 1 MiB allowance.
  for (let i = 0; i < 4000; i++) await d2.client.request(endpoints.setAlias, { params: { name: 'm', alias: 'champ' }, body: { version: 1 + (i % 2), reason } });
  // A dropped reader's stream ends once it reads what was already sent; a kept one never ends.
  const ended = live.map(
    (s) =>
      new Promise<boolean>((r) => {
        const t = setTimeout(() => r(false), 15_000);
        s.on('close', () => {
          clearTimeout(t);
          r(true);
        });
        s.resume();
      }),
  );
  assert.deepEqual(await Promise.all(ended), live.map(() => true), 'every stalled live reader was disconnected');
  assert.ok(rssMb(d2.pid) - base < 200, `rss grew from ${base} to ${rssMb(d2.pid)} MB`);
});
