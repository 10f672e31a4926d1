/**
 * Tracking and data-versioning benchmarks, each printed as a ratio against a reference measured in
 * the same run:
 *  1. metric ingestion through the daemon's columnar batch API vs raw better-sqlite3 inserts in one
 *     transaction (targets: ≥ 200k points/s, within 3× of raw);
 *  2. dataset hashing throughput vs `sha256sum` on the same files (target ≥ 80 %);
 *  3. re-snapshot of 100,000 unchanged files (target ≤ 1 s);
 *  4. the daemon's longest event-loop stall (perf_hooks.monitorEventLoopDelay, daemon in this
 *     process) while it ingests one million-point batch, as a share of the batch's time: body parsed
 *     on the body worker (dist/body-worker.js, as shipped) against parsed in line (as before), in
 *     the same run (target: ≤ 10 % of the batch's time with the worker).
 * Usage: npm run build && npx tsx bench/tracking.bench.ts [--points N] [--files N] [--only stall]
 */
import { spawn, spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DaemonClient } from '../client/src/client';
import { daemonInfoSchema } from '../schemas/src/api';
import { Datasets } from '../daemon/src/datasets/datasets';
import { hashFile } from '../shared/src/objects';
import { EventLog } from '../daemon/src/events/event-log';
import { openStore } from '../daemon/src/store/db';
import { ObjectStore } from '../shared/src/objects';
import { mlopsConfigSchema } from '../schemas/src/mlops-yaml';
import * as endpoints from '../schemas/src/endpoints';
import { Targets } from './targets';
import { DaemonApp } from '../daemon/src/app';
import { createLogger } from '../daemon/src/util/logger';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const POINTS = arg('points', 1_000_000);
const FILES = arg('files', 100_000);
const BATCH = 20_000;
const rows: string[][] = [];
const targets = new Targets();
const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;

function batches(n: number): { keys: string[]; steps: number[]; timestamps: number[]; values: number[] }[] {
  const out = [];
  for (let start = 0; start < n; start += BATCH) {
    const len = Math.min(BATCH, n - start);
    const steps = Array.from({ length: len }, (_, i) => start + i);
    out.push({ keys: steps.map((s) => `m${s % 4}`), steps, timestamps: steps.map((s) => 1.7e12 + s), values: steps.map((s) => Math.sin(s)) });
  }
  return out;
}

async function startDaemon(root: string): Promise<{ client: DaemonClient; stop(): void }> {
  const proc = spawn(process.execPath, [join(__dirname, '..', 'dist', 'daemon.js'), '--root', root], { stdio: 'ignore' });
  for (let i = 0; i < 200; i++) {
    await new Promise((r) => setTimeout(r, 50));
    try {
      const info = daemonInfoSchema.parse(JSON.parse(readFileSync(join(root, '.mlops', 'daemon.json'), 'utf8')));
      const client = new DaemonClient({ port: info.port, token: info.token }, 'bench');
      await client.request(endpoints.getStatus);
      return { client, stop: () => proc.kill('SIGTERM') };
    } catch {
      // not up yet
    }
  }
  throw new Error('daemon did not start');
}

