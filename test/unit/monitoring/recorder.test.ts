/**
 * The serving process's recorder and how its prediction log leaves: in chunks of at most CHUNK
 * predictions, each sent on its own turn of the event loop (one large send stalled the endpoint's
 * tail latency), in order, none lost while the daemon keeps up; held in the bounded ring (oldest
 * dropped and counted) while it does not; sent whole before feedback and at shutdown.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type MonitoringBoot, type MonitoringFromServing, type PredictionBatch } from '../../../schemas/src/monitoring';
import { predictionBatchSchema } from '../../../schemas/src/monitoring';
import { CHUNK, MonitorRecorder, WINDOW_PART } from '../../../daemon/src/monitoring/recorder/recorder';
import { type RequestRecord } from '../../../daemon/src/serving/http';
import { type LoadedModel, type RunOutputs } from '../../../shared/src/serving/model';

const FEATURES = ['age', 'tenure', 'spend'];
/** Only what the recorder reads of a loaded model: its feature names and task. */
const model = { features: FEATURES.map((name) => ({ name })), spec: { task: 'classification', version: 3 } } as unknown as LoadedModel;

function boot(over: Partial<MonitoringBoot> = {}): MonitoringBoot {
  return { slice_ms: 60_000, flush_ms: 1000, window_predictions: null, window_ms: null, sample_size: 100, input_every: 1, stored_features: ['age', 'spend'], ranges: {}, ring: 5000, feedback_token: 'x'.repeat(32), ...over };
}

function request(i: number): RequestRecord {
  const outputs: RunOutputs = new Map([
    ['label', { type: 'int64', perRow: [i % 2], rowShape: [] }],
    ['probabilities', { type: 'float32', perRow: [[0.25, 0.75]], rowShape: [2] }],
  ]) as RunOutputs;
  return { requestId: `r${i}`, route: '/predict', status: 200, seconds: 0.002, model: 'churn', version: 3, rows: [[20 + i, 7, 1.5]], outputs };
}

function harness(b: MonitoringBoot, canSend: () => boolean = () => true): { rec: MonitorRecorder; batches: PredictionBatch[] } {
  const batches: PredictionBatch[] = [];
  const send = (m: MonitoringFromServing): void => {
    if (m.type === 'monitor_flush' && m.predictions.request_id.length) batches.push(predictionBatchSchema.parse(m.predictions));
  };
  return { rec: new MonitorRecorder(b, send, () => model, () => 0, canSend, () => 1_000_000), batches };
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
const ids = (bs: PredictionBatch[]): string[] => bs.flatMap((b) => b.request_id);

test('the log leaves in chunks of at most CHUNK, one per event-loop turn, in order, none lost', async () => {
  const { rec, batches } = harness(boot());
  const n = CHUNK * 10 + 17;
  for (let i = 0; i < n; i++) rec.record(request(i));
  assert.equal(batches.length, 0, 'nothing is sent on the request path itself');
  await turn();
  assert.equal(batches.length, 1, 'one chunk per turn, so other requests run between chunks');
  for (let k = 0; k < 20; k++) await turn();
  assert.ok(batches.every((b) => b.request_id.length <= CHUNK), `chunk sizes ${batches.map((b) => b.request_id.length).join(',')}`);
  assert.equal(ids(batches).length, CHUNK * 10, 'full chunks only, the rest waits for the timer');
  rec.flush();
  for (let k = 0; k < 3; k++) await turn();
  assert.deepEqual(ids(batches), Array.from({ length: n }, (_, i) => `r${i}`));
  const first = batches[0] as PredictionBatch;
  assert.deepEqual(JSON.parse(first.outputs[1] as string), [{ label: 1, probabilities: [0.25, 0.75] }]);
  assert.deepEqual(JSON.parse(first.inputs[1] as string), [[21, null, 1.5]], 'tenure is not a stored feature');
  assert.equal(first.predicted[1], 1);
  assert.equal(first.version[1], 3);
});

test('while the daemon is behind, predictions wait in the ring, the oldest dropped and counted', async () => {
  let open = false;
  const { rec, batches } = harness(boot({ ring: 1000 }), () => open);
  for (let i = 0; i < 1500; i++) rec.record(request(i));
  for (let k = 0; k < 5; k++) await turn();
  assert.equal(batches.length, 0);
  assert.equal(rec.dropped, 500);
  open = true;
  rec.flush();
  for (let k = 0; k < 10; k++) await turn();
  assert.deepEqual(ids(batches), Array.from({ length: 1000 }, (_, i) => `r${i + 500}`));
});

test('before feedback and at shutdown the whole log is sent at once, even past CHUNK', () => {
  const { rec, batches } = harness(boot());
  for (let i = 0; i < CHUNK * 3; i++) rec.record(request(i));
  rec.flush(false, true);
  assert.equal(ids(batches).length, CHUNK * 3, 'feedback finds every earlier prediction stored');
  for (let i = 0; i < 10; i++) rec.record(request(1000 + i));
  rec.flush(true);
  assert.equal(ids(batches).length, CHUNK * 3 + 10);
});

test('store_inputs: false (no stored feature) keeps outputs and no inputs', async () => {
  const { rec, batches } = harness(boot({ stored_features: [], input_every: 0 }));
  for (let i = 0; i < 3; i++) rec.record(request(i));
  rec.flush(false, true);
  await turn();
  assert.deepEqual(batches.flatMap((b) => b.inputs), [null, null, null]);
  assert.equal(batches.flatMap((b) => b.outputs).length, 3);
});

test('a closed window leaves in parts of WINDOW_PART rows on later turns, the last part in its monitor_window', async () => {
  const messages: MonitoringFromServing[] = [];
  const rec = new MonitorRecorder(boot({ window_predictions: 250, sample_size: 1000 }), (m) => messages.push(m), () => model, () => 0, () => true, () => 1_000_000);
  for (let i = 0; i < 250; i++) rec.record(request(i));
  const windowMessages = (): MonitoringFromServing[] => messages.filter((m) => m.type !== 'monitor_flush');
  assert.equal(windowMessages().length, 0, 'the request that closed the window did not serialise it');
  for (let k = 0; k < 5; k++) await turn();
  const parts = windowMessages();
  assert.deepEqual(parts.map((m) => m.type), ['monitor_window_rows', 'monitor_window_rows', 'monitor_window']);
  const rows = parts.flatMap((m) => (m.type === 'monitor_window_rows' ? m.rows : m.type === 'monitor_window' ? m.window.rows : []));
  assert.equal(rows.length, 250);
  assert.deepEqual(new Set(rows.map((r) => r[0])).size, 250, 'every instance once (the window held them all)');
  const last = parts[2];
  assert.ok(last?.type === 'monitor_window' && last.window.predictions === 250 && last.window.rows.length === WINDOW_PART / 2);
  assert.ok(parts.every((m) => m.type !== 'monitor_window_rows' || (m.start_ms === (last.type === 'monitor_window' ? last.window.start_ms : -1) && m.rows.length === WINDOW_PART)));
});
