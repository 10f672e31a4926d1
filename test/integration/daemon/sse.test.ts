/**
 * `GET /api/v1/events` (server-sent events): `Last-Event-ID` replays exactly what a client missed,
 * then live events follow, each once, in order, with the event's sequence number as its SSE id.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { type MlopsEvent } from '../../../schemas/src/api';
import { configYaml, openSse, startDaemon, tempProject, writeLinearOnnx, type RunningDaemon, type TempProject } from '../../helpers';
import * as endpoints from '../../../schemas/src/endpoints';

let project: TempProject;
let daemon: RunningDaemon;
let file = '';

before(async () => {
  project = tempProject({ config: configYaml({ keepVersions: 1000 }) });
  daemon = await startDaemon(project.root);
  file = writeLinearOnnx(join(project.root, 'm.onnx'), { features: 3 });
});

after(async () => {
  await daemon?.stop();
  await project?.cleanup();
});

const seqs = (events: MlopsEvent[]): number[] => events.map((e) => e.seq);
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

function assertClean(events: (MlopsEvent & { sseId: string | undefined })[]): void {
  for (const e of events) assert.equal(e.sseId, String(e.seq), 'the SSE id is the sequence number');
  assert.equal(new Set(seqs(events)).size, events.length, 'no duplicates');
}

test('Last-Event-ID replays exactly the missed events, then live ones, no duplicates', async () => {
  const c = daemon.client;
  for (let i = 0; i < 5; i++) await c.request(endpoints.registerVersion, { params: { name: 'sse' }, body: { artifact_path: file } });
  const all = (await c.request(endpoints.listEvents, { query: { after: 0, limit: 1000 } })).events;
  const last = all[all.length - 1]!.seq;
  const resumeAt = all[2]!.seq;
  const sse = await openSse({ port: daemon.info.port, token: daemon.info.token, lastEventId: String(resumeAt) });
  try {
    await sse.waitFor((evs) => evs.length >= last - resumeAt);
    assert.deepEqual(seqs(sse.events), range(resumeAt + 1, last), 'the replay is exactly what was missed');
    await c.request(endpoints.setStage, { params: { name: 'sse', version: 1 }, body: { stage: 'Production' } });
    await c.request(endpoints.setAlias, { params: { name: 'sse', alias: 'champ' }, body: { version: 1 } });
    await sse.waitFor((evs) => evs.length >= last - resumeAt + 2);
    await new Promise((r) => setTimeout(r, 200));
    const live = sse.events.slice(last - resumeAt);
    assert.deepEqual(live.map((e) => e.kind), ['model.stage_changed', 'model.alias_set']);
    assert.deepEqual(seqs(sse.events), range(resumeAt + 1, last + 2));
    assertClean(sse.events);
  } finally {
    sse.close();
  }
});

test('writes racing with the replay are delivered once each, in order', async () => {
  const c = daemon.client;
  const start = (await c.request(endpoints.listEvents, { query: { after: 0, limit: 1 } })).last_seq;
  for (let i = 0; i < 20; i++) await c.request(endpoints.registerVersion, { params: { name: 'race' }, body: { artifact_path: file } });
  const writes = Array.from({ length: 30 }, () => c.request(endpoints.registerVersion, { params: { name: 'race' }, body: { artifact_path: file } }));
  const sse = await openSse({ port: daemon.info.port, token: daemon.info.token, lastEventId: String(start) });
  try {
    await Promise.all(writes);
    const end = (await c.request(endpoints.listEvents, { query: { after: 0, limit: 1 } })).last_seq;
    await sse.waitFor((evs) => evs.some((e) => e.seq === end));
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(seqs(sse.events), range(start + 1, end), 'every event once, in order, none skipped');
    assertClean(sse.events);
  } finally {
    sse.close();
  }
});

test('without Last-Event-ID the stream starts live; ?after= and a subject filter also work', async () => {
  const c = daemon.client;
  const now = (await c.request(endpoints.listEvents, { query: { after: 0, limit: 1 } })).last_seq;
  const liveOnly = await openSse({ port: daemon.info.port, token: daemon.info.token });
  const filtered = await openSse({ port: daemon.info.port, token: daemon.info.token, query: `after=0&subject=${encodeURIComponent('model:sse@')}` });
  try {
    await c.request(endpoints.setAlias, { params: { name: 'sse', alias: 'other' }, body: { version: 2 } });
    await liveOnly.waitFor((evs) => evs.length >= 1);
    assert.ok(liveOnly.events.every((e) => e.seq > now), 'no replay without Last-Event-ID or after');
    await filtered.waitFor((evs) => evs.length >= 2);
    assert.ok(filtered.events.every((e) => e.subject.startsWith('model:sse@')), 'only the subject asked for');
    assert.deepEqual(filtered.events.map((e) => e.subject), ['model:sse@champ', 'model:sse@other']);
  } finally {
    liveOnly.close();
    filtered.close();
  }
});
