/**
 * Issue 11, items 1–5: nothing outside the project is read or written. Real daemon, real files,
 * real symbolic links planted where data should be, and a crafted manifest row in the real store.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError } from '../../../client/src/client';
import * as endpoints from '../../../schemas/src/endpoints';
import { rawRequest, startDaemon, tempProject, type RunningDaemon, type TempProject } from '../../helpers/index';

const CONFIG = `version: 1
project:
  name: escapes
data:
  raw:
    paths: [data]
`;

const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** A folder outside the project standing in for the user's other files. */
function outside(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-outside-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'precious.csv'), 'do not touch\n');
  return dir;
}

async function setup(config = CONFIG): Promise<{ p: TempProject; d: RunningDaemon }> {
  const p = tempProject({ config, prefix: 'mlops-esc-' });
  cleanups.push(() => p.cleanup());
  mkdirSync(join(p.root, 'data', 'sub'), { recursive: true });
  writeFileSync(join(p.root, 'data', 'a.csv'), 'a\n1\n');
  writeFileSync(join(p.root, 'data', 'sub', 'b.csv'), 'b\n2\n');
  const d = await startDaemon(p.root);
  cleanups.push(() => d.stop());
  return { p, d };
}

async function rejects(p: Promise<unknown>, ...mentions: RegExp[]): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ApiError, String(e));
    for (const m of mentions) assert.match(e.message, m);
    return e;
  }
  assert.fail('expected a refusal');
}

test('1: checkout refuses a dataset folder replaced by a link, and a linked subfolder, writing and deleting nothing outside', async () => {
  const { p, d } = await setup();
  await d.client.snapshot('raw', 'v1');
  const out = outside();
  rmSync(join(p.root, 'data'), { recursive: true });
  symlinkSync(out, join(p.root, 'data'));
  await rejects(d.client.request(endpoints.checkoutDataset, { params: { name: 'raw' }, body: { version: 1 } }), /symbolic link/);
  assert.deepEqual(readdirSync(out), ['precious.csv'], 'nothing written or deleted through the link');
  assert.equal(readFileSync(join(out, 'precious.csv'), 'utf8'), 'do not touch\n');

  rmSync(join(p.root, 'data'));
  mkdirSync(join(p.root, 'data'));
  writeFileSync(join(p.root, 'data', 'a.csv'), 'changed\n');
  symlinkSync(out, join(p.root, 'data', 'sub'));
  await rejects(d.client.request(endpoints.checkoutDataset, { params: { name: 'raw' }, body: { version: 1 } }), /symbolic link/);
  assert.deepEqual(readdirSync(out), ['precious.csv']);
  assert.equal(readFileSync(join(p.root, 'data', 'a.csv'), 'utf8'), 'changed\n', 'the working copy is untouched');
});

test('2: a link planted at any temp name is never followed: checkout writes only through fresh files', async () => {
  const { p, d } = await setup();
  await d.client.snapshot('raw', 'v1');
  writeFileSync(join(p.root, 'data', 'a.csv'), 'a\n1\n2\n');
  const out = outside();
  // The old, predictable temp names, for every pid a checkout could have.
  for (let pid = d.pid - 2; pid <= d.pid + 2; pid++) symlinkSync(join(out, 'precious.csv'), join(p.root, 'data', `a.csv.mlops-tmp-${pid}`));
  const r = await d.client.request(endpoints.checkoutDataset, { params: { name: 'raw' }, body: { version: 1 } });
  assert.deepEqual(r.written, ['data/a.csv']);
  assert.equal(readFileSync(join(out, 'precious.csv'), 'utf8'), 'do not touch\n');
  assert.equal(readFileSync(join(p.root, 'data', 'a.csv'), 'utf8'), 'a\n1\n');
});

