/**
 * The serving process's recorder and how its prediction log leaves: in chunks of at most CHUNK
 * predictions, each sent on its own turn of the event loop (one large send stalled the endpoint's
 * tail latency), in order, none lost while the daemon keeps up; held in the bounded ring (oldest
 * dropped and counted) while it does not; sent whole before feedback and at shutdown.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { monitoringFromServing, type MonitoringBoot, type MonitoringFromServing, type WindowSampleWire } from '../../../schemas/src/monitoring';
import { decodePredictionLog, decodeWindowSample, encodeStreamMessage, storedInputRows, StreamDecoder, toIpc, type LoggedPrediction } from '../../../schemas/src/monitoring-wire';
import { CHUNK, MonitorRecorder } from '../../../daemon/src/monitoring/recorder/recorder';
import { ColumnSample } from '../../../daemon/src/monitoring/recorder/column-sample';
import { RecordReader, RecordWriter } from '../../../daemon/src/monitoring/recorder/record-ring';
import { recordFromRing } from '../../../daemon/src/monitoring/recorder/recorder-worker';
import { records } from '../../../daemon/src/serving/protocols';
import { RowScorer } from '../../../shared/src/monitoring/outputs';
import { type RequestRecord } from '../../../daemon/src/serving/http';
import { type LoadedModel, type RunOutputs } from '../../../shared/src/serving/model';

const FEATURES = ['age', 'tenure', 'spend'];
/** Only what the recorder reads of a loaded model: its feature names and task. */
const model = { features: FEATURES.map((name) => ({ name })), spec: { task: 'classification', version: 3 } } as unknown as LoadedModel;

function boot(over: Partial<MonitoringBoot> = {}): MonitoringBoot {
  return { slice_ms: 60_000, flush_ms: 1000, window_predictions: null, window_ms: null, sample_size: 100, input_every: 1, stored_features: ['age', 'spend'], ranges: {}, ring: 5000, feedback_token: 'x'.repeat(32), ...over };
}

function request(i: number, row: RequestRecord['rows'] = [[20 + i, 7, 1.5]]): RequestRecord {
  const outputs: RunOutputs = new Map([
    ['label', { type: 'int64', perRow: [i % 2], rowShape: [] }],
    ['probabilities', { type: 'float32', perRow: [[0.25, 0.75]], rowShape: [2] }],
  ]) as RunOutputs;
  return { requestId: `r${i}`, route: '/predict', status: 200, seconds: 0.002, model: 'churn', version: 3, rows: row, outputs };
}

/**
 * Each message goes as the daemon receives it: on the monitoring stream (encodeStreamMessage, read
 * back by StreamDecoder in pieces that split frames anywhere) or over IPC (toIpc, JSON); then the
 * schema, and each chunk is read as the daemon reads it.
 */
