/**
 * The Node/TypeScript tracking client (client/src/tracking.ts) against a real daemon process:
 * what it logs must arrive through the HTTP API; conflicts, a missing or unreachable daemon and
 * thrown errors must end as warnings (or a failed run), never as a rejected promise.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DAEMON_JS, ensureBuilt, startDaemon, tempProject, type RunningDaemon, type TempProject } from '../../helpers';
import { TrackingClient, params, startRun, type TrackingOptions } from '../../../client/src/tracking';
import { PARAMS_YAML } from './support';
import * as endpoints from '../../../schemas/src/endpoints';

/** Collects warnings instead of printing them. */
function collector(): { warn: (m: string) => void; messages: string[] } {
  const messages: string[] = [];
  return { warn: (m) => messages.push(m), messages };
}

/** Environment without the outer shell's MLOPS_* variables. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('MLOPS_')) env[k] = v;
  return { ...env, ...extra };
}

let project: TempProject;
let daemon: RunningDaemon;

function connect(extra: TrackingOptions = {}): { client: Promise<TrackingClient>; messages: string[] } {
  const w = collector();
  const client = TrackingClient.connect({ cwd: project.root, env: cleanEnv(), autoStart: false, warn: w.warn, ...extra });
  return { client, messages: w.messages };
}

describe('node tracking client', () => {
  before(async () => {
    project = tempProject({ config: PARAMS_YAML, prefix: 'mlops-nodetrack-' });
    daemon = await startDaemon(project.root);
  });
  after(async () => {
    await daemon?.stop();
    await project?.cleanup();
  });

  test('a run records params, tags, buffered metrics (auto-flushed at 1,000 points) and an artifact', recordsEverything);
  test('points are sent after the flush interval without an explicit flush', timedFlush);
  test('a param conflict (409) is a warning, not a rejection; the first value stays', paramConflict);
  test('wrap() ends the run failed and rethrows when the body throws', wrapFailure);
  test('inside `mlops exec` (MLOPS_RUN_ID) it joins the run and leaves its status to exec', joinsExecRun);
  test('params() reads mlops.yaml outside a run and names file:line:column when it is invalid', paramsFromYaml);
});

describe('node tracking client without a daemon', () => {
  test('no daemon and no auto-start: one warning, every call resolves and does nothing', noDaemon);
  test('outside any project: one warning naming the folder', noProject);
  test('an unreachable daemon: one warning, nothing rejects', unreachable);
  test('auto-start: a project without a running daemon gets one', autoStart);
});

async function recordsEverything(): Promise<void> {
  const { client: pending, messages } = connect();
  const client = await pending;
  assert.equal(client.enabled, true);
  const run = await client.startRun({ experiment: 'nodeexp', name: 'first', tags: { team: 'ml' }, params: { seed: 1 } });
  assert.ok(run.id);
  await run.logParams({ lr: 0.1, layers: [64, 32], opt: 'adam', big: 10n });
  for (let i = 0; i < 1000; i++) run.logMetric('loss', 1 / (i + 1));
  // The 1,000th point triggered a flush without any explicit call.
  await waitFor(async () => (await daemon.client.request(endpoints.getMetricSeries, { params: { id: run.id ?? '' }, query: { key: 'loss' } })).series[0]?.values.length === 1000);
  for (let i = 1000; i < 1500; i++) run.logMetric('loss', 1 / (i + 1));
  run.logMetrics({ acc: 0.5, f1: NaN }, 7);
  run.logMetric('bad', Infinity, 1);
  run.logMetric('bad key!', 1);
  await run.setTag('stage', 'dev');
  const file = join(project.root, 'weights.bin');
  writeFileSync(file, 'w1');
  const art = await run.logArtifact(file, 'models/weights.bin');
  assert.equal(art?.size, 2);
  await run.end();

  const detail = await daemon.client.request(endpoints.getRun, { params: { id: run.id ?? '' } });
  assert.equal(detail.status, 'finished');
  assert.equal(detail.experiment, 'nodeexp');
  assert.deepEqual(detail.params, { seed: 1, lr: 0.1, layers: '[64,32]', opt: 'adam', big: '10' });
  assert.deepEqual(detail.tags, { team: 'ml', stage: 'dev' });
  assert.equal(detail.environment.node_version, process.version);
  assert.deepEqual(detail.artifacts.map((a) => a.path), ['models/weights.bin']);
  const series = (await daemon.client.request(endpoints.getMetricSeries, { params: { id: run.id ?? '' } })).series;
  const loss = series.find((s) => s.key === 'loss');
  assert.equal(loss?.values.length, 1500);
  assert.deepEqual(loss?.steps.slice(998, 1002), [998, 999, 1000, 1001]);
  assert.deepEqual(series.find((s) => s.key === 'f1')?.values, [null]);
  assert.equal(series.find((s) => s.key === 'bad'), undefined);
  assert.equal(messages.length, 2, messages.join('\n'));
  assert.match(messages[0] ?? '', /"bad".*not a finite number/);
  assert.match(messages[1] ?? '', /"bad key!" must be/);
}

async function timedFlush(): Promise<void> {
  const { client: pending } = connect({ flushIntervalMs: 150 });
  const run = await (await pending).startRun({ experiment: 'nodeexp' });
  run.logMetric('timed', 1);
  run.logMetric('timed', 2);
  await waitFor(async () => (await daemon.client.request(endpoints.getMetricSeries, { params: { id: run.id ?? '' }, query: { key: 'timed' } })).series[0]?.values.length === 2);
  await run.end();
}

async function paramConflict(): Promise<void> {
  const { client: pending, messages } = connect();
  const run = await (await pending).startRun({ experiment: 'nodeexp' });
  await run.logParam('lr', 0.1);
  await run.logParam('lr', 0.1);
  await run.logParam('lr', 0.2);
  await run.end();
  assert.equal(messages.length, 1, messages.join('\n'));
  assert.match(messages[0] ?? '', /logParams on run .*"lr".*HTTP 409/);
  assert.equal((await daemon.client.request(endpoints.getRun, { params: { id: run.id ?? '' } })).params['lr'], 0.1);
}

async function wrapFailure(): Promise<void> {
  const { client: pending } = connect();
  const client = await pending;
  const run = await client.startRun({ experiment: 'nodeexp' });
  await assert.rejects(
    run.wrap((r) => {
      r.logMetric('x', 1);
      throw new Error('bad batch');
    }),
    /bad batch/,
  );
  const failed = await daemon.client.request(endpoints.getRun, { params: { id: run.id ?? '' } });
  assert.equal(failed.status, 'failed');
  assert.equal(failed.metrics['x'], 1);
  const ok = await client.startRun({ experiment: 'nodeexp' });
  assert.equal(await ok.wrap(() => 42), 42);
  assert.equal((await daemon.client.request(endpoints.getRun, { params: { id: ok.id ?? '' } })).status, 'finished');
}

async function joinsExecRun(): Promise<void> {
  const created = await daemon.client.request(endpoints.createRun, { body: { experiment: 'execexp' } });
  const paramsFile = join(project.root, 'node-params.json');
  writeFileSync(paramsFile, JSON.stringify({ train: { epochs: 9 } }));
  const env = cleanEnv({
    MLOPS_RUN_ID: created.id,
    MLOPS_API: daemon.client.baseUrl,
    MLOPS_TOKEN: daemon.info.token,
    MLOPS_PARAMS: paramsFile,
  });
  const w = collector();
  const run = await startRun({ cwd: tmpdir(), env, warn: w.warn, experiment: 'ignored', tags: { joined: 'yes' } });
  assert.equal(run.id, created.id);
  assert.deepEqual(params({ env }), { train: { epochs: 9 } });
  run.logMetric('exec_metric', 4);
  await run.end();
  const detail = await daemon.client.request(endpoints.getRun, { params: { id: created.id } });
  assert.equal(detail.status, 'running');
  assert.equal(detail.experiment, 'execexp');
  assert.equal(detail.tags['joined'], 'yes');
  assert.equal(detail.metrics['exec_metric'], 4);
  assert.deepEqual(w.messages, []);
}

function paramsFromYaml(): void {
  assert.deepEqual(params({ cwd: project.root, env: cleanEnv() }), {
    train: { learning_rate: 0.05, epochs: 3 },
    data: { path: 'data/train.csv' },
  });
  const bad = tempProject({ config: 'version: 1\nproject:\n  name: x\nparams: [1, 2]\n', prefix: 'mlops-badparams-' });
  try {
    assert.throws(() => params({ cwd: bad.root, env: cleanEnv() }), /mlops\.yaml:4:\d+: params/);
  } finally {
    rmSync(bad.root, { recursive: true, force: true });
  }
  assert.throws(() => params({ env: cleanEnv({ MLOPS_PARAMS: '/nonexistent/p.json' }) }), /MLOPS_PARAMS=\/nonexistent\/p\.json/);
}

async function noDaemon(): Promise<void> {
  const own = tempProject({ prefix: 'mlops-nodenod-' });
  try {
    const w = collector();
    const run = await startRun({ cwd: own.root, env: cleanEnv(), autoStart: false, warn: w.warn, experiment: 'x' });
    assert.equal(run.enabled, false);
    await run.logParams({ a: 1 });
    for (let i = 0; i < 2000; i++) run.logMetric('m', i);
    await run.setTag('k', 'v');
    assert.equal(await run.logArtifact(join(own.root, 'mlops.yaml')), undefined);
    await run.end('failed');
    assert.equal(w.messages.length, 1, w.messages.join('\n'));
    assert.match(w.messages[0] ?? '', /tracking is disabled: no daemon is running/);
  } finally {
    await own.cleanup();
  }
}

async function noProject(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-nodenoproj-'));
  try {
    const w = collector();
    const client = await TrackingClient.connect({ cwd: dir, env: cleanEnv(), warn: w.warn });
    assert.equal(client.enabled, false);
    const run = await client.startRun();
    run.logMetric('m', 1);
    await run.end();
    assert.equal(w.messages.length, 1);
    assert.match(w.messages[0] ?? '', /no MLOps project here/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function unreachable(): Promise<void> {
  const w = collector();
  const env = cleanEnv({ MLOPS_RUN_ID: 'abcdef123', MLOPS_API: 'http://127.0.0.1:9/api/v1', MLOPS_TOKEN: 'x'.repeat(64) });
  const run = await startRun({ env, warn: w.warn });
  await run.logParams({ a: 1 });
  for (let i = 0; i < 1500; i++) run.logMetric('m', i);
  await run.setTag('t', 'v');
  await run.end();
  assert.equal(w.messages.length, 1, w.messages.join('\n'));
  assert.match(w.messages[0] ?? '', /cannot reach the daemon/);
}

async function autoStart(): Promise<void> {
  ensureBuilt();
  const own = tempProject({ prefix: 'mlops-nodeauto-' });
  try {
    const w = collector();
    const client = await TrackingClient.connect({ cwd: own.root, env: cleanEnv(), daemonScript: DAEMON_JS, warn: w.warn });
    assert.equal(client.enabled, true, w.messages.join('\n'));
    const run = await client.startRun({ experiment: 'auto' });
    run.logMetric('m', 3);
    await run.end();
    const detail = await client.api?.request(endpoints.getRun, { params: { id: run.id ?? '' } });
    assert.equal(detail?.status, 'finished');
    assert.equal(detail?.metrics['m'], 3);
  } finally {
    await own.cleanup();
  }
}

async function waitFor(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  let last = '';
  while (Date.now() < end) {
    const ok = await check().catch((e: unknown) => {
      last = e instanceof Error ? e.message : String(e);
      return false;
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`condition not met within ${ms} ms${last ? `; last error: ${last}` : ''}`);
}