test('3: a manifest row with ../ from the store is refused, not written outside', async () => {
  const { p, d } = await setup();
  await d.client.snapshot('raw', 'v1');
  const escapee = join(p.root, '..', `escaped-${process.pid}.csv`);
  cleanups.push(async () => rmSync(escapee, { force: true }));
  const db = new Database(p.dbFile);
  db.prepare("UPDATE dataset_files SET path = ? WHERE path = 'data/a.csv'").run(`../escaped-${process.pid}.csv`);
  db.close();
  await rejects(d.client.request(endpoints.checkoutDataset, { params: { name: 'raw' }, body: { version: 1 } }), /not a plain path inside the project/, /mlops doctor/);
  assert.equal(existsSync(escapee), false);
});

test('4: snapshots never read through links (a linked file, a linked dataset folder, a linked glob base)', async () => {
  const out = outside();
  const config = `version: 1
project:
  name: escapes
data:
  file:
    paths: [data/passwd.csv]
  folder:
    paths: [linked]
  glob:
    paths: ["base/**/*.csv"]
  inside:
    paths: ["data/*.csv"]
`;
  const { p, d } = await setup(config);
  symlinkSync(join(out, 'precious.csv'), join(p.root, 'data', 'passwd.csv'));
  symlinkSync(out, join(p.root, 'linked'));
  symlinkSync(out, join(p.root, 'base'));
  for (const name of ['file', 'folder', 'glob']) await rejects(d.client.snapshot(name, 't'), /symbolic link/);
  // A link inside a matched folder is not data: skipped, never followed.
  const v = await d.client.snapshot('inside', 't');
  assert.deepEqual((await d.client.request(endpoints.getDatasetVersion, { params: { name: 'inside', version: v.version.version } })).files.map((f) => f.path), ['data/a.csv']);
  const stored = readdirSync(join(p.stateDir, 'objects')).flatMap((pre) => (/^[0-9a-f]{2}$/.test(pre) ? readdirSync(join(p.stateDir, 'objects', pre)).map((r) => pre + r) : []));
  const outsideSha = (await import('node:crypto')).createHash('sha256').update(readFileSync(join(out, 'precious.csv'))).digest('hex');
  assert.ok(!stored.includes(outsideSha), 'the file outside the project was not copied into the store');
});

test('5: the daemon never reads a client-named path; uploads are capped; .mlops is owner-only', async () => {
  const { p, d } = await setup();
  const run = await d.client.request(endpoints.createRun, { body: {} });
  const named = await d.client.raw('POST', `/runs/${run.id}/artifacts`, { body: { path: '/etc/passwd', name: 'x' } });
  assert.equal(named.status, 400, named.text);
  const reg = await d.client.raw('POST', '/models/m/versions', { body: { artifact_path: join(p.stateDir, 'daemon.json') } });
  assert.equal(reg.status, 400, reg.text);
  // Upload: the content goes in, the run names it by hash.
  writeFileSync(join(p.root, 'w.bin'), 'weights');
  const up = await d.client.upload(join(p.root, 'w.bin'));
  const art = await d.client.request(endpoints.logArtifact, { params: { id: run.id }, body: { sha256: up.sha256, name: 'w.bin' } });
  assert.equal(art.path, 'w.bin');
  const wrongType = await rawRequest({ port: d.info.port, method: 'POST', path: '/api/v1/objects', headers: { Authorization: `Bearer ${d.info.token}`, 'Content-Type': 'application/json' }, body: '{}' });
  assert.equal(wrongType.status, 415);
  const mode = (f: string): number => statSync(f).mode & 0o777;
  assert.equal(mode(p.stateDir), 0o700);
  assert.equal(mode(p.dbFile), 0o600);
  assert.equal(mode(p.daemonJson), 0o600);
  assert.equal(mode(join(p.stateDir, 'objects')), 0o700);
  const obj = join(p.stateDir, 'objects', art.sha256.slice(0, 2), art.sha256.slice(2));
  assert.equal(mode(obj) & 0o077, 0, 'objects are readable by the owner only');
});