function harness(b: MonitoringBoot, canSend: () => boolean = () => true, route: 'stream' | 'ipc' = 'stream'): { rec: MonitorRecorder; batches: LoggedPrediction[][]; messages: MonitoringFromServing[] } {
  const batches: LoggedPrediction[][] = [];
  const messages: MonitoringFromServing[] = [];
  const take = (raw: unknown): void => {
    const m = monitoringFromServing.parse(raw);
    messages.push(m);
    if (m.type !== 'monitor_flush' || !m.count) return;
    const decoded = decodePredictionLog(m.log, m.count, m.meta, m.inputs);
    assert.deepEqual(decoded.errors, []);
    batches.push(decoded.predictions);
  };
  const decoder = new StreamDecoder(take, (why) => assert.fail(why));
  const send = (sent: MonitoringFromServing): void => {
    if (route === 'ipc') return take(JSON.parse(JSON.stringify(toIpc(sent))));
    const bytes = Buffer.from(encodeStreamMessage(sent));
    for (let at = 0; at < bytes.length; at += 997) decoder.push(bytes.subarray(at, at + 997));
  };
  return { rec: new MonitorRecorder(b, send, () => model, () => 0, canSend, () => 1_000_000), batches, messages };
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
const ids = (bs: LoggedPrediction[][]): string[] => bs.flatMap((b) => b.map((p) => p.request_id));

test('the log leaves in chunks of at most CHUNK, one per event-loop turn, in order, none lost', async () => {
  const { rec, batches } = harness(boot({ ring: CHUNK * 12 }));
  const n = CHUNK * 10 + 17;
  for (let i = 0; i < n; i++) rec.record(request(i));
  assert.equal(batches.length, 0, 'nothing is sent on the request path itself');
  await turn();
  assert.equal(batches.length, 1, 'one chunk per turn, so other requests run between chunks');
  for (let k = 0; k < 20; k++) await turn();
  assert.ok(batches.every((b) => b.length <= CHUNK), `chunk sizes ${batches.map((b) => b.length).join(',')}`);
  assert.equal(ids(batches).length, CHUNK * 10, 'full chunks only, the rest waits for the timer');
  rec.flush();
  for (let k = 0; k < 3; k++) await turn();
  assert.deepEqual(ids(batches), Array.from({ length: n }, (_, i) => `r${i}`));
  const second = (batches[0] as LoggedPrediction[])[1] as LoggedPrediction;
  assert.deepEqual(JSON.parse(second.outputs), [{ label: 1, probabilities: [0.25, 0.75] }]);
  assert.ok(Buffer.isBuffer(second.inputs), 'numeric inputs travel and are stored as float64, never formatted');
  assert.deepEqual(storedInputRows(second.inputs as Buffer), [[21, null, 1.5]], 'tenure is not a stored feature');
  assert.equal(second.predicted, 1);
  assert.equal(second.version, 3);
  assert.equal(second.time_ms, 1_000_000);
  assert.equal(second.latency_ms, 2);
  assert.equal(second.status, 200);
});

test('while the daemon is behind, predictions wait in the ring, the oldest chunks dropped and counted', async () => {
  let open = false;
  const { rec, batches } = harness(boot({ ring: CHUNK * 4 }), () => open);
  const n = CHUNK * 6 + 100;
  for (let i = 0; i < n; i++) rec.record(request(i));
  for (let k = 0; k < 5; k++) await turn();
  assert.equal(batches.length, 0);
  assert.equal(rec.dropped % CHUNK, 0, 'whole chunks, the oldest');
  // Kept: at most `ring` in full chunks, plus the one filling; never fewer than a chunk short of it.
  const kept = n - rec.dropped;
  assert.ok(kept > CHUNK * 3 && kept <= CHUNK * 4 + CHUNK && rec.dropped > 0, `the ring kept ${kept} of ${n}`);
  open = true;
  rec.flush();
  for (let k = 0; k < 10; k++) await turn();
  assert.deepEqual(ids(batches), Array.from({ length: n - rec.dropped }, (_, i) => `r${i + rec.dropped}`));
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
  assert.deepEqual(batches.flat().map((p) => p.inputs), [null, null, null]);
  assert.equal(batches.flat().filter((p) => p.outputs.startsWith('[{')).length, 3);
});

test('rows holding text, several instances, and answers the endpoint already wrote keep their exact values', async () => {
  const { rec, batches } = harness(boot({ stored_features: FEATURES }));
  rec.record(request(0, [[30, 'gold', 2.5]]));
  rec.record(request(1, [[1, 2, 3], [4, 5.25, -6e-7], [7, 8, 9]]));
  rec.record({ ...request(2), outputsJson: '[{"label":1,"probabilities":[0.25,0.75]}]' });
  rec.flush(false, true);
  await turn();
  const [a, b, c] = batches.flat();
  assert.equal(a?.inputs, '[[30,"gold",2.5]]', 'a row with text goes as JSON');
  assert.deepEqual(storedInputRows(b?.inputs as Buffer), [[1, 2, 3], [4, 5.25, -6e-7], [7, 8, 9]]);
  assert.equal(c?.outputs, '[{"label":1,"probabilities":[0.25,0.75]}]');
  assert.deepEqual(storedInputRows(c?.inputs as Buffer), [[22, 7, 1.5]], 'the binary rows of a chunk are taken in order');
});

test('a closed window leaves in one message on a later turn, its sample column by column', async () => {
  const { rec, messages } = harness(boot({ window_predictions: 250, sample_size: 1000 }));
  for (let i = 0; i < 250; i++) rec.record(request(i, [[20 + i, i % 3 ? 7 : 8, i % 5 ? 'a' : 'b']]));
  const windows = (): MonitoringFromServing[] => messages.filter((m) => m.type === 'monitor_window');
  assert.equal(windows().length, 0, 'the request that closed the window did not serialise it');
  for (let k = 0; k < 3; k++) await turn();
  assert.equal(windows().length, 1);
  const w = windows()[0];
  assert.ok(w?.type === 'monitor_window');
  assert.ok('f32' in (w.window.columns[0] ?? {}) && 'values' in (w.window.columns[2] ?? {}), 'numbers as float32, text as values');
  const s = decodeWindowSample(w.window);
  assert.equal(s.size, 250);
  assert.equal(s.predictions, 250);
  assert.deepEqual(new Set(s.columns[0]).size, 250, 'every instance once (the window held them all)');
  for (let r = 0; r < s.size; r++) {
    const i = (s.columns[0]?.[r] as number) - 20;
    assert.deepEqual([s.columns[1]?.[r], s.columns[2]?.[r]], [i % 3 ? 7 : 8, i % 5 ? 'a' : 'b'], `row ${r} keeps its values together`);
  }
});

test('the column sample grows to its capacity, keeps replaced slots, and turns a column meeting text into values', () => {
  const c = new ColumnSample(500);
  c.reset(3);
  for (let i = 0; i < 300; i++) c.put(i, [i, i % 7 ? 0.5 : null, 1.25]);
  c.put(10, [1000, 2, 'late text']);
  const wire: WindowSampleWire = { start_ms: 0, end_ms: 1, version: 1, predictions: 300, features: ['a', 'b', 'c'], size: c.size, columns: c.columns(), predicted: [], counts: {}, prediction_distribution: {}, confidence_sum: 0, confidence_n: 0 };
  const m = monitoringFromServing.parse(JSON.parse(JSON.stringify(toIpc({ type: 'monitor_window', window: wire }))));
  assert.ok(m.type === 'monitor_window');
  const s = decodeWindowSample(m.window);
  // The same window on the monitoring stream (a monitor_sample frame: its numeric columns as bytes), read in pieces.
  const frame = encodeStreamMessage({ type: 'monitor_window', window: wire });
  assert.ok(Buffer.isBuffer(frame), 'a sample with numeric columns goes as a frame');
  const fromStream: unknown[] = [];
  const decoder = new StreamDecoder((raw) => fromStream.push(decodeWindowSample((monitoringFromServing.parse(raw) as { window: WindowSampleWire }).window)), (why) => assert.fail(why));
  for (let at = 0; at < frame.length; at += 333) decoder.push(frame.subarray(at, at + 333));
  assert.deepEqual(fromStream, [s]);
  assert.equal(s.size, 300);
  assert.equal(s.columns[0]?.[10], 1000, 'a replaced slot');
  assert.equal(s.columns[0]?.[299], 299);
  assert.equal(s.columns[1]?.[7], null, 'missing stays missing');
  assert.ok('values' in (wire.columns[2] ?? {}), 'a column that met text travels as values');
  assert.deepEqual([s.columns[2]?.[9], s.columns[2]?.[10], s.columns[2]?.[11]], [1.25, 'late text', 1.25]);
});

test('unreadable log lines are named and skipped; the rest is stored', () => {
  // Per line: time_ms, latency_ms, version, status, predicted, input_rows, input_width (META).
  const meta = [
    [1000, 2, 3, 200, 1, 1, 2],
    [1000, 2, 3, 200, 1, 0, 0],
    [NaN, 2, 3, 200, 1, 0, 0],
    [1000, 2, 3, 200, 1, 1, 2],
    [1000, 2, 3, 200, NaN, 0, 0],
    [1000, 2, 3.5, 200, 1, 0, 0],
    [1000, 2, 3, 200, NaN, 0, 0],
  ];
  const lines = ['r1\t\t[{"label":1}]\t', 'r 2\t\t[]\t', 'r3\t\t[]\t', 'r4\t\t[]\t', 'r5\t{"x":1}\t[]\t', 'r6\t\t[]\t', 'r7\t"yes"\t[1]\t[[1,"a"]]'];
  assert.equal(meta.length, lines.length);
  const b64 = (xs: number[]): string => Buffer.from(new Float64Array(xs).buffer).toString('base64');
  const d = decodePredictionLog(lines.join('\n'), 8, b64(meta.flat()), b64([1.5, 2.5]));
  assert.deepEqual(d.errors, ['meta: 392 bytes where 8 predictions need 448'], 'numbers that do not match the count: nothing is guessed');
  const ok = decodePredictionLog(lines.join('\n'), 7, b64(meta.flat()), b64([1.5, 2.5]));
  assert.deepEqual(ok.predictions.map((p) => p.request_id), ['r1', 'r7']);
  assert.deepEqual(storedInputRows(ok.predictions[0]?.inputs as Buffer), [[1.5, 2.5]]);
  assert.deepEqual([ok.predictions[1]?.predicted, ok.predictions[1]?.inputs], ['yes', '[[1,"a"]]']);
  assert.deepEqual(ok.errors, [
    'line 2: request_id: not a request id',
    'line 3: time_ms: not a number',
    'line 4: inputs: 1x2 values announced, 0 left in the chunk',
    'line 5: predicted: not a JSON string, number or null',
    'line 6: version: not an integer',
  ]);
  const short = decodePredictionLog(lines.slice(0, 2).join('\n'), 7, b64(meta.flat()), b64([1.5, 2.5]));
  assert.deepEqual(short.errors, ['2 lines where 7 predictions were announced', 'line 2: request_id: not a request id']);
});

test('a reused chunk carries nothing of the one before it', async () => {
  const { rec, batches } = harness(boot({ input_every: 2 }));
  for (let i = 0; i < CHUNK * 3; i++) rec.record(i < CHUNK ? request(i) : { ...request(i), status: 500, outputs: undefined, rows: undefined });
  for (let k = 0; k < 5; k++) await turn();
  assert.equal(batches.length, 3);
  const [first, , third] = batches;
  assert.equal(first?.filter((p) => p.inputs !== null).length, CHUNK / 2, 'every second request stores its inputs (input_every: 2)');
  assert.deepEqual(storedInputRows(first?.[2]?.inputs as Buffer), [[22, null, 1.5]]);
  assert.ok(third?.every((p) => p.inputs === null && p.status === 500 && p.predicted === null && p.outputs === '[]'), 'failed requests: no inputs, no prediction, whatever the reused arrays held');
  assert.deepEqual(third?.map((p) => p.request_id), Array.from({ length: CHUNK }, (_, i) => `r${i + CHUNK * 2}`));
});

test('scored on the serving loop or read back from the answer, a window and the log come out the same', async () => {
  const reqs: RequestRecord[] = [
    // Rows of another width than the features served go the long way (the sample starts afresh after it).
    { ...request(45, [[1, 2]]), outputs: new Map([['label', { type: 'int64', perRow: [1], rowShape: [] }], ['probabilities', { type: 'float32', perRow: [[0.5, 0.5]], rowShape: [2] }]]) as RunOutputs },
    ...Array.from({ length: 40 }, (_, i) => request(i)),
    { ...request(40, [[1, 2, 3], [4, 5, 6], [7, 8, 9]]), outputs: new Map([['label', { type: 'int64', perRow: [0, 1, 1], rowShape: [] }], ['probabilities', { type: 'float32', perRow: [[0.9, 0.1], [0.3, 0.7], [NaN, NaN]], rowShape: [2] }]]) as RunOutputs },
    // Text labels cannot be scored as numbers: the recorder reads them from the answer's JSON.
    { ...request(41), outputs: new Map([['label', { type: 'string', perRow: ['churn'], rowShape: [] }], ['probabilities', { type: 'float32', perRow: [[0.2, 0.8]], rowShape: [2] }]]) as RunOutputs },
    { ...request(42), outputs: new Map([['label', { type: 'int64', perRow: [1], rowShape: [] }], ['probabilities', { type: 'float32', perRow: [[0.65, 0.35]], rowShape: [2] }]]) as RunOutputs },
    // The model threw (no outputs), and a refusal naming a feature: logged all the same.
    { ...request(43), status: 500, modelFailed: true, outputs: undefined },
    { ...request(44, [[1, null, 3]] as unknown as RequestRecord['rows']), status: 400, outputs: undefined, error: { where: { feature: 'tenure' }, message: 'tenure: NaN or null' } } as RequestRecord,
  ];
  // Every other request's inputs stored, one feature left out: the rows read in place take the same mask.
  const b = boot({ window_predictions: 48, stored_features: ['age', 'spend'], input_every: 2 });
  const direct = harness(b);
  const viaRing = harness(b);
  const writer = new RecordWriter(1 << 20);
  const reader = new RecordReader(writer.sab);
  const scorer = new RowScorer();
  let scoredCount = 0;
  reqs.forEach((r, i) => {
    const json = r.outputs ? JSON.stringify(records(r.outputs, r.rows?.length ?? 0)) : undefined;
    direct.rec.record({ ...r, outputsJson: json, timeMs: 1_000_000 + i, inFlight: 1 });
    const n = r.rows?.length ?? 0;
    const scored = r.outputs && scorer.score(r.outputs, n, 'classification') ? n : 0;
    if (scored) scoredCount++;
    writer.request(r, 1_000_000 + i, 1, json, scorer.scores, scored);
  });
  assert.equal(scoredCount, reqs.length - 3, 'every request with outputs but the text label was scored');
  let plain = 0;
  reader.drainViews(
    (v) => {
      if (v.plain) plain++;
      recordFromRing(viaRing.rec, v);
    },
    () => undefined,
  );
  assert.equal(plain, reqs.length - 2, 'all but the text label and the refusal are read in place');
  for (const h of [direct, viaRing]) h.rec.flush(true);
  for (let k = 0; k < 3; k++) await turn();
  const windows = (h: typeof direct): unknown[] => h.messages.filter((m) => m.type === 'monitor_window');
  assert.equal(windows(direct).length, 1);
  assert.deepEqual(windows(viaRing), windows(direct));
  assert.deepEqual(viaRing.batches, direct.batches);
  const w = decodeWindowSample((windows(direct)[0] as { window: WindowSampleWire }).window);
  assert.deepEqual(w.prediction_distribution, { '0': 21, '1': 24, churn: 1 }, 'the counts read every instance, batch included');
  assert.equal(w.confidence_n, 45, 'an instance whose probabilities are NaN has no confidence');
  assert.equal(w.size, 45, 'the sample started afresh after the row of another width');
  assert.deepEqual(w.counts, { tenure: { missing: 1, out_of_range: 0 } }, 'the refusal counted as a missing value');
  const stored = viaRing.batches.flat().filter((p) => p.inputs !== null);
  assert.equal(stored.length, 23, 'every other request has its inputs stored');
  assert.ok(stored.some((p) => Buffer.isBuffer(p.inputs) && Number.isNaN(p.inputs.readDoubleLE(8 + 8))), 'tenure, left out, is stored as NaN');
});

test('the log reads the same from the stream (bytes) and over IPC (base64)', async () => {
  const row = (i: number): RequestRecord['rows'] => [[20 + i, 7 + i / 8, -1.5]];
  const sent = async (route: 'stream' | 'ipc'): Promise<LoggedPrediction[]> => {
    const { rec, batches } = harness(boot({ input_every: 3 }), undefined, route);
    for (let i = 0; i < CHUNK * 2 + 9; i++) rec.record(request(i, row(i)));
    rec.flush(true);
    for (let k = 0; k < 4; k++) await turn();
    return batches.flat();
  };
  const [stream, ipc] = [await sent('stream'), await sent('ipc')];
  assert.equal(stream.length, CHUNK * 2 + 9);
  const plain = (ps: LoggedPrediction[]): unknown[] => ps.map((p) => ({ ...p, inputs: p.inputs === null ? null : storedInputRows(p.inputs) }));
  assert.deepEqual(plain(stream), plain(ipc));
  assert.deepEqual(storedInputRows(stream[3]?.inputs as Buffer), [[23, null, -1.5]], 'the stored features of a row (age, spend), exactly');
});

test('the stream decoder: frames split anywhere, one byte at a time, and bad lines reported and skipped', () => {
  const flush = (n: number): MonitoringFromServing => {
    const meta = new Float64Array(Array.from({ length: n }, () => [1000 + n, 2, 3, 200, 1, 0, 0]).flat());
    return { type: 'monitor_flush', slices: [], log: Array.from({ length: n }, (_, i) => `r${i}\t\t[{"label":"é${i}"}]\t`).join('\n'), count: n, meta: new Uint8Array(meta.buffer), inputs: new Uint8Array(0) };
  };
  const stream = Buffer.concat([
    Buffer.from(encodeStreamMessage(flush(3))),
    Buffer.from('not json\n'),
    Buffer.from('{"type":"monitor_log","count":-1}\n'),
    Buffer.from(encodeStreamMessage({ type: 'monitor_synced', id: 7 })),
    Buffer.from(encodeStreamMessage(flush(0))),
    Buffer.from(encodeStreamMessage(flush(2))),
  ]);
  for (const piece of [1, 5, 64, stream.length]) {
    const got: MonitoringFromServing[] = [];
    const logs: LoggedPrediction[][] = [];
    const bad: string[] = [];
    // A chunk's bytes are valid while it is handed over (the decoder reuses its buffer): read them then.
    const d = new StreamDecoder((raw) => {
      const m = monitoringFromServing.parse(raw);
      got.push(m);
      if (m.type !== 'monitor_flush') return;
      const log = decodePredictionLog(m.log, m.count, m.meta, m.inputs);
      assert.deepEqual(log.errors, []);
      logs.push(log.predictions);
    }, (why) => bad.push(why));
    for (let at = 0; at < stream.length; at += piece) d.push(stream.subarray(at, at + piece));
    assert.deepEqual(got.map((m) => m.type), ['monitor_flush', 'monitor_synced', 'monitor_flush', 'monitor_flush'], `pieces of ${piece}`);
    assert.equal(bad.length, 2, `pieces of ${piece}: ${bad.join('; ')}`);
    assert.match(bad[0] ?? '', /not JSON/);
    assert.match(bad[1] ?? '', /malformed log chunk header/);
    assert.deepEqual(logs.map((l) => l.length), [3, 0, 2]);
    assert.deepEqual(logs[2]?.map((p) => [p.request_id, p.outputs]), [['r0', '[{"label":"é0"}]'], ['r1', '[{"label":"é1"}]']], 'text with multi-byte characters survives any split');
    assert.deepEqual([logs[0]?.map((p) => p.time_ms), logs[2]?.map((p) => p.time_ms)], [[1003, 1003, 1003], [1002, 1002]], 'numbers read in place from the reused buffer are those of their own chunk');
  }
});

test('the stream decoder refuses a frame or a line past its limit, says so, and reads on after it', () => {
  const meta = new Float64Array([1000, 2, 3, 200, 1, 0, 0]);
  const small: MonitoringFromServing = { type: 'monitor_flush', slices: [], log: 'r1\t\t[1]\t', count: 1, meta: new Uint8Array(meta.buffer), inputs: new Uint8Array(0) };
  const big: MonitoringFromServing = { ...small, log: `r2\t\t[${'1,'.repeat(3000)}1]\t` };
  // A window's sample whose columns' bytes exceed the limit: refused and named the same way.
  const wide: WindowSampleWire = { start_ms: 0, end_ms: 1, version: 1, predictions: 1200, features: ['a'], size: 1200, columns: [{ f32: new Uint8Array(4800) }], predicted: [], counts: {}, prediction_distribution: {}, confidence_sum: 0, confidence_n: 0 };
  const stream = Buffer.concat([
    Buffer.from(encodeStreamMessage(big)),
    Buffer.from(encodeStreamMessage({ type: 'monitor_window', window: wide })),
    Buffer.from(`{"type":"monitor_synced","id":1,"pad":"${'x'.repeat(5000)}"}\n`),
    Buffer.from(encodeStreamMessage(small)),
    Buffer.from(encodeStreamMessage({ type: 'monitor_synced', id: 2 })),
  ]);
  for (const piece of [1, 333, stream.length]) {
    const ids: string[] = [];
    const bad: string[] = [];
    const d = new StreamDecoder((raw) => {
      const m = monitoringFromServing.parse(raw);
      if (m.type === 'monitor_flush') ids.push(...decodePredictionLog(m.log, m.count, m.meta, m.inputs).predictions.map((p) => p.request_id));
      else if (m.type === 'monitor_synced') ids.push(`synced ${m.id}`);
    }, (why) => bad.push(why), 4096);
    for (let at = 0; at < stream.length; at += piece) d.push(stream.subarray(at, at + piece));
    assert.deepEqual(ids, ['r1', 'synced 2'], `pieces of ${piece}: what follows a refused frame or line is read`);
    assert.equal(bad.length, 3, `pieces of ${piece}: ${bad.join('; ')}`);
    assert.match(bad[0] ?? '', /a log chunk of \d+ bytes \(at most 4096\): skipped/);
    assert.match(bad[1] ?? '', /a window sample of 4800 bytes \(at most 4096\): skipped/);
    assert.match(bad[2] ?? '', /a line longer than 4096 bytes: skipped/);
  }
});
