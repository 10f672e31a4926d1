/**
 * Registry semantics over real HTTP against the real daemon: version numbers, aliases, rollback,
 * retention and the signature check against `mlops.yaml`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError, type DaemonClient } from '../../../client/src/client';
import {
  configYaml,
  snapshot,
  startDaemon,
  tempProject,
  writeLinearOnnx,
  type RunningDaemon,
  type TempProject,
} from '../../helpers';
import * as endpoints from '../../../schemas/src/endpoints';

let project: TempProject;
let daemon: RunningDaemon;
let c: DaemonClient;
let seed = 0;

before(async () => {
  project = tempProject({
    config: configYaml({
      keepVersions: 2,
      models: {
        sig: { features: ['age', 'tenure', 'spend'] },
        cols: { features: ['age', 'tenure'], inputMode: 'columns' },
        dbl: { features: ['age', 'tenure', 'spend'], type: 'double' },
      },
    }),
  });
  daemon = await startDaemon(project.root);
  c = daemon.client;
});

after(async () => {
  await daemon?.stop();
  await project?.cleanup();
});

async function register(model: string, features: string[] | number = 3): Promise<number> {
  seed++;
  const file = writeLinearOnnx(join(project.root, 'artifacts', `${seed}.onnx`), { features, seed });
  return (await c.register(model, { artifact_path: file })).version.version;
}

/** Registers `n` versions, each pinned by an alias so retention (keep_versions: 2) leaves them alone. */
async function registerPinned(model: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const v = await register(model);
    await c.request(endpoints.setAlias, { params: { name: model, alias: `keep${v}` }, body: { version: v } });
  }
}

async function rejects(p: Promise<unknown>, status: number, ...mentions: string[]): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ApiError, String(e));
    assert.equal(e.status, status, e.message);
    for (const m of mentions) assert.ok(e.message.includes(m), `"${e.message}" should mention "${m}"`);
    return e;
  }
  assert.fail(`expected HTTP ${status}`);
}

describe('version numbers', () => {
  test('are 1, 2, 3… and never reused, also after retention removed versions', async () => {
    const numbers: number[] = [];
    for (let i = 0; i < 5; i++) numbers.push(await register('numbers'));
    assert.deepEqual(numbers, [1, 2, 3, 4, 5]);
    const live = (await c.request(endpoints.getModel, { params: { name: 'numbers' } })).versions.map((v) => v.version);
    assert.deepEqual(live, [5, 4], 'retention (keep_versions: 2) removed 1-3');
    assert.equal(await register('numbers'), 6, 'the next number follows the highest ever given');
    await rejects(c.request(endpoints.getModelVersion, { params: { name: 'numbers', version: 1 } }), 409, 'removed');
    await rejects(c.request(endpoints.setStage, { params: { name: 'numbers', version: 2 }, body: { stage: 'Production' } }), 409, 'removed');
  });
});

describe('aliases', () => {
  test('move atomically: every read sees the alias on exactly one version, and the log chains', async () => {
    for (let i = 0; i < 6; i++) await register('aliased');
    const seqBefore = (await c.request(endpoints.listEvents, { query: { after: 0, limit: 1 } })).last_seq;
    const moves = [];
    const reads = [];
    for (let round = 0; round < 5; round++) {
      // Versions 5 and 6 are the two that retention (keep_versions: 2) kept.
      for (const v of [5, 6, 5, 6]) moves.push(c.request(endpoints.setAlias, { params: { name: 'aliased', alias: 'champ' }, body: { version: v } }));
      reads.push(c.request(endpoints.getModel, { params: { name: 'aliased' } }));
    }
    await Promise.all(moves);
    for (const page of await Promise.all(reads)) {
      const holders = page.versions.filter((v) => v.aliases.includes('champ'));
      assert.ok(holders.length <= 1, `one holder at a time, saw ${holders.map((v) => v.version).join(',')}`);
    }
    const events = (await c.request(endpoints.listEvents, { query: { after: seqBefore, limit: 1000, subject: 'model:aliased@champ' } })).events;
    for (let i = 1; i < events.length; i++) {
      assert.deepEqual(events[i]?.before, events[i - 1]?.after, 'each move starts where the previous one ended');
    }
    const final = (await c.request(endpoints.getModel, { params: { name: 'aliased' } })).model.aliases['champ'];
    assert.deepEqual(events[events.length - 1]?.after, { version: final });
  });

  test('setting an alias to the version it already has writes nothing', async () => {
    const v = await register('same-alias');
    await c.request(endpoints.setAlias, { params: { name: 'same-alias', alias: 'a' }, body: { version: v } });
    const before = snapshot(project.root);
    const r = await c.request(endpoints.setAlias, { params: { name: 'same-alias', alias: 'a' }, body: { version: v } });
    assert.equal(r.previous_version, v);
    assert.deepEqual(snapshot(project.root), before);
  });
});

