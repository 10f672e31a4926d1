import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildLinearModelOnnx } from '../daemon/src/onnx/model';
import { type MonitoringBoot } from '../schemas/src/monitoring';
import { BenchSession, churnSpec, median, pairedRuns, servingBoot, servingScript } from './harness';
const WIDTH = 20;
const FEATURES = Array.from({ length: WIDTH }, (_, i) => (i === 0 ? 'tenure' : `f${i}`));
const session = new BenchSession('zz-ab-');
const mon = (): MonitoringBoot => ({ slice_ms: 1000, flush_ms: 1000, window_predictions: 1000, window_ms: null, sample_size: 2000, input_every: 1, stored_features: FEATURES, ranges: { tenure: [0, 100] }, ring: 20_000, feedback_token: 'bench-feedback-token-0123456789' });
async function start(model: string, m: MonitoringBoot | null, env: Record<string, string>): Promise<{ port: number; p: ReturnType<typeof fork> }> {
  const p = fork(servingScript(), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc', 'pipe'], execArgv: [], serialization: 'json', env: { ...process.env, ...env } });
  (p.stdio[4] as any)?.on('data', () => undefined);
  const boot = servingBoot(churnSpec(model, { features: FEATURES.map((name) => ({ name, type: 'float' as const })) }), { deployment: m ? 'on' : 'off', monitoring: m && { ...m, stream_fd: 4 } });
  return new Promise((resolve) => {
    let port = 0;
    p.on('message', (raw: any) => { if (raw.type === 'listening') port = raw.port; else if (raw.type === 'loaded') resolve({ port, p }); });
    p.send({ type: 'boot', boot });
  });
}
async function main(): Promise<void> {
  const model = join(session.dir, 'model.onnx');
  writeFileSync(model, buildLinearModelOnnx({ task: 'classification', weights: FEATURES.map((_, i) => (i % 2 ? 0.02 : -0.03)), bias: -0.5 }));
  const script = session.postScript(`{"instances": [[${FEATURES.map((_, i) => (i === 0 ? 12 : 10 + ((i * 7.3) % 50)).toFixed(1)).join(', ')}]]}`);
  const ratios: number[] = []; const p99: number[] = [];
  const envB = JSON.parse(process.env.ENVB ?? '{}');
  const bMon = process.env.BMON !== '0';
  for (let round = 0; round < Number(process.env.ROUNDS ?? 3); round++) {
    const a = await start(model, null, {});
    const b = await start(model, bMon ? mon() : null, envB);
    const runs = await pairedRuns({ a: a.port, b: b.port }, ['a', 'b'], script, { connections: 32, seconds: 2, reps: 8, warmupSeconds: 1 });
    runs.a.forEach((r, i) => { ratios.push(runs.b[i]!.rps / r.rps); p99.push(runs.b[i]!.p99ms / r.p99ms); });
    for (const s of [a, b]) { s.p.kill('SIGKILL'); }
  }
  console.log('throughput', (median(ratios) * 100).toFixed(1), '% p99', median(p99).toFixed(2), 'x   spread', Math.min(...ratios).toFixed(2), Math.max(...ratios).toFixed(2));
}
session.run(main);
