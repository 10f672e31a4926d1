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
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildLinearModelOnnx } from '../daemon/src/onnx/model';
import { type ServingModelSpec } from '../schemas/src/serving';
import { BenchSession, churnSpec, hasWrk, median, pairedRuns, servingBoot, servingScript, type WrkResult } from './harness';
import { Targets } from './targets';

const quick = process.argv.includes('--quick');
const REPS = quick ? 3 : 5;
const SECONDS = quick ? 2 : 4;
const session = new BenchSession('safety-bench-');
const dir = session.dir;

async function main(): Promise<void> {
  if (!hasWrk()) return console.log('wrk is not installed (Debian package wrk): safety benchmark skipped');
  const serving = servingScript();
  const file = join(dir, 'model.onnx');
  writeFileSync(file, buildLinearModelOnnx({ task: 'classification', weights: [0.03, -0.05, 0.02], bias: -0.5 }));
  const spec = (version: number): ServingModelSpec => churnSpec(file, { version, artifact_sha256: `v${version}` });
  const boot = (shadow: ServingModelSpec | null): string => {
    const f = join(dir, `spec-${shadow ? 'shadow' : 'plain'}.json`);
    writeFileSync(f, JSON.stringify(servingBoot(spec(1), { max_body_bytes: 1 << 20, max_instances: 100, shadow })));
    return f;
  };
  const script = session.postScript();
  const serve = (specFile: string): Promise<number> => session.startServer(process.execPath, [serving, '--spec', specFile]);
  const ports = { plain: await serve(boot(null)), shadowed: await serve(boot(spec(2))) };
  await new Promise((r) => setTimeout(r, 1000)); // the shadow worker loads its version
  const runs = await pairedRuns(ports, ['plain', 'shadowed'], script, { connections: 1, seconds: SECONDS, reps: REPS, warmupSeconds: SECONDS });
  const med = (k: 'plain' | 'shadowed', f: keyof WrkResult): number => median(runs[k].map((r) => r[f]));
  console.log(`| server | req/s c=1 (median of ${REPS}) | p50 ms | p99 ms | runs req/s |`);
  console.log('| --- | --- | --- | --- | --- |');
  for (const k of ['plain', 'shadowed'] as const) console.log(`| ${k} | ${Math.round(med(k, 'rps'))} | ${med(k, 'p50ms').toFixed(3)} | ${med(k, 'p99ms').toFixed(3)} | ${runs[k].map((r) => Math.round(r.rps)).join(', ')} |`);
  const t = new Targets();
  t.atMost('p50 at c=1 with a shadow vs without', med('shadowed', 'p50ms') / med('plain', 'p50ms'), 1.25, '×');
  t.atMost('p99 at c=1 with a shadow vs without', med('shadowed', 'p99ms') / med('plain', 'p99ms'), 1.25, '×');
  t.atLeast('throughput at c=1 with a shadow vs without', (100 * med('shadowed', 'rps')) / med('plain', 'rps'), 80, '%', 0);
  t.report();
}

session.run(main);