describe('rollback', () => {
  test('twice walks back twice; a third has nowhere to go (409)', async () => {
    await registerPinned('rb', 3);
    for (const v of [1, 2, 3]) await c.request(endpoints.setStage, { params: { name: 'rb', version: v }, body: { stage: 'Production', reason: `release ${v}` } });
    const first = await c.request(endpoints.rollbackModel, { params: { name: 'rb' }, body: { reason: 'bad latency' } });
    assert.deepEqual([first.from_version, first.to_version], [3, 2]);
    const second = await c.request(endpoints.rollbackModel, { params: { name: 'rb' }, body: { reason: 'still bad' } });
    assert.deepEqual([second.from_version, second.to_version], [2, 1]);
    const stages = Object.fromEntries((await c.request(endpoints.getModel, { params: { name: 'rb' } })).versions.map((v) => [v.version, v.stage]));
    assert.deepEqual(stages, { 1: 'Production', 2: 'Archived', 3: 'Archived' });
    await rejects(c.request(endpoints.rollbackModel, { params: { name: 'rb' } }), 409, 'no earlier Production version', '"rb"');
    const log = (await c.request(endpoints.listEvents, { query: { after: 0, limit: 1000, subject: 'model:rb' } })).events.filter((e) => e.kind === 'model.rolled_back');
    assert.deepEqual(log.map((e) => [e.before, e.after, e.reason]), [
      [{ production: 3 }, { production: 2, archived: [3] }, 'bad latency'],
      [{ production: 2 }, { production: 1, archived: [2] }, 'still bad'],
    ]);
  });

  test('after a rollback, a new promotion and a rollback return to the version before it', async () => {
    await registerPinned('rb2', 3);
    await c.request(endpoints.setStage, { params: { name: 'rb2', version: 1 }, body: { stage: 'Production' } });
    await c.request(endpoints.setStage, { params: { name: 'rb2', version: 2 }, body: { stage: 'Production' } });
    await c.request(endpoints.rollbackModel, { params: { name: 'rb2' } });
    await c.request(endpoints.setStage, { params: { name: 'rb2', version: 3 }, body: { stage: 'Production' } });
    const r = await c.request(endpoints.rollbackModel, { params: { name: 'rb2' } });
    assert.deepEqual([r.from_version, r.to_version], [3, 1], 'v2 was rolled back before, so v1 returns');
  });

  test('with no history: 409 with a clear message, nothing written', async () => {
    await register('lonely');
    const before = snapshot(project.root);
    await rejects(c.request(endpoints.rollbackModel, { params: { name: 'lonely' } }), 409, 'model "lonely" has no Production version to roll back');
    await c.request(endpoints.setStage, { params: { name: 'lonely', version: 1 }, body: { stage: 'Production' } });
    const mid = snapshot(project.root);
    await rejects(c.request(endpoints.rollbackModel, { params: { name: 'lonely' } }), 409, 'model "lonely" has no earlier Production version to roll back to');
    assert.deepEqual(snapshot(project.root), mid);
    assert.notDeepEqual(mid, before);
  });
});

describe('retention', () => {
  test('keeps N and never removes Staging, Production, aliased or rollback-target versions', async () => {
    const m = 'kept';
    await register(m);
    await c.request(endpoints.setStage, { params: { name: m, version: 1 }, body: { stage: 'Production' } });
    await register(m);
    await c.request(endpoints.setStage, { params: { name: m, version: 2 }, body: { stage: 'Staging' } });
    await register(m);
    await c.request(endpoints.setAlias, { params: { name: m, alias: 'champion' }, body: { version: 3 } });
    await register(m);
    await c.request(endpoints.setStage, { params: { name: m, version: 4 }, body: { stage: 'Production' } }); // v1 is archived now, and the rollback target
    const removedBy: Record<number, number[]> = {};
    for (let i = 0; i < 3; i++) {
      seed++;
      const r = await c.register(m, { artifact_path: writeLinearOnnx(join(project.root, 'artifacts', `${seed}.onnx`), { features: 3, seed }) });
      removedBy[r.version.version] = r.removed_versions;
    }
    assert.deepEqual(removedBy, { 5: [], 6: [], 7: [5] }, 'only unprotected versions beyond the newest 2 go');
    const live = (await c.request(endpoints.getModel, { params: { name: m } })).versions.map((v) => `${v.version}:${v.stage}:${v.aliases.join('+')}`);
    assert.deepEqual(live, ['7:None:', '6:None:', '4:Production:', '3:None:champion', '2:Staging:', '1:Archived:']);
    const rb = await c.request(endpoints.rollbackModel, { params: { name: m } });
    assert.deepEqual([rb.from_version, rb.to_version], [4, 1], 'the kept rollback target still works');
    const removedEvents = (await c.request(endpoints.listEvents, { query: { after: 0, limit: 1000, subject: `model:${m}/` } })).events.filter((e) => e.kind === 'model.version_removed');
    assert.deepEqual(removedEvents.map((e) => e.subject), ['model:kept/5'], 'each removal is audited');
  });
});