async function benchIngestion(dir: string): Promise<void> {
  const data = batches(POINTS);
  const raw = openStore(join(dir, 'raw.db'));
  raw.prepare("INSERT INTO experiments (id, name, created_at) VALUES (1, 'e', 'now')").run();
  raw.prepare("INSERT INTO runs (id, seq, experiment_id, name, status, start_time, command, environment) VALUES ('r', 1, 1, 'r', 'running', 'now', '[]', '{}')").run();
  const ins = raw.prepare('INSERT INTO run_metrics (run_id, key, step, timestamp, value) VALUES (?, ?, ?, ?, ?)');
  let t0 = process.hrtime.bigint();
  raw.transaction(() => {
    for (const b of data) for (let i = 0; i < b.keys.length; i++) ins.run('r', b.keys[i], b.steps[i], b.timestamps[i], b.values[i]);
  })();
  const rawMs = ms(t0);
  raw.close();
  const proj = join(dir, 'proj');
  mkdirSync(proj);
  writeFileSync(join(proj, 'mlops.yaml'), 'version: 1\nproject:\n  name: bench\n');
  const d = await startDaemon(proj);
  const run = await d.client.request(endpoints.createRun, { body: { experiment: 'bench' } });
  t0 = process.hrtime.bigint();
  for (const b of data) await d.client.request(endpoints.logMetricBatch, { params: { id: run.id }, body: b });
  const apiMs = ms(t0);
  d.stop();
  const rate = (POINTS / apiMs) * 1000;
  targets.atLeast('metric ingestion rate', rate / 1000, 200, 'k points/s', 0);
  targets.atMost('metric ingestion ÷ raw inserts in one transaction', apiMs / rawMs, 3, '×');
  rows.push(['metric ingestion, HTTP columnar batches of 20k', `${POINTS.toLocaleString()} points`, `${apiMs.toFixed(0)} ms (${Math.round(rate).toLocaleString()} points/s)`, `raw inserts, one transaction: ${rawMs.toFixed(0)} ms`, `${(apiMs / rawMs).toFixed(2)}× raw (target ≤ 3×, ≥ 200k/s)`]);
}

async function benchHashing(dir: string): Promise<void> {
  const files: string[] = [];
  const chunk = Buffer.alloc(32 << 20);
  for (let i = 0; i < chunk.length; i += 4) chunk.writeUInt32LE((i * 2654435761) >>> 0, i);
  for (let i = 0; i < 8; i++) {
    const f = join(dir, `blob${i}.bin`);
    chunk.writeUInt32LE(i, 0);
    writeFileSync(f, chunk);
    files.push(f);
  }
  const bytes = files.length * chunk.length;
  spawnSync('sha256sum', files);
  let t0 = process.hrtime.bigint();
  spawnSync('sha256sum', files);
  const refMs = ms(t0);
  t0 = process.hrtime.bigint();
  for (const f of files) await hashFile(f);
  const ourMs = ms(t0);
  const mbs = (x: number): string => `${((bytes / 2 ** 20 / x) * 1000).toFixed(0)} MiB/s`;
  targets.atLeast('hashing throughput, % of sha256sum', (refMs / ourMs) * 100, 80, '%', 0);
  rows.push(['dataset hashing (streamed sha256)', `${bytes / 2 ** 20} MiB in 8 files`, `${ourMs.toFixed(0)} ms (${mbs(ourMs)})`, `sha256sum: ${refMs.toFixed(0)} ms (${mbs(refMs)})`, `${((refMs / ourMs) * 100).toFixed(0)} % of sha256sum (target ≥ 80 %)`]);
}

async function benchRescan(dir: string): Promise<void> {
  const root = join(dir, 'many');
  for (let i = 0; i < FILES; i++) {
    const sub = join(root, 'data', `d${Math.floor(i / 1000)}`);
    if (i % 1000 === 0) mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `f${i}.csv`), `id,v\n${i},${i * 2}\n`);
  }
  mkdirSync(join(root, '.mlops'), { recursive: true });
  const db = openStore(join(root, '.mlops', 'mlops.db'));
  const events = new EventLog(db);
  const cfg = mlopsConfigSchema.parse({ project: { name: 'many' }, data: { many: { paths: ['data/**/*.csv'], watch: false } } });
  const ds = new Datasets(db, events, new ObjectStore(join(root, '.mlops', 'objects')), root, () => cfg);
  let t0 = process.hrtime.bigint();
  await ds.snapshot('many', 'bench', 'bench');
  const firstMs = ms(t0);
  t0 = process.hrtime.bigint();
  const again = await ds.snapshot('many', 'bench', 'bench');
  const rescanMs = ms(t0);
  db.close();
  if (again.created || again.hashedFiles) throw new Error('rescan re-read files');
  targets.atMost(`re-snapshot of ${FILES.toLocaleString()} unchanged files`, rescanMs, 1000, 'ms', 0);
  rows.push([`re-snapshot of unchanged files (stat cache)`, `${FILES.toLocaleString()} files`, `${rescanMs.toFixed(0)} ms`, `first snapshot (read + store): ${firstMs.toFixed(0)} ms`, `${(firstMs / rescanMs).toFixed(1)}× faster than the first (target ≤ 1,000 ms)`]);
}

