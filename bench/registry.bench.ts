/**
 * Registry benchmark: listing 1,000 model summaries (paged) and one model with 1,000 versions, against
 * a running daemon over HTTP and in-process through `Registry`. Target: ≤ 50 ms each, daemon side;
 * one model's 1,000 versions also as a ratio to a raw SELECT of the same rows in the same run
 * (≤ 5× in one page, ≤ 8× in pages of 100), which holds on a loaded machine where 50 ms may not.
 * Run: npx tsx bench/registry.bench.ts [--quick]
 * Ratios are against references measured in the same run over the same store: a raw `SELECT *` of the
 * same rows and `JSON.stringify` of the same payload.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { getModelResponse } from '../schemas/src/api';
import { EventLog } from '../daemon/src/events/event-log';
import { Registry, type NewVersion } from '../daemon/src/registry/registry';
import { openStore } from '../daemon/src/store/db';
import { configYaml, startDaemon, tempProject } from '../test/helpers';
import { Targets } from './targets';

const quick = process.argv.includes('--quick');
const MODELS = 1000;
const VERSIONS = 1000;
const RUNS = quick ? 5 : 30;
const TARGET_MS = 50;

const signature = {
  inputs: [{ name: 'features', type: 'float', shape: ['N', 20] as (string | number | null)[] }],
  outputs: [
    { name: 'probability', type: 'float', shape: ['N', 1] as (string | number | null)[] },
    { name: 'label', type: 'int64', shape: ['N', 1] as (string | number | null)[] },
  ],
  features: Array.from({ length: 20 }, (_, i) => ({ name: `f${i}`, type: 'float' })),
};

const version = (i: number): NewVersion => ({
  sha256: i.toString(16).padStart(64, '0'),
  size: 4096,
  signature,
  description: `version ${i}`,
  tags: { owner: 'bench', seed: String(i) },
  metrics: { auc: 0.8 + (i % 100) / 1000, logloss: 0.4 },
  runId: null,
});

/** 1,000 models with 3 versions each (Production, Staging, an alias) plus "big" with 1,000 versions. */
function seed(dbFile: string): void {
  const db = openStore(dbFile);
  const reg = new Registry(db, new EventLog(db));
  for (let m = 0; m < MODELS; m++) {
    const name = `model-${String(m).padStart(4, '0')}`;
    for (let v = 1; v <= 3; v++) reg.register(name, version(m * 10 + v), 100, 'bench');
    reg.setStage(name, 1, 'Production', '', 'bench');
    reg.setStage(name, 2, 'Staging', '', 'bench');
    reg.setAlias(name, 'champion', 1, '', 'bench');
  }
  for (let v = 1; v <= VERSIONS; v++) reg.register('big', version(100_000 + v), 100_000, 'bench');
  reg.setStage('big', VERSIONS, 'Production', '', 'bench');
  db.close();
}

async function median(f: () => unknown | Promise<unknown>): Promise<number> {
  for (let i = 0; i < 3; i++) await f();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    await f();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? NaN;
}