describe('signature check against mlops.yaml', () => {
  test('a matching model registers and records the declared features', async () => {
    seed++;
    const file = writeLinearOnnx(join(project.root, 'artifacts', 'sig-ok.onnx'), { features: ['age', 'tenure', 'spend'], seed });
    const r = await c.register('sig', { artifact_path: file });
    assert.deepEqual(r.version.signature.features?.map((f) => f.name), ['age', 'tenure', 'spend']);
  });

  test('a feature count mismatch is refused (422) naming the input and both counts', async () => {
    const before = snapshot(project.root);
    const file = writeLinearOnnx(join(project.root, 'artifacts', 'sig-4.onnx'), { features: ['age', 'tenure', 'spend', 'extra'] });
    const e = await rejects(c.register('sig', { artifact_path: file }), 422, 'models.sig.signature', 'features', '4', '3');
    assert.equal(e.code, 'signature_mismatch');
    assert.deepEqual(snapshot(project.root), before, 'nothing was written');
  });

  test('a type mismatch is refused (422) naming the feature type', async () => {
    const file = writeLinearOnnx(join(project.root, 'artifacts', 'dbl.onnx'), { features: ['age', 'tenure', 'spend'] });
    await rejects(c.register('dbl', { artifact_path: file }), 422, 'double', 'float');
  });

  test('a columns-mode mismatch is refused (422) naming the feature', async () => {
    const file = writeLinearOnnx(join(project.root, 'artifacts', 'cols.onnx'), { features: ['age', 'tenure'] });
    await rejects(c.register('cols', { artifact_path: file }), 422, 'feature 1 "age"', 'feature 2 "tenure"');
  });

  // In tensor mode the ONNX file names its columns (metadata `feature_names`): swapped columns are refused.
  test('signature-check: a feature order mismatch is refused (422) naming the feature', async () => {
    const file = writeLinearOnnx(join(project.root, 'artifacts', 'swapped.onnx'), { features: ['tenure', 'age', 'spend'] });
    await rejects(c.register('sig', { artifact_path: file }), 422, '"age"');
  });

  test('a garbage file is refused (422), records no version, and its uploaded bytes are left to gc', async () => {
    const garbage = join(project.root, 'artifacts', 'garbage.onnx');
    writeFileSync(garbage, Buffer.from('PK\u0003\u0004 this is a zip, not ONNX'));
    const versionsBefore = (await c.request(endpoints.getModel, { params: { name: 'sig' } })).versions.length;
    const e = await rejects(c.register('sig', { artifact_path: garbage }), 422, garbage, 'not');
    assert.equal(e.code, 'invalid_artifact');
    // The daemon describes the content; the client puts the file's name in front, once.
    assert.ok(e.message.startsWith(`${garbage}: not an ONNX model`), e.message);
    assert.doesNotMatch(e.message, /uploaded artifact/);
    assert.equal(e.issues?.[0]?.path, 'body.artifact_sha256');
    assert.equal((await c.request(endpoints.getModel, { params: { name: 'sig' } })).versions.length, versionsBefore);
    // The upload is content nothing references: gc (past its grace period) removes it.
    const sha = createHash('sha256').update(readFileSync(garbage)).digest('hex');
    const stored = join(project.stateDir, 'objects', sha.slice(0, 2), sha.slice(2));
    assert.ok(existsSync(stored));
    await c.request(endpoints.collectGarbage, { body: { dry_run: false, grace_seconds: 0 } });
    assert.ok(!existsSync(stored), 'gc removed the unreferenced upload');
  });
});
