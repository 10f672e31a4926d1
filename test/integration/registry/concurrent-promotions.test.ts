/**
 * 100 clients promote 100 different versions of one model to Production at the same moment, over
 * real HTTP against the real daemon: the store must end with exactly one Production version, every
 * other one Archived, and one `model.stage_changed` event per change.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { configYaml, openDb, startDaemon, tempProject, writeLinearOnnx, type RunningDaemon, type TempProject } from '../../helpers';
import * as endpoints from '../../../schemas/src/endpoints';

const N = 100;
let project: TempProject;
let daemon: RunningDaemon;

before(async () => {
  project = tempProject({ config: configYaml({ keepVersions: 1000 }) });
  daemon = await startDaemon(project.root);
});

after(async () => {
  await daemon?.stop();
  await project?.cleanup();
});

test(`${N} concurrent promotions to Production leave exactly one Production version`, async () => {
  const c = daemon.client;
  for (let i = 1; i <= N; i++) {
    const file = writeLinearOnnx(join(project.root, 'models', `m${i}.onnx`), { features: 3, seed: i });
    const r = await c.request(endpoints.registerVersion, { params: { name: 'churn' }, body: { artifact_path: file } });
    assert.equal(r.version.version, i);
  }
  const seqBefore = (await c.request(endpoints.listEvents, { query: { after: 0, limit: 1 } })).last_seq;
  const results = await Promise.allSettled(
    Array.from({ length: N }, (_, k) => c.request(endpoints.setStage, { params: { name: 'churn', version: k + 1 }, body: { stage: 'Production', reason: `race ${k + 1}` } })),
  );
  const failures = results.filter((r) => r.status === 'rejected');
  assert.deepEqual(failures, [], 'every promotion is accepted (they are serialised, not refused)');

  const page = await c.request(endpoints.getModel, { params: { name: 'churn' }, query: { limit: 1000 } });
  const production = page.versions.filter((v) => v.stage === 'Production').map((v) => v.version);
  assert.equal(production.length, 1, `exactly one Production version, got ${production.join(',')}`);
  assert.equal(page.model.production_version, production[0]);
  const archived = page.versions.filter((v) => v.stage === 'Archived').map((v) => v.version);
  assert.equal(archived.length, N - 1, 'every other version is Archived');

  const events = (await c.request(endpoints.listEvents, { query: { after: seqBefore, limit: 10_000 } })).events.filter((e) => e.kind === 'model.stage_changed');
  assert.equal(events.length, N, 'one model.stage_changed event per promotion');
  const subjects = new Set(events.map((e) => e.subject));
  assert.equal(subjects.size, N, 'each version changed stage exactly once');
  for (const e of events) {
    assert.deepEqual(e.before, { stage: 'None' });
    assert.equal((e.after as { stage: string }).stage, 'Production');
  }
  // Each promotion archived the one before it: the archived lists cover all but the winner, once each.
  const archivedByEvents = events.flatMap((e) => (e.after as { archived: number[] }).archived).sort((a, b) => a - b);
  assert.deepEqual(archivedByEvents, archived.sort((a, b) => a - b));
  const last = events[events.length - 1];
  assert.equal(last?.subject, `model:churn/${production[0]}`, 'the last promotion in the log is the one that holds Production');

  const db = openDb(project.root, { readonly: true });
  try {
    const open = db.prepare('SELECT version FROM production_history WHERE ended_at IS NULL').all() as { version: number }[];
    assert.deepEqual(open.map((r) => r.version), production, 'the Production history has one open entry, the winner');
  } finally {
    db.close();
  }
});
