/**
 * MLflow compatibility benchmark, against a running daemon over HTTP:
 * - `runs/search` over 10,000 runs with a metric filter (`metrics.rmse < 0.05`, 100 per page):
 *   target ≤ 100 ms (MLflow's own SQLite store needs about 450 ms for SearchRuns by FastTrackML's
 *   published figures), and as a ratio to our native `GET /runs` page of 100 in the same run (≤ 3×).
 * - `runs/log-batch` of 1,000 metrics against our native columnar batch of the same 1,000 points,
 *   interleaved in the same run: ≤ 3× (MLflow's JSON rows against parallel arrays).
 * Run: npx tsx bench/mlflow.bench.ts [--quick]
 */
import { mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { listRuns, logMetricBatch } from '../schemas/src/endpoints';
import { EventLog } from '../daemon/src/events/event-log';
import { Runs } from '../daemon/src/tracking/runs';
import { openStore } from '../daemon/src/store/db';
import { configYaml, startDaemon, tempProject } from '../test/helpers';
import { Targets } from './targets';

const quick = process.argv.includes('--quick');
const RUNS = quick ? 2_000 : 10_000;
const REPS = quick ? 7 : 25;

function seed(dbFile: string): void {
  const db = openStore(dbFile);
  const runs = new Runs(db, new EventLog(db));
  const git = { commit: null, branch: null, dirty: false, diff_sha256: null };
  for (let i = 0; i < RUNS; i++) {
    const r = runs.create({ experiment: 'sweep', name: `r${i}`, command: [], environment: {}, tags: {}, datasets: [], params: { depth: i % 10 } }, git, 'bench');
    runs.logMetricBatch(r.id, { keys: ['rmse', 'mae'], steps: [0, 0], timestamps: [Date.now(), Date.now()], values: [(i % 1000) / 1000, (i % 500) / 500] });
  }
  runs.flushMetricEvents();
  db.close();
}

function post(port: number, token: string, path: string, body: unknown, method = 'POST'): Promise<{ ms: number; status: number; text: string }> {
  const data = body === undefined ? undefined : JSON.stringify(body);
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method, headers: { Authorization: `Bearer ${token}`, ...(data ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } : {}) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ ms: performance.now() - t0, status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const project = tempProject({ config: configYaml() });
  try {
    const t = performance.now();
    mkdirSync(project.stateDir, { recursive: true, mode: 0o700 });
    seed(join(project.stateDir, 'mlops.db'));
    console.log(`seeded ${RUNS} runs with 2 metrics each in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const d = await startDaemon(project.root);
    const { port, token } = d.info;
    const exp = JSON.parse((await post(port, token, '/api/2.0/mlflow/experiments/get-by-name?experiment_name=sweep', undefined, 'GET')).text) as { experiment: { experiment_id: string } };
    const searchBody = { experiment_ids: [exp.experiment.experiment_id], filter: 'metrics.rmse < 0.05', order_by: ['metrics.rmse ASC'], max_results: 100 };
    const first = await post(port, token, '/api/2.0/mlflow/runs/search', searchBody);
    if (first.status !== 200) throw new Error(`runs/search: ${first.status} ${first.text}`);
    const found = (JSON.parse(first.text) as { runs?: unknown[] }).runs?.length ?? 0;
    const search: number[] = [];
    const native: number[] = [];
    for (let i = 0; i < REPS; i++) {
      search.push((await post(port, token, '/api/2.0/mlflow/runs/search', searchBody)).ms);
      const path = `/api/v1${listRuns.path}?experiment=sweep&limit=100`;
      native.push((await post(port, token, path, undefined, 'GET')).ms);
    }
    const run = (JSON.parse((await post(port, token, '/api/2.0/mlflow/runs/create', { experiment_id: exp.experiment.experiment_id })).text) as { run: { info: { run_id: string } } }).run.info.run_id;
    const now = Date.now();
    const rows = Array.from({ length: 1000 }, (_, i) => ({ key: `m${i % 20}`, value: i / 1000, timestamp: now, step: Math.floor(i / 20) }));
    const columns = { keys: rows.map((r) => r.key), steps: rows.map((r) => r.step), timestamps: rows.map((r) => r.timestamp), values: rows.map((r) => r.value) };
    const batch: number[] = [];
    const columnar: number[] = [];
    for (let i = 0; i < REPS; i++) {
      const a = await post(port, token, '/api/2.0/mlflow/runs/log-batch', { run_id: run, metrics: rows });
      if (a.status !== 200) throw new Error(`log-batch: ${a.status} ${a.text}`);
      batch.push(a.ms);
      const b = await post(port, token, `/api/v1${logMetricBatch.path.replace(':id', run)}`, columns);
      if (b.status >= 300) throw new Error(`native batch: ${b.status} ${b.text}`);
      columnar.push(b.ms);
    }
    await d.stop();
    console.log(`\n| measurement (median of ${REPS}) | ms |\n|---|---:|`);
    console.log(`| runs/search over ${RUNS} runs, metric filter, ${found} of 100 per page | ${median(search).toFixed(2)} |`);
    console.log(`| native GET /runs, page of 100 (reference) | ${median(native).toFixed(2)} |`);
    console.log(`| runs/log-batch, 1,000 metrics | ${median(batch).toFixed(2)} |`);
    console.log(`| native columnar batch, 1,000 points (reference) | ${median(columnar).toFixed(2)} |\n`);
    const targets = new Targets();
    targets.atMost(`runs/search over ${RUNS} runs with a metric filter`, median(search), 100, 'ms');
    targets.atMost('the same as a ratio to the native page of 100', median(search) / median(native), 3, '×');
    targets.atMost('runs/log-batch of 1,000 metrics as a ratio to the native columnar batch', median(batch) / median(columnar), 3, '×');
    targets.report();
  } finally {
    project.cleanup();
  }
}

void main();