/** One GET, body read in full (not parsed: the daemon's side is what is measured). */
function get(port: number, token: string, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: `/api/v1${path}`, headers: { Authorization: `Bearer ${token}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString()) : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

async function pagedList(port: number, token: string, pageSize: number): Promise<number> {
  let count = 0;
  let cursor: string | null = '';
  while (cursor !== null) {
    const page = JSON.parse(await get(port, token, `/models?limit=${pageSize}${cursor ? `&cursor=${cursor}` : ''}`)) as {
      models: unknown[];
      next_cursor: string | null;
    };
    count += page.models.length;
    cursor = page.next_cursor;
  }
  return count;
}

interface Row {
  what: string;
  ms: number;
  /** Counts against the ≤ 50 ms target. */
  target: boolean;
  /** Most this may cost as a multiple of the raw SELECT of the same rows. */
  maxRatio?: number;
  /** Reference measured on the same rows: raw SELECT, and JSON.stringify of the same payload. */
  select: number;
  json: number;
}

async function pagedVersions(port: number, token: string, pageSize: number): Promise<number> {
  let count = 0;
  let cursor: string | null = '';
  while (cursor !== null) {
    const page = JSON.parse(await get(port, token, `/models/big?limit=${pageSize}${cursor ? `&cursor=${cursor}` : ''}`)) as {
      versions: unknown[];
      next_cursor: string | null;
    };
    count += page.versions.length;
    cursor = page.next_cursor;
  }
  return count;
}

function printTable(rows: Row[], zodMs: number): void {
  console.log(`| measurement | median ms | target ≤ ${TARGET_MS} ms | ÷ raw SELECT | ÷ JSON.stringify |`);
  console.log('|---|---:|:---:|---:|---:|');
  for (const r of rows) {
    const verdict = r.target ? (r.ms <= TARGET_MS ? 'pass' : '**FAIL**') : '';
    console.log(`| ${r.what} | ${r.ms.toFixed(2)} | ${verdict} | ${(r.ms / r.select).toFixed(1)}× | ${(r.ms / r.json).toFixed(1)}× |`);
  }
  console.log(`\nDiagnostic: zod getModelResponse.parse of the 1000-version payload alone takes ${zodMs.toFixed(2)} ms (the daemon validates every response).`);
}

function checkTargets(rows: Row[]): void {
  const targets = new Targets();
  for (const r of rows) {
    if (r.target) targets.atMost(r.what, r.ms, TARGET_MS, 'ms');
    if (r.maxRatio) targets.atMost(`${r.what}, ÷ raw SELECT`, r.ms / r.select, r.maxRatio, '×', 1);
  }
  targets.report();
}

async function main(): Promise<void> {
  const project = tempProject({ config: configYaml({ keepVersions: 100_000 }) });
  const t0 = Date.now();
  const dbFile = join(project.stateDir, 'mlops.db');
  mkdirSync(project.stateDir, { recursive: true });
  seed(dbFile);
  const seedS = (Date.now() - t0) / 1000;
  const daemon = await startDaemon(project.root);
  const { port, token } = daemon.info;
  try {
    const raw = new Database(dbFile, { readonly: true });
    const db = openStore(dbFile, { readonly: true });
    const reg = new Registry(db, new EventLog(db));
    const bigId = (raw.prepare("SELECT id FROM models WHERE name = 'big'").get() as { id: number }).id;
    const selectModels = raw.prepare('SELECT * FROM models');
    const selectVersions = raw.prepare('SELECT * FROM model_versions WHERE model_id = ?');
    const listPayload = { models: reg.listModels(1001).items, next_cursor: null };
    const bigPayload = reg.getModel('big', VERSIONS);

    const listedCount = await pagedList(port, token, 100);
    if (listedCount !== MODELS + 1) throw new Error(`paged listing saw ${listedCount} models, expected ${MODELS + 1}`);
    const refSelectModels = await median(() => selectModels.all());
    const refSelectVersions = await median(() => selectVersions.all(bigId));
    const refListJson = await median(() => JSON.stringify(listPayload));
    const refBigJson = await median(() => JSON.stringify(bigPayload));

    const versionsSeen = await pagedVersions(port, token, 100);
    if (versionsSeen !== VERSIONS) throw new Error(`paged versions saw ${versionsSeen}, expected ${VERSIONS}`);
    const list = { select: refSelectModels, json: refListJson };
    const big = { select: refSelectVersions, json: refBigJson };
    const rows: Row[] = [
      { what: `HTTP list ${MODELS + 1} summaries, pages of 100`, ms: await median(() => pagedList(port, token, 100)), target: true, ...list },
      { what: `HTTP list ${MODELS + 1} summaries, one page of 1000`, ms: await median(() => get(port, token, '/models?limit=1000')), target: true, ...list },
      { what: `HTTP one model, first page of 100 versions`, ms: await median(() => get(port, token, '/models/big?limit=100')), target: true, ...big },
      { what: `HTTP one model, ${VERSIONS} versions in pages of 100`, ms: await median(() => pagedVersions(port, token, 100)), target: true, maxRatio: 8, ...big },
      { what: `HTTP one model, ${VERSIONS} versions in one page`, ms: await median(() => get(port, token, `/models/big?limit=${VERSIONS}`)), target: true, maxRatio: 5, ...big },
      { what: `in-process Registry.listModels(1000)`, ms: await median(() => reg.listModels(1000)), target: true, ...list },
      { what: `in-process Registry.getModel(big, ${VERSIONS})`, ms: await median(() => reg.getModel('big', VERSIONS)), target: true, ...big },
    ];
    const zodMs = await median(() => getModelResponse.parse({ model: bigPayload.model, versions: bigPayload.items, next_cursor: null }));
    raw.close();
    db.close();
    const bytes = (await get(port, token, '/models?limit=1000')).length;
    const bigBytes = (await get(port, token, `/models/big?limit=${VERSIONS}`)).length;
    console.log(`\nRegistry benchmark (${RUNS} runs each, median; store seeded in ${seedS.toFixed(1)} s; node ${process.version})`);
    console.log(`Payloads: 1000 summaries = ${(bytes / 1024).toFixed(0)} KiB, 1000 versions = ${(bigBytes / 1024).toFixed(0)} KiB\n`);
    console.log(`References: raw SELECT * FROM models ${refSelectModels.toFixed(2)} ms, JSON.stringify(1000 summaries) ${refListJson.toFixed(2)} ms,`);
    console.log(`raw SELECT * FROM model_versions (1000 rows) ${refSelectVersions.toFixed(2)} ms, JSON.stringify(1000 versions) ${refBigJson.toFixed(2)} ms\n`);
    printTable(rows, zodMs);
    checkTargets(rows);
  } finally {
    await daemon.stop();
    await project.cleanup();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
