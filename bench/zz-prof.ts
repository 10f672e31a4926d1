import { fork, spawnSync } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildLinearModelOnnx } from '../daemon/src/onnx/model';
import { type MonitoringBoot } from '../schemas/src/monitoring';
import { BenchSession, churnSpec, servingBoot, servingScript, wrk } from './harness';
const WIDTH = 20;
const FEATURES = Array.from({ length: WIDTH }, (_, i) => (i === 0 ? 'tenure' : `f${i}`));
const session = new BenchSession('zz-prof-');
const mon = (): MonitoringBoot => ({ slice_ms: 1000, flush_ms: 1000, window_predictions: 1000, window_ms: null, sample_size: 2000, input_every: 1, stored_features: FEATURES, ranges: { tenure: [0, 100] }, ring: 20_000, feedback_token: 'bench-feedback-token-0123456789' });
async function start(model: string, m: MonitoringBoot | null, dir: string): Promise<{ port: number; p: ReturnType<typeof fork> }> {
  mkdirSync(dir, { recursive: true });
  const p = fork(servingScript(), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc', 'pipe'], execArgv: process.env.PROF ? ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=200'] : [], serialization: process.env.MON_ADV ? 'advanced' : 'json', env: { ...process.env } });
  if (process.env.PIN) spawnSync('taskset', ['-a', '-p', '-c', '1', String(p.pid)]);
  (p.stdio[4] as any)?.on('data', () => undefined);
  const boot = servingBoot(churnSpec(model, { features: FEATURES.map((name) => ({ name, type: 'float' as const })) }), { deployment: m ? 'on' : 'off', monitoring: m && { ...m, stream_fd: 4 } });
  return new Promise((resolve) => {
    let port = 0;
    p.on('message', (raw: any) => { if (raw.type === 'listening') port = raw.port; else if (raw.type === 'loaded') resolve({ port, p }); });
    p.send({ type: 'boot', boot });
  });
}
async function main(): Promise<void> {
  if (process.env.PIN) spawnSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)]);
  const model = join(session.dir, 'model.onnx');
  writeFileSync(model, buildLinearModelOnnx({ task: 'classification', weights: FEATURES.map((_, i) => (i % 2 ? 0.02 : -0.03)), bias: -0.5 }));
  const script = session.postScript(`{"instances": [[${FEATURES.map((_, i) => (i === 0 ? 12 : 10 + ((i * 7.3) % 50)).toFixed(1)).join(', ')}]]}`);
  const which = process.env.WHICH ?? 'on';
  const s = await start(model, which === 'on' ? mon() : null, `/tmp/prof/${which}`);
  await wrk(s.port, 32, script, 3);
  const before = new Map<string, number>();
  {
    const { readdirSync, readFileSync } = await import('node:fs');
    for (const t of readdirSync(`/proc/${s.p.pid}/task`)) {
      const f = readFileSync(`/proc/${s.p.pid}/task/${t}/stat`, 'utf8').split(') ')[1]!.split(' ');
      before.set(t, (Number(f[11]) + Number(f[12])) / 100);
    }
  }
  const r = await wrk(s.port, 32, script, Number(process.env.SECS ?? 10));
  console.log(which, Math.round(r.rps), r.p99ms, r.requests);
  const { readdirSync, readFileSync } = await import('node:fs');
  const rows: string[] = [];
  for (const t of readdirSync(`/proc/${s.p.pid}/task`)) {
    const st = readFileSync(`/proc/${s.p.pid}/task/${t}/stat`, 'utf8');
    const name = /\((.*)\)/.exec(st)?.[1];
    const f = st.split(') ')[1]!.split(' ');
    const cpu = (Number(f[11]) + Number(f[12])) / 100;
    const d = cpu - (before.get(t) ?? 0); if (d > 0.05) rows.push(`${name}:${d.toFixed(2)}s=${((d / r.requests) * 1e6).toFixed(1)}µs`);
  }
  console.log(rows.join('  '));
  s.p.kill('SIGTERM');
  await new Promise((res) => s.p.once('exit', res));
}
session.run(main);
