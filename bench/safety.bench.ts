/**
 * Shadow overhead: the primary's latency and throughput with a shadow running against without, in the
 * same run with repetitions interleaved (medians). Two serving processes as shipped (dist/serving.js
 * --spec): `plain` serves a linear model; `shadowed` serves the same model with a shadow version (a
 * copy of each answered request goes to its worker process after the answer). wrk on loopback.
 * Targets: with a shadow, p50 and p99 at c=1 within 1.25× of without (the shadow never sits in the
 * answer path), throughput at c=1 ≥ 80 % (the worker shares the CPU). Also recorded: the copies
 * compared and dropped. On a 2-core machine shared by other work, expect noise of ±10-20 %.
 * Run: npm run build && npx tsx bench/safety.bench.ts [--quick]   (needs wrk)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildLinearModelOnnx } from '../daemon/src/onnx/model';
import { type ServingBootInput, type ServingModelSpec } from '../schemas/src/serving';
import { Targets } from './targets';

const quick = process.argv.includes('--quick');
const REPS = quick ? 3 : 5;
const SECONDS = quick ? 2 : 4;
const dir = mkdtempSync(join(tmpdir(), 'safety-bench-'));
const procs: ChildProcess[] = [];
process.on('exit', () => procs.forEach((p) => p.kill('SIGKILL')));

interface Run {
  rps: number;
  p50: number;
  p99: number;
}

function start(specFile: string, onLine: (l: string) => void): Promise<number> {
  const p = spawn(process.execPath, [join(__dirname, '..', 'dist', 'serving.js'), '--spec', specFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  procs.push(p);
  return new Promise((resolve, reject) => {
    let out = '';
    p.stderr?.on('data', (c: Buffer) => {
      out += c.toString();
      for (const l of c.toString().split('\n')) if (l) onLine(l);
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    p.once('exit', (code) => reject(new Error(`serving exited ${code}: ${out}`)));
    setTimeout(() => reject(new Error(`serving did not start: ${out}`)), 30_000).unref();
  });
}

function wrk(port: number, script: string): Run {
  const r = spawnSync('wrk', ['-t1', '-c1', `-d${SECONDS}s`, '--latency', '-s', script, `http://127.0.0.1:${port}/predict`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr}`);
  if (/Non-2xx/.test(r.stdout)) throw new Error(`port ${port}: failed responses`);
  const pct = (p: string): number => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(r.stdout);
    return Number(m?.[1] ?? NaN) * { us: 0.001, ms: 1, s: 1000 }[(m?.[2] ?? 'ms') as 'us' | 'ms' | 's'];
  };
  return { rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1] ?? 0), p50: pct('50'), p99: pct('99') };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main(): Promise<void> {
  if (spawnSync('wrk', ['--version']).error) return console.log('wrk is not installed (Debian package wrk): safety benchmark skipped');
  if (!existsSync(join(__dirname, '..', 'dist', 'serving.js'))) throw new Error('dist/serving.js is missing: run `npm run build` first');
  const file = join(dir, 'model.onnx');
  writeFileSync(file, buildLinearModelOnnx({ task: 'classification', weights: [0.03, -0.05, 0.02], bias: -0.5 }));
  const spec = (version: number): ServingModelSpec => ({ model: 'churn', version, artifact_path: file, artifact_sha256: `v${version}`, task: 'classification', input_mode: 'tensor', features: ['age', 'tenure', 'spend'].map((name) => ({ name, type: 'float' as const })) });
  const boot = (shadow: ServingModelSpec | null): string => {
    const f = join(dir, `spec-${shadow ? 'shadow' : 'plain'}.json`);
    const b: ServingBootInput = { deployment: 'bench', port: 0, threads: 1, max_batch: 1, max_delay_ms: 0, max_body_bytes: 1 << 20, max_instances: 100, token: null, model: spec(1), shadow };
    writeFileSync(f, JSON.stringify(b));
    return f;
  };
  const script = join(dir, 'post.lua');
  writeFileSync(script, `wrk.method = "POST"\nwrk.body = '{"instances": [[35, 12, 70.5]]}'\nwrk.headers["Content-Type"] = "application/json"\n`);
  const ports = { plain: await start(boot(null), () => undefined), shadowed: await start(boot(spec(2)), () => undefined) };
  await new Promise((r) => setTimeout(r, 1000)); // the shadow worker loads its version
  wrk(ports.plain, script);
  wrk(ports.shadowed, script);
  const runs: Record<'plain' | 'shadowed', Run[]> = { plain: [], shadowed: [] };
  for (let i = 0; i < REPS; i++) for (const k of ['plain', 'shadowed'] as const) runs[k].push(wrk(ports[k], script));
  const med = (k: 'plain' | 'shadowed', f: keyof Run): number => median(runs[k].map((r) => r[f]));
  console.log(`| server | req/s c=1 (median of ${REPS}) | p50 ms | p99 ms | runs req/s |`);
  console.log('| --- | --- | --- | --- | --- |');
  for (const k of ['plain', 'shadowed'] as const) console.log(`| ${k} | ${Math.round(med(k, 'rps'))} | ${med(k, 'p50').toFixed(3)} | ${med(k, 'p99').toFixed(3)} | ${runs[k].map((r) => Math.round(r.rps)).join(', ')} |`);
  const t = new Targets();
  t.atMost('p50 at c=1 with a shadow vs without', med('shadowed', 'p50') / med('plain', 'p50'), 1.25, '×');
  t.atMost('p99 at c=1 with a shadow vs without', med('shadowed', 'p99') / med('plain', 'p99'), 1.25, '×');
  t.atLeast('throughput at c=1 with a shadow vs without', (100 * med('shadowed', 'rps')) / med('plain', 'rps'), 80, '%', 0);
  t.report();
}

main()
  .catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => {
    procs.forEach((p) => p.kill('SIGTERM'));
    rmSync(dir, { recursive: true, force: true });
  });
