import { RecordReader, RecordWriter } from '../daemon/src/monitoring/recorder/record-ring';
import { MonitorRecorder } from '../daemon/src/monitoring/recorder/recorder';
import { recordFromRing } from '../daemon/src/monitoring/recorder/recorder-worker';
import { RowScorer } from '../shared/src/monitoring/outputs';
const FEATURES = Array.from({ length: 20 }, (_, i) => (i === 0 ? 'tenure' : `f${i}`));
const boot = { slice_ms: 1000, flush_ms: 1000, window_predictions: 1000, window_ms: null, sample_size: 2000, input_every: 1, stored_features: FEATURES, ranges: { tenure: [0, 100] as [number, number] }, ring: 20_000, feedback_token: 'x'.repeat(30) };
const w = new RecordWriter(8 << 20);
const r = new RecordReader(w.sab);
const recs = Array.from({ length: 1000 }, (_, i) => ({ requestId: '01a244a6-2623-7000-b3a4-a478d47e' + String(1000 + (i % 9000)), route: '/predict', status: 200, seconds: 0.001 + i * 1e-7, version: 1, rows: [FEATURES.map((_, j) => 10 + ((j * 7.3 + i) % 50))], outputs: new Map([['label', { perRow: [i % 2] }], ['probability', { perRow: [(i * 0.000731) % 1] }]]) }));
const jsons = recs.map((_, i) => `[{"probability":${(i * 0.000731) % 1},"label":${i % 2}}]`);
const model = { features: FEATURES.map((name) => ({ name })), spec: { task: 'classification' as const, version: 1 } };
const rec = new MonitorRecorder(boot, () => undefined, () => model, () => 1);
const sc = new RowScorer();
w.model({ version: 1, task: 'classification', features: FEATURES });
const t = new Map<string, number>();
for (let round = 0; round < 80; round++) {
  const scored = round % 2 === 0;
  const a = process.hrtime.bigint();
  for (let k = 0; k < recs.length; k++) { const q = recs[k]!; const s = scored && sc.score(q.outputs as any, 1, 'classification') ? 1 : 0; w.request(q as any, Date.now() + round * 100, 3, jsons[k], sc.scores, s); }
  const b = process.hrtime.bigint();
  r.drain((e) => { if (e.kind === 'request') recordFromRing(rec, e.request); });
  const c = process.hrtime.bigint();
  if (round % 4 === 3) rec.flush(false, true);
  const m = scored ? 'scored' : 'json';
  if (round >= 20) { t.set(m + ' loop', (t.get(m + ' loop') ?? 0) + Number(b - a) / recs.length / 30); t.set(m + ' worker', (t.get(m + ' worker') ?? 0) + Number(c - b) / recs.length / 30); }
}
console.log([...t].map(([k, v]) => `${k} ${v.toFixed(0)}`).join('  '));