function postRaw(port: number, token: string, path: string, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Content-Length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** One batch of `POINTS` into an in-process daemon; the longest event-loop stall and the batch's time. */
async function stallDuring(dir: string, workerScript: string, body: Buffer): Promise<{ stallMs: number; totalMs: number }> {
  process.env['MLOPS_BODY_WORKER_JS'] = workerScript;
  mkdirSync(dir);
  writeFileSync(join(dir, 'mlops.yaml'), 'version: 1\nproject:\n  name: stall\n');
  const app = new DaemonApp({ root: dir, token: 'bench', log: createLogger('warn') });
  const port = await app.listen(0);
  try {
    const run = await new DaemonClient({ port, token: 'bench' }, 'bench').request(endpoints.createRun, { body: { experiment: 'stall' } });
    const h = monitorEventLoopDelay({ resolution: 5 });
    h.enable();
    const t0 = process.hrtime.bigint();
    const status = await postRaw(port, 'bench', `/api/v1/runs/${run.id}/metrics/batch`, body);
    const totalMs = ms(t0);
    h.disable();
    if (status !== 200) throw new Error(`the batch was answered ${status}`);
    return { stallMs: h.max / 1e6, totalMs };
  } finally {
    await app.close();
  }
}

async function benchStall(dir: string): Promise<void> {
  const worker = join(__dirname, '..', 'dist', 'body-worker.js');
  if (!existsSync(worker)) throw new Error(`${worker} is missing: run npm run build first`);
  const steps = Array.from({ length: Math.min(POINTS, 1_000_000) }, (_, i) => i);
  const one = { keys: steps.map((s) => `m${s % 4}`), steps, timestamps: steps.map((s) => 1.7e12 + s), values: steps.map((s) => Math.sin(s)) };
  const body = Buffer.from(JSON.stringify(one));
  const inline = await stallDuring(join(dir, 'stall-inline'), join(dir, 'no-worker.js'), body);
  const off = await stallDuring(join(dir, 'stall-worker'), worker, body);
  const share = (r: { stallMs: number; totalMs: number }): string => `${((r.stallMs / r.totalMs) * 100).toFixed(1)} %`;
  targets.atMost('longest event-loop stall ÷ batch time, body worker', (off.stallMs / off.totalMs) * 100, 10, '%', 1);
  rows.push([
    'event-loop stall while ingesting one batch (monitorEventLoopDelay)',
    `${one.keys.length.toLocaleString()} points, ${(body.length / 2 ** 20).toFixed(0)} MiB`,
    `body worker: longest stall ${off.stallMs.toFixed(0)} ms of ${off.totalMs.toFixed(0)} ms (${share(off)})`,
    `parsed in line (before): ${inline.stallMs.toFixed(0)} ms of ${inline.totalMs.toFixed(0)} ms (${share(inline)})`,
    `${(inline.stallMs / off.stallMs).toFixed(1)}× shorter stall (target ≤ 10 % of the batch)`,
  ]);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-bench-tracking-'));
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
  try {
    if (!only || only === 'ingestion') await benchIngestion(dir);
    if (!only || only === 'hashing') await benchHashing(dir);
    if (!only || only === 'rescan') await benchRescan(dir);
    if (!only || only === 'stall') await benchStall(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log('| benchmark | size | ours | reference (same run) | ratio |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  targets.report();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
