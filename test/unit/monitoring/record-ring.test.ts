/**
 * The ring a serving loop copies finished requests into for monitoring's thread (record-ring.ts):
 * what goes in comes out the same (numbers, text in any script, rows that are not all numbers,
 * refusals), in order across wrap-arounds, the model announcements between the requests they
 * precede; a full ring drops (counted) instead of blocking the serving loop, and never overwrites
 * what the reader has not read. The producer and the consumer are two real threads in the last test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { RecordReader, RecordWriter, type RecordedRequest, type RingEntry, type RingRequest } from '../../../daemon/src/monitoring/recorder/record-ring';

function req(i: number, over: Partial<RingRequest> = {}): RingRequest {
  return { requestId: `018f3a6e-0000-7000-8000-${String(i).padStart(12, '0')}`, route: '/predict', status: 200, seconds: 0.001 + i / 1e6, version: 3, rows: [[i, i + 0.5, -i * 1e-3]], ...over };
}

const requests = (entries: RingEntry[]): RecordedRequest[] => entries.flatMap((e) => (e.kind === 'request' ? [e.request] : []));

test('a request comes back as it went in: numbers, ids, outputs, timing', () => {
  const w = new RecordWriter(1 << 16);
  const r = new RecordReader(w.sab);
  assert.equal(w.request(req(7), 1_700_000_000_123, 4, '[{"label":1,"probability":0.75}]'), true);
  const got: RingEntry[] = [];
  assert.equal(r.drain((e) => got.push(e)), 1);
  assert.deepEqual(requests(got), [
    { requestId: req(7).requestId, route: '/predict', status: 200, seconds: 0.001007, version: 3, inFlight: 4, timeMs: 1_700_000_000_123, rows: [[7, 7.5, -0.007]], outputsJson: '[{"label":1,"probability":0.75}]' },
  ]);
});

test('text in any script, rows with text or booleans (as JSON), refusals, no version, no outputs', () => {
  const w = new RecordWriter(1 << 16);
  const r = new RecordReader(w.sab);
  const label = '[{"label":"résilié — 解約 🚫"}]';
  w.request(req(1, { rows: [[1, 'gold', true], [2, 'é', false]], route: '/invocations' }), 1, 1, label);
  w.request(req(2, { status: 400, rows: undefined, version: undefined, error: { where: { feature: 'tenure' }, message: 'instance 0, tenure: missing' } }), 2, 1, undefined);
  w.request(req(3, { status: 503, modelFailed: true, route: '/v2/models/infer' }), 3, 2, undefined);
  const got = requests(((e: RingEntry[]) => (r.drain((x) => e.push(x)), e))([]));
  assert.equal(got[0]?.outputsJson, label);
  assert.deepEqual(got[0]?.rows, [[1, 'gold', true], [2, 'é', false]]);
  assert.equal(got[0]?.route, '/invocations');
  assert.equal(got[1]?.rows, undefined);
  assert.equal(got[1]?.version, undefined);
  assert.equal(got[1]?.outputsJson, undefined);
  assert.deepEqual(got[1]?.error, { where: { feature: 'tenure' }, message: 'instance 0, tenure: missing' });
  assert.equal(got[2]?.modelFailed, true);
  assert.equal(got[2]?.route, '/v2/models/infer');
});

test('routes that are not prediction routes are not written', () => {
  const w = new RecordWriter(1 << 16);
  assert.equal(w.request(req(1, { route: '/health' }), 1, 1, undefined), false);
  assert.equal(new RecordReader(w.sab).drain(() => undefined), 0);
  assert.equal(w.dropped, 0, 'not a drop: nothing to record');
});

test('order holds across many wrap-arounds, model announcements included', () => {
  const w = new RecordWriter(4096);
  const r = new RecordReader(w.sab);
  const seen: string[] = [];
  let next = 0;
  for (let round = 0; round < 200; round++) {
    if (round % 17 === 0) w.model({ version: round, task: 'classification', features: ['a', 'b', 'c'] });
    // A varying number per round, so records end at every offset before the end of the ring.
    for (let k = 0; k < 1 + (round % 5); k++) assert.equal(w.request(req(next++), round, 1, `[{"label":${round}}]`), true);
    r.drain((e) => seen.push(e.kind === 'model' ? `model ${e.model?.version}` : e.request.requestId));
  }
  const expected: string[] = [];
  next = 0;
  for (let round = 0; round < 200; round++) {
    if (round % 17 === 0) expected.push(`model ${round}`);
    for (let k = 0; k < 1 + (round % 5); k++) expected.push(req(next++).requestId);
  }
  assert.deepEqual(seen, expected);
  assert.equal(w.dropped, 0);
});

test('a full ring drops and counts, and never overwrites what was not read', () => {
  const w = new RecordWriter(4096);
  const r = new RecordReader(w.sab);
  let written = 0;
  for (let i = 0; i < 100; i++) if (w.request(req(i), i, 1, '[]')) written++;
  assert.ok(written > 3 && written < 100, `${written} written`);
  assert.equal(w.dropped, 100 - written);
  const ids = requests(((e: RingEntry[]) => (r.drain((x) => e.push(x)), e))([])).map((x) => x.requestId);
  assert.deepEqual(ids, Array.from({ length: written }, (_, i) => req(i).requestId), 'the first ones, intact');
  assert.equal(w.request(req(999), 1, 1, '[]'), true, 'room again once read');
});

test('a request larger than half the ring is dropped, counted, not written in part', () => {
  const w = new RecordWriter(4096);
  assert.equal(w.request(req(1, { rows: Array.from({ length: 300 }, (_, i) => [i, i]) }), 1, 1, '[]'), false);
  assert.equal(w.dropped, 1);
  assert.equal(new RecordReader(w.sab).drain(() => undefined), 0);
});

test('two threads: every record arrives once, in order, while the writer never waits', async () => {
  const w = new RecordWriter(1 << 16);
  // The reader runs on a worker thread, as in a serving process, and sleeps until woken when the ring is empty.
  const entry = join(__dirname, '..', '..', 'helpers', 'ring-reader.ts');
  const reader = new Worker(`require('tsx/cjs/api').register(); require(${JSON.stringify(entry)});`, { eval: true, workerData: { sab: w.sab, total: 50_000 } });
  let failed: Error | undefined;
  const done = new Promise<{ n: number; outOfOrder: number }>((resolve, reject) => {
    reader.once('message', resolve);
    reader.once('error', (e) => reject((failed = e)));
  });
  let i = 0;
  let waits = 0;
  while (i < 50_000 && !failed) {
    if (w.request(req(i), i, 1, '[{"label":0}]')) i++;
    else {
      waits++;
      await new Promise((r) => setImmediate(r));
    }
  }
  const got = await done;
  await reader.terminate();
  assert.deepEqual(got, { n: 50_000, outOfOrder: 0 });
  assert.equal(w.dropped, waits, 'each refused write counted as a drop');
});

test('scores (prediction and confidence per instance) come back as written, NaN kept', () => {
  const w = new RecordWriter(1 << 16);
  const r = new RecordReader(w.sab);
  const scores = new Float64Array([1, 0.75, 0, NaN, 9, 9]);
  w.request(req(1, { rows: [[1, 2, 3], [4, 5, 6]] }), 1, 1, '[{"label":1},{"label":0}]', scores, 2);
  w.request(req(2), 2, 1, '[{"label":"x"}]', scores, 0);
  const got: RecordedRequest[] = [];
  r.drain((e) => e.kind === 'request' && got.push({ ...e.request, scores: e.request.scores?.slice() }));
  assert.deepEqual([...(got[0]?.scores ?? [])], [1, 0.75, 0, NaN], 'two pairs, not the spare values after them');
  assert.deepEqual(got[0]?.rows, [[1, 2, 3], [4, 5, 6]]);
  assert.equal(got[0]?.outputsJson, '[{"label":1},{"label":0}]');
  assert.equal(got[1]?.scores, undefined, 'none written: the recorder reads the JSON');
});
