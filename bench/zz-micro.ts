import { RecordReader, RecordWriter } from '../daemon/src/monitoring/recorder/record-ring';
import { MonitorRecorder } from '../daemon/src/monitoring/recorder/recorder';
import { outputsFromJson } from '../daemon/src/monitoring/recorder/recorder-worker';
import { fromServingMessage } from '../schemas/src/serving';
import { decodePredictionLog, decodeWindowSample } from '../schemas/src/monitoring-wire';
const FEATURES = Array.from({ length: 20 }, (_, i) => (i === 0 ? 'tenure' : `f${i}`));
const boot = { slice_ms: 1000, flush_ms: 1000, window_predictions: 1000, window_ms: null, sample_size: 2000, input_every: 1, stored_features: FEATURES, ranges: { tenure: [0, 100] as [number, number] }, ring: 20_000, feedback_token: 'x'.repeat(30) };
const w = new RecordWriter(8 << 20);
const r = new RecordReader(w.sab);
const recs = Array.from({ length: 1000 }, (_, i) => ({ requestId: '01a244a6-2623-7000-b3a4-a478d47e' + String(1000 + (i % 9000)), route: '/predict', status: 200, seconds: 0.001 + i * 1e-7, version: 1, rows: [FEATURES.map((_, j) => 10 + ((j * 7.3 + i) % 50))] }));
const jsons = recs.map((_, i) => `[{"probability":${(i * 0.000731) % 1},"label":${i % 2}}]`);
const lines: string[] = [];
const model = { features: FEATURES.map((name) => ({ name })), spec: { task: 'classification' as const, version: 1 } };
const rec = new MonitorRecorder(boot, (m) => lines.push(JSON.stringify(m)), () => model, () => 1);
w.model({ version: 1, task: 'classification', features: FEATURES });
let tRec = 0n, tSend = 0n, tUtf = 0n, tParse = 0n, n = 0;
for (let round = 0; round < 30; round++) {
  const a = process.hrtime.bigint();
  for (let k = 0; k < recs.length; k++) w.request(recs[k] as any, Date.now() + round * 100, 3, jsons[k]);
  const b = process.hrtime.bigint();
  r.drain((e) => { if (e.kind === 'request') { const q = e.request as any; if (q.outputsJson !== undefined) q.outputs = outputsFromJson(q.outputsJson); rec.record(q); } });
  const c = process.hrtime.bigint();
  rec.flush(false, true);
  const d = process.hrtime.bigint();
  let bytes = 0; for (const l of lines) bytes += Buffer.from(l + '\n').length;
  const e = process.hrtime.bigint();
  for (const l of lines) { const m = fromServingMessage.parse(JSON.parse(l)); if (m.type === 'monitor_flush') decodePredictionLog(m.log, m.count, m.meta, m.inputs); else if (m.type === 'monitor_window') decodeWindowSample(m.window); }
  const f = process.hrtime.bigint();
  lines.length = 0;
  if (round >= 10) { tRec += c - b; tSend += d - c; tUtf += e - d; tParse += f - e; n += recs.length; }
  void a; void bytes;
}
const ns = (x: bigint) => (Number(x) / n).toFixed(0);
console.log(`worker: drain+record ${ns(tRec)} ns, flush+stringify ${ns(tSend)} ns, utf8 ${ns(tUtf)} ns | daemon: parse+schema+decode ${ns(tParse)} ns  per request`);
