/**
 * Pipeline benchmark: deciding that a 200-stage pipeline is fully cached (target ≤ 200 ms), against
 * `sha256sum` of the same dep and out files in the same run (what re-hashing everything would cost).
 * Each stage reads its own 256 KiB input and the previous stage's out, so the DAG is 200 deep.
 * Measured in-process (the runner as `mlops run` calls it) and as a whole `mlops run` process.
 * Usage: npx tsx bench/pipelines.bench.ts [--stages N]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../shared/src/mlops-yaml';
import { runPipeline } from '../shared/src/pipelines/runner';
import { ObjectStore } from '../shared/src/objects';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const STAGES = arg('stages', 200);
const TARGET_MS = 200;
const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

function makeProject(dir: string): string[] {
  mkdirSync(join(dir, 'in'));
  mkdirSync(join(dir, 'out'));
  const lines = ['version: 1', 'project: {name: bench}', 'params: {p: {n: 1}}', 'pipeline:', '  stages:'];
  const files: string[] = [];
  for (let i = 0; i < STAGES; i++) {
    const input = `in/${i}.dat`;
    writeFileSync(join(dir, input), Buffer.alloc(256 * 1024, i % 251));
    const deps = i ? [input, `out/${i - 1}.txt`] : [input];
    lines.push(`    s${i}:`, `      cmd: echo ${i} > out/${i}.txt`, `      deps: [${deps.join(', ')}]`, '      params: [p.n]', `      outs: [out/${i}.txt]`);
    files.push(join(dir, input), join(dir, `out/${i}.txt`));
  }
  writeFileSync(join(dir, 'mlops.yaml'), lines.join('\n') + '\n');
  return files;
}

const cpu: number[] = [];

/** Loads the config and decides, as `mlops run` does after starting; records wall and CPU time. */
async function decide(dir: string): Promise<number> {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const cfg = loadConfig(dir);
  if (!cfg.ok) throw new Error('bench config invalid');
  const r = await runPipeline({ root: dir, stateDir: join(dir, '.mlops'), config: cfg.config, objects: new ObjectStore(join(dir, '.mlops', 'objects')), stages: [], force: false, dryRun: false, echo: () => undefined });
  const took = ms(t0);
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1000);
  if (r.wroteLock || r.results.some((x) => x.status !== 'cached')) throw new Error('the pipeline was not fully cached');
  return took;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-bench-pipe-'));
  try {
    const files = makeProject(dir);
    const cfg = loadConfig(dir);
    if (!cfg.ok) throw new Error('bench config invalid');
    let t0 = process.hrtime.bigint();
    await runPipeline({ root: dir, stateDir: join(dir, '.mlops'), config: cfg.config, objects: new ObjectStore(join(dir, '.mlops', 'objects')), stages: [], force: false, dryRun: false, echo: () => undefined });
    const firstMs = ms(t0);
    const ours: number[] = [];
    for (let i = 0; i < 7; i++) ours.push(await decide(dir));
    const ref: number[] = [];
    for (let i = 0; i < 7; i++) {
      t0 = process.hrtime.bigint();
      const r = spawnSync('sha256sum', files, { maxBuffer: 64 << 20 });
      ref.push(ms(t0));
      if (r.status !== 0) throw new Error('sha256sum failed');
    }
    const cli: number[] = [];
    for (let i = 0; i < 3; i++) {
      t0 = process.hrtime.bigint();
      const r = spawnSync(process.execPath, [join(__dirname, '..', 'dist', 'cli.js'), 'run', '--json'], { cwd: dir, env: { ...process.env, MLOPS_ROOT: dir } });
      cli.push(ms(t0));
      if (r.status !== 0) throw new Error(`mlops run failed: ${r.stderr.toString()}`);
    }
    const m = median(ours);
    console.log('| benchmark | size | ours (median of 7) | reference (same run) | ratio |');
    console.log('| --- | --- | --- | --- | --- |');
    console.log(`| fully cached decision (in-process) | ${STAGES} stages, ${files.length} files, ${(STAGES / 4).toFixed(0)} MiB | ${m.toFixed(1)} ms wall, ${median(cpu).toFixed(1)} ms CPU (config load included) | sha256sum of the same files: ${median(ref).toFixed(1)} ms | ${(median(ref) / m).toFixed(1)}× faster (target ≤ ${TARGET_MS} ms) |`);
    console.log(`| \`mlops run\` as a process, fully cached | same | ${median(cli).toFixed(0)} ms (median of 3, node start included) | first run, ${STAGES} processes: ${firstMs.toFixed(0)} ms | - |`);
    if (m > TARGET_MS) {
      console.log(`MISSED: ${m.toFixed(1)} ms > ${TARGET_MS} ms`);
      process.exitCode = 1;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
