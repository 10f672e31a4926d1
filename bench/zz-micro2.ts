import { RecordReader, RecordWriter } from '../daemon/src/monitoring/recorder/record-ring';
import { MonitorRecorder } from '../daemon/src/monitoring/recorder/recorder';
import { outputsFromJson } from '../daemon/src/monitoring/recorder/recorder-worker';
const FEATURES = Array.from({ length: 20 }, (_, i) => (i === 0 ? 'tenure' : `f${i}`));
const boot = { slice_ms: 1000, flush_ms: 1000, window_predictions: 1000, window_ms: null, sample_size: 2000, input_every: 1, stored_features: FEATURES, ranges: { tenure: [0, 100] as [number, number] }, ring: 20_000, feedback_token: 'x'.repeat(30) };
const w = new RecordWriter(8 << 20);
const r = new RecordReader(w.sab);
const recs = Array.from({ length: 1000 }, (_, i) => ({ requestId: '01a244a6-2623-7000-b3a4-a478d47e' + String(1000 + (i % 9000)), route: '/predict', status: 200, seconds: 0.001 + i * 1e-7, version: 1, rows: [FEATURES.map((_, j) => 10 + ((j * 7.3 + i) % 50))] }));
const jsons = recs.map((_, i) => `[{"probability":${(i * 0.000731) % 1},"label":${i % 2}}]`);
const model = { features: FEATURES.map((name) => ({ name })), spec: { task: 'classification' as const, version: 1 } };
const rec = new MonitorRecorder(boot, () => undefined, () => model, () => 1);
const recNoWin = new MonitorRecorder({ ...boot, input_every: 0 }, () => undefined, () => model, () => 1);
w.model({ version: 1, task: 'classification', features: FEATURES });
const modes = ['drain', 'drain+parse', 'full', 'full-noinputs'];
const t = new Map<string, number>();
for (let round = 0; round < 80; round++) {
  const mode = modes[round % 4]!;
  for (let k = 0; k < recs.length; k++) w.request(recs[k] as any, Date.now() + round * 100, 3, jsons[k]);
  const b = process.hrtime.bigint();
  r.drain((e) => { if (e.kind === 'request') { const q = e.request as any; if (mode === 'drain') return; q.outputs = outputsFromJson(q.outputsJson); if (mode === 'full') rec.record(q); else if (mode === 'full-noinputs') recNoWin.record(q); } });
  const c = process.hrtime.bigint();
  if (round % 4 === 3) { rec.flush(false, true); recNoWin.flush(false, true); }
  if (round >= 20) t.set(mode, (t.get(mode) ?? 0) + Number(c - b) / recs.length / 15);
}
console.log([...t].map(([k, v]) => `${k} ${v.toFixed(0)}`).join('  '));
