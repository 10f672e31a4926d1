/** Data versioning against a real daemon: snapshot, dedupe, diff, byte-exact checkout, watcher, gc safety. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, tempProject, writeLinearOnnx, type RunningDaemon, type TempProject } from '../../helpers/index';
import * as endpoints from '../../../schemas/src/endpoints';

const CONFIG = `version: 1
project:
  name: data-test
data:
  raw:
    paths: ["data/**/*.csv", data/notes.txt]
`;

const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function setup(): Promise<{ p: TempProject; d: RunningDaemon }> {
  const p = tempProject({ config: CONFIG, prefix: 'mlops-data-' });
  cleanups.push(() => p.cleanup());
  mkdirSync(join(p.root, 'data', 'sub'), { recursive: true });
  writeFileSync(join(p.root, 'data', 'a.csv'), 'a,b\n1,2\n');
  writeFileSync(join(p.root, 'data', 'sub', 'b.csv'), 'c\n3\n');
  writeFileSync(join(p.root, 'data', 'notes.txt'), 'hello');
  writeFileSync(join(p.root, 'data', 'ignored.json'), '{}');
  const d = await startDaemon(p.root);
  cleanups.push(() => d.stop());
  return { p, d };
}

const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

test('snapshot records a version only when content changes, and diff names the changes', async () => {
  const { p, d } = await setup();
  const v1 = await d.client.snapshot('raw', 'test');
  assert.equal(v1.created, true);
  assert.equal(v1.version.version, 1);
  assert.equal(v1.version.file_count, 3);
  const again = await d.client.snapshot('raw', 'test');
  assert.equal(again.created, false);
  assert.equal(again.hashed_files, 0, 'unchanged files come from the stat cache');
  writeFileSync(join(p.root, 'data', 'a.csv'), 'a,b\n1,2\n5,6\n');
  writeFileSync(join(p.root, 'data', 'sub', 'c.csv'), 'new\n');
  const v2 = await d.client.snapshot('raw', 'test');
  assert.equal(v2.version.version, 2);
  assert.equal(v2.version.parent_version, 1);
  assert.equal(v2.hashed_files, 2);
  const diff = await d.client.request(endpoints.diffDataset, { params: { name: 'raw' }, query: { from: 1, to: 2 } });
  assert.deepEqual(diff.added.map((f) => f.path), ['data/sub/c.csv']);
  assert.deepEqual(diff.changed.map((f) => f.path), ['data/a.csv']);
  assert.deepEqual(diff.removed, []);
  assert.equal(diff.unchanged, 2);
});

test('checkout restores byte-identical files, removes extras, and saves the working copy first', async () => {
  const { p, d } = await setup();
  const files = ['data/a.csv', 'data/sub/b.csv', 'data/notes.txt'];
  const before = Object.fromEntries(files.map((f) => [f, sha(join(p.root, f))]));
  await d.client.snapshot('raw', 'test');
  writeFileSync(join(p.root, 'data', 'a.csv'), 'changed');
  writeFileSync(join(p.root, 'data', 'extra.csv'), 'extra');
  const r = await d.client.request(endpoints.checkoutDataset, { params: { name: 'raw' }, body: { version: 1 } });
  assert.equal(r.saved_as, 2, 'the modified working copy became version 2');
  assert.deepEqual(r.written, ['data/a.csv']);
  assert.deepEqual(r.removed, ['data/extra.csv']);
  for (const f of files) assert.equal(sha(join(p.root, f)), before[f], `${f} is byte-identical`);
  assert.equal(existsSync(join(p.root, 'data', 'ignored.json')), true, 'files outside the patterns are untouched');
  const back = await d.client.request(endpoints.checkoutDataset, { params: { name: 'raw' }, body: { version: 2 } });
  assert.equal(readFileSync(join(p.root, 'data', 'a.csv'), 'utf8'), 'changed');
  assert.equal(back.saved_as, 1, 'the working copy equalled version 1, so no new version');
});

test('the watcher snapshots a changed dataset by itself', async () => {
  const { p, d } = await setup();
  await d.client.snapshot('raw', 'test');
  writeFileSync(join(p.root, 'data', 'sub', 'b.csv'), 'c\n4\n');
  let versions = await d.client.request(endpoints.listDatasetVersions, { params: { name: 'raw' } });
  for (let i = 0; i < 60 && versions.versions.length < 2; i++) {
    await new Promise((r) => setTimeout(r, 100));
    versions = await d.client.request(endpoints.listDatasetVersions, { params: { name: 'raw' } });
  }
  assert.equal(versions.versions[0]?.version, 2);
  assert.equal(versions.versions[0]?.reason, 'watch');
});

test('gc removes only unreferenced objects', async () => {
  const { p, d } = await setup();
  await d.client.snapshot('raw', 'test');
  const model = writeLinearOnnx(join(p.root, 'm.onnx'), { features: 3 });
  const reg = await d.client.request(endpoints.registerVersion, { params: { name: 'm' }, body: { artifact_path: model } });
  const run = await d.client.request(endpoints.createRun, { body: { experiment: 'e' } });
  writeFileSync(join(p.root, 'artifact.bin'), 'artifact');
  await d.client.request(endpoints.logArtifact, { params: { id: run.id }, body: { path: join(p.root, 'artifact.bin') } });
  const orphan = Buffer.from('orphan content');
  const orphanSha = createHash('sha256').update(orphan).digest('hex');
  mkdirSync(join(p.stateDir, 'objects', orphanSha.slice(0, 2)), { recursive: true });
  writeFileSync(join(p.stateDir, 'objects', orphanSha.slice(0, 2), orphanSha.slice(2)), orphan);
  const dry = await d.client.request(endpoints.collectGarbage, { body: { dry_run: true, grace_seconds: 0 } });
  assert.equal(dry.removed_objects, 1);
  assert.ok(existsSync(join(p.stateDir, 'objects', orphanSha.slice(0, 2), orphanSha.slice(2))), 'dry run removes nothing');
  const young = await d.client.request(endpoints.collectGarbage, { body: { dry_run: false } });
  assert.equal(young.removed_objects, 0, 'the grace period keeps a fresh object');
  const r = await d.client.request(endpoints.collectGarbage, { body: { dry_run: false, grace_seconds: 0 } });
  assert.equal(r.removed_objects, 1);
  assert.equal(r.bytes_freed, orphan.length);
  const manifest = await d.client.request(endpoints.getDatasetVersion, { params: { name: 'raw', version: 1 } });
  const kept = [...manifest.files.map((f) => f.sha256), reg.version.artifact_sha256];
  for (const s of kept) assert.ok(existsSync(join(p.stateDir, 'objects', s.slice(0, 2), s.slice(2))), `${s} kept`);
  assert.ok(!readdirSync(join(p.stateDir, 'objects')).includes('zz'));
});

test('unknown datasets and patterns leaving the project are refused with the field named', async () => {
  const { p, d } = await setup();
  await assert.rejects(d.client.snapshot('nope', 'test'), /dataset "nope".*data\.nope/);
  p.writeConfig(CONFIG.replace('data/notes.txt', '../outside.txt'));
  await new Promise((r) => setTimeout(r, 50));
  await assert.rejects(d.client.snapshot('raw', 'test'), /mlops\.yaml is invalid: .*mlops\.yaml:\d+:\d+: data\.raw\.paths\.1: expected a path inside the project/);
});
