/**
 * Drift benchmark: 50 numeric features, 10^6 reference rows (profile cached) vs 10^5 current rows.
 * Run: npx tsx bench/drift.bench.ts [--quick]
 * Prints a markdown table with ratios against references measured in the same run: an uncached
 * comparison (reference sorted again per window) and, when Debian's /usr/bin/python3 has scipy,
 * scipy.stats.ks_2samp and a numpy PSI on the same data. The end-to-end report (read the current
 * CSV, then KS) has a 2 s target, stated also as a ratio to a reference in the same run: no slower
 * than csv-parse merely splitting the same file into strings (no numbers, no statistics), and the
 * read alone at most half of that. A raw read of the file's bytes is shown beside them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { compareWindow, numericColumn, prepareReference, readCsv, type Column } from '../shared/src/drift/index';
import { bell } from './harness';
import { Targets } from './targets';

const quick = process.argv.includes('--quick');
const FEATURES = quick ? 10 : 50;
const REF_ROWS = quick ? 100_000 : 1_000_000;
const CUR_ROWS = quick ? 10_000 : 100_000;

const makeColumn = (name: string, n: number, seed: number, shift: number): Column => numericColumn(name, bell(n, seed, shift));

function time<T>(f: () => T): [T, number] {
  const t0 = process.hrtime.bigint();
  const r = f();
  return [r, Number(process.hrtime.bigint() - t0) / 1e9];
}

function median(f: () => void, runs: number): number {
  const ts = Array.from({ length: runs }, () => time(f)[1]).sort((a, b) => a - b);
  return ts[Math.floor(runs / 2)] as number;
}

const ref = Array.from({ length: FEATURES }, (_, i) => makeColumn(`f${i}`, REF_ROWS, 1000 + i, 0));
const cur = Array.from({ length: FEATURES }, (_, i) => makeColumn(`f${i}`, CUR_ROWS, 5000 + i, i % 5 === 0 ? 0.02 : 0));
const [profile, tPrepare] = time(() => prepareReference(ref));
const rows: [string, number, string][] = [];
const targets = new Targets();
const tKs = median(() => compareWindow(profile, cur, { test: 'ks' }), 3);
rows.push([`KS, ${FEATURES} features, reference cached`, tKs, 'target ≤ 2 s']);
targets.atMost(`KS, ${FEATURES} features, reference cached`, tKs, 2, 's');
const tPsi = median(() => compareWindow(profile, cur, { test: 'psi' }), 3);
rows.push([`PSI, ${FEATURES} features, reference cached`, tPsi, '']);
const tW = median(() => compareWindow(profile, cur, { test: 'wasserstein' }), 3);
rows.push([`Wasserstein, ${FEATURES} features, reference cached`, tW, '']);
const tUncached = median(() => compareWindow(prepareReference(ref), cur, { test: 'ks' }), 1);
rows.push([`KS, reference profiled again (uncached)`, tUncached, '']);
rows.push([`reference profile build (once per dataset version)`, tPrepare, '']);

const dir = mkdtempSync(join(tmpdir(), 'drift-bench-'));
try {
  const csv = join(dir, 'current.csv');
  const lines = [cur.map((c) => c.name).join(',')];
  for (let r = 0; r < CUR_ROWS; r++) lines.push(cur.map((c) => (c.kind === 'numeric' ? c.values[r] : 0)).join(','));
  writeFileSync(csv, lines.join('\n') + '\n');
  const tCsv = median(() => compareWindow(profile, readCsv(csv).columns, { test: 'ks' }), 3);
  rows.push([`current CSV read + KS report (end to end, reference cached)`, tCsv, 'target ≤ 2 s']);
  const tRead = median(() => readCsv(csv), 3);
  rows.push([`current CSV read alone (${FEATURES} numeric columns)`, tRead, '']);
  const tRaw = median(() => readFileSync(csv), 3);
  rows.push([`reference: raw read of the file's bytes`, tRaw, 'reference']);
  const tParse = median(() => parse(readFileSync(csv)), 1);
  rows.push([`reference: csv-parse into strings, no numbers`, tParse, 'reference']);
  targets.atMost('end-to-end report (read + KS)', tCsv, 2, 's');
  targets.atMost('end-to-end report ÷ csv-parse splitting the same file', tCsv / tParse, 1, '×');
  targets.atMost('CSV read alone ÷ csv-parse splitting the same file', tRead / tParse, 0.5, '×');
  scipyReference(dir, rows);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function scipyReference(tmp: string, out: [string, number, string][]): void {
  const py = '/usr/bin/python3';
  if (!existsSync(py)) return;
  const r0 = ref[0];
  const c0 = cur[0];
  if (r0?.kind !== 'numeric' || c0?.kind !== 'numeric') return;
  writeFileSync(join(tmp, 'r.f64'), r0.values);
  writeFileSync(join(tmp, 'c.f64'), c0.values);
  const script = `
import sys, time, numpy as np
from scipy import stats
r = np.fromfile(sys.argv[1]); c = np.fromfile(sys.argv[2])
t = time.perf_counter(); stats.ks_2samp(r, c); ks = time.perf_counter() - t
t = time.perf_counter()
e = np.unique(np.quantile(r, np.arange(1, 10) / 10))
def p(x):
    q = np.bincount(np.searchsorted(e, x), minlength=len(e) + 1) / len(x)
    return np.where(q == 0, 1e-4, q)
a, b = p(r), p(c); float(np.sum((b - a) * np.log(b / a))); psi = time.perf_counter() - t
print(ks, psi)`;
  const res = spawnSync(py, ['-c', script, join(tmp, 'r.f64'), join(tmp, 'c.f64')], { encoding: 'utf8' });
  const [ks, psi] = res.stdout.trim().split(/\s+/).map(Number);
  if (!ks || !psi) return;
  out.push([`scipy ks_2samp, 1 feature (×${FEATURES} = ${(ks * FEATURES).toFixed(2)} s)`, ks * FEATURES, 'reference']);
  targets.atMost(`KS, ${FEATURES} features, cached ÷ scipy ks_2samp on the same data`, tKs / (ks * FEATURES), 0.25, '×');
  out.push([`numpy PSI incl. reference quantiles, 1 feature (×${FEATURES})`, psi * FEATURES, 'reference']);
}

const base = tKs;
console.log(`\n${FEATURES} features × ${REF_ROWS} reference rows vs ${CUR_ROWS} current rows (node ${process.version})\n`);
console.log('| case | seconds | ratio to cached KS | note |');
console.log('|---|---:|---:|---|');
for (const [name, t, note] of rows) console.log(`| ${name} | ${t.toFixed(3)} | ${(t / base).toFixed(2)}× | ${note} |`);
targets.report();
