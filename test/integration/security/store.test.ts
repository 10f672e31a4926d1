/**
 * Issue 11, items 12–17 and the smaller items: a damaged store is never silently replaced, repairs
 * are explicit, and hostile requests get clear refusals. Real daemon and CLI processes, real files.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as endpoints from '../../../schemas/src/endpoints';
import { rawRequest, runCli, spawnDaemonProcess, startDaemon, tempProject, type TempProject } from '../../helpers/index';

const CONFIG = `version: 1
project:
  name: store
data:
  raw:
    paths: [data]
`;

const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

function project(): TempProject {
  const p = tempProject({ config: CONFIG, prefix: 'mlops-store-' });
  cleanups.push(() => p.cleanup());
  mkdirSync(join(p.root, 'data'), { recursive: true });
  writeFileSync(join(p.root, 'data', 'a.csv'), 'a\n1\n');
  writeFileSync(join(p.root, 'data', 'b.csv'), 'b\n2\n');
  return p;
}

const objectCount = (p: TempProject): number =>
  readdirSync(join(p.stateDir, 'objects')).filter((d) => /^[0-9a-f]{2}$/.test(d)).reduce((n, d) => n + readdirSync(join(p.stateDir, 'objects', d)).length, 0);

test('12: a deleted database with objects left refuses to start; doctor says so; --rebuild sets them aside; gc never runs blind', async () => {
  const p = project();
  const d = await startDaemon(p.root);
  await d.client.snapshot('raw', 'v1');
  await d.stop();
  const objects = objectCount(p);
  rmSync(p.dbFile);
  const refused = spawnDaemonProcess(p.root);
  const exit = await refused.exited;
  assert.equal(exit.code, 4);
  assert.match(refused.output(), /mlops\.db is missing but \.mlops\/objects holds \d+ stored objects.*mlops doctor --rebuild/);
  assert.equal(refused.output().trim().split('\n').length, 1, 'one line');
  const doc = await runCli(['doctor', '--json'], { cwd: p.root });
  assert.equal(doc.code, 1);
  assert.match(doc.stdout, /is missing but/);
  const cmd = await runCli(['data', 'list'], { cwd: p.root, timeoutMs: 60_000 });
  assert.notEqual(cmd.code, 0);
  assert.match(cmd.stderr, /mlops doctor --rebuild/);
  const rebuilt = await runCli(['doctor', '--rebuild'], { cwd: p.root });
  assert.equal(rebuilt.code, 0, rebuilt.stderr);
  assert.match(rebuilt.stdout, new RegExp(`found ${objects} objects`));
  const recovered = readdirSync(join(p.stateDir, 'recovered'));
  assert.equal(recovered.length, 1);
  const d2 = await startDaemon(p.root);
  cleanups.push(() => d2.stop());
  // A database swapped under the objects: gc refuses rather than deleting what it does not know.
  writeFileSync(join(p.stateDir, 'objects', 'STORE_ID'), 'someone-else\n');
  const gc = await d2.client.raw('POST', '/gc', { body: { dry_run: false, grace_seconds: 0 } });
  assert.equal(gc.status, 409, gc.text);
  assert.match(gc.text, /doctor/);
});

test('13 and 15: a deleted objects/ is re-stored by the next snapshot and doctor reports what is missing; temp files are cleaned at start', async () => {
  const p = project();
  const d = await startDaemon(p.root);
  await d.client.snapshot('raw', 'v1');
  const ids = readdirSync(join(p.stateDir, 'objects')).filter((x) => /^[0-9a-f]{2}$/.test(x));
  for (const id of ids) rmSync(join(p.stateDir, 'objects', id), { recursive: true });
  await d.stop();
  const doc = await runCli(['doctor', '--json'], { cwd: p.root });
  assert.equal(doc.code, 1);
  const report = JSON.parse(doc.stdout) as { problems: { kind: string; subject: string }[] };
  assert.deepEqual(report.problems.map((x) => x.kind).sort(), ['missing_object', 'missing_object']);
  assert.ok(report.problems.every((x) => x.subject.startsWith('dataset:raw/1:')));
  writeFileSync(join(p.stateDir, 'objects', 'tmp', '999-leftover'), Buffer.alloc(1 << 20));
  const d2 = await startDaemon(p.root);
  cleanups.push(() => d2.stop());
  assert.deepEqual(readdirSync(join(p.stateDir, 'objects', 'tmp')), [], 'leftover temp files removed at start');
  const again = await d2.client.snapshot('raw', 'repair');
  assert.equal(again.created, false);
  writeFileSync(join(p.root, 'data', 'a.csv'), 'changed\n');
  const r = await d2.client.request(endpoints.checkoutDataset, { params: { name: 'raw' }, body: { version: 1 } });
  assert.equal(r.version, 1);
  await d2.stop();
  const ok = await runCli(['doctor'], { cwd: p.root });
  assert.equal(ok.code, 0, ok.stdout);
});

test('14: a file replaced by a folder fails the checkout before anything is written, with no temp file left', async () => {
  const p = project();
  const d = await startDaemon(p.root);
  cleanups.push(() => d.stop());
  await d.client.snapshot('raw', 'v1');
  writeFileSync(join(p.root, 'data', 'a.csv'), 'a2\n');
  rmSync(join(p.root, 'data', 'b.csv'));
  mkdirSync(join(p.root, 'data', 'b.csv'));
  writeFileSync(join(p.root, 'data', 'b.csv', 'inner.csv'), 'x\n');
  const r = await d.client.raw('POST', '/datasets/raw/checkout', { body: { version: 1 } });
  assert.equal(r.status, 409, r.text);
  assert.match(r.text, /b\.csv is a folder/);
  assert.equal((await import('node:fs')).readFileSync(join(p.root, 'data', 'a.csv'), 'utf8'), 'a2\n', 'nothing half-written');
  assert.deepEqual(readdirSync(join(p.root, 'data')).filter((n) => n.includes('mlops-tmp')), []);
});

test('17: a read-only store is one line with the cause and what to do', async () => {
  const p = project();
  const d = await startDaemon(p.root);
  await d.stop();
  writeFileSync(p.dbFile, 'this is not a database, just text that is long enough to not be empty');
  rmSync(`${p.dbFile}-wal`, { force: true });
  rmSync(`${p.dbFile}-shm`, { force: true });
  const bad = spawnDaemonProcess(p.root);
  assert.equal((await bad.exited).code, 4);
  assert.match(bad.output(), /^mlops daemon: the store \.mlops\/mlops\.db is damaged \(file is not a database\): run `mlops doctor`/);
  assert.equal(bad.output().trim().split('\n').length, 1);
});

test('smaller items: lowercase bearer, 415 for other types, __proto__ refused, claimed actors recorded as claims', async () => {
  const p = project();
  const d = await startDaemon(p.root);
  cleanups.push(() => d.stop());
  const port = d.info.port;
  const ok = await rawRequest({ port, method: 'GET', path: '/api/v1/status', headers: { Authorization: `bearer ${d.info.token}` } });
  assert.equal(ok.status, 200);
  const form = await rawRequest({ port, method: 'POST', path: '/api/v1/runs', headers: { Authorization: `Bearer ${d.info.token}`, 'Content-Type': 'text/plain' }, body: '{"experiment":"e"}' });
  assert.equal(form.status, 415);
  const run = await d.client.request(endpoints.createRun, { body: { experiment: 'e' } });
  for (const body of ['{"params":{"__proto__":{"x":1}}}', '{"params":{"\\u005f_proto__":1}}']) {
    const proto = await rawRequest({ port, method: 'POST', path: `/api/v1/runs/${run.id}/params`, headers: { Authorization: `Bearer ${d.info.token}` }, body });
    assert.equal(proto.status, 400, proto.text);
    assert.match(proto.text, /__proto__/);
  }
  await rawRequest({ port, method: 'POST', path: '/api/v1/runs', headers: { Authorization: `Bearer ${d.info.token}`, 'X-Mlops-Actor': 'ceo' }, body: '{"experiment":"claims"}' });
  const evs = await d.client.request(endpoints.listEvents, { query: { after: 0, limit: 1000 } });
  const created = evs.events.filter((e) => e.kind === 'run.created').pop();
  assert.match(created?.actor ?? '', /\(claimed: ceo\)$/);
  const name = 'evil\u001b]0;pwned\u0007\u001b[2J';
  await d.client.request(endpoints.createRun, { body: { experiment: 'e', name } });
  const list = await runCli(['runs', 'list'], { cwd: p.root });
  assert.equal(list.code, 0, list.stderr);
  assert.ok(!list.stdout.includes('\u001b'), 'no escape sequence reaches the terminal');
});
