/**
 * The latency gate through temporary endpoints: real serving processes (dist/serving.js) started by
 * the daemon and by the CLI without a daemon, real ONNX models (a fast one-MatMul graph, a chain of
 * 600 1024-wide MatMuls). A normal candidate passes both ways; a slow one fails through the
 * endpoint alone (`via: endpoint`); a candidate or Production whose process cannot start is exit 2
 * naming why; and every temporary process is gone afterwards: after a pass, after a failure, after
 * a start failure, on Ctrl-C of the CLI and on daemon shutdown.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as endpoints from '../../../schemas/src/endpoints';
import { checkJsonSchema } from '../../../schemas/src/gates';
import { CLI_JS, runCli, startDaemon, tempProject, type RunningDaemon, type TempProject } from '../../helpers';
import { exited, latencyConfig, servingChildrenOf, servingProcessesMarked, writeFastModel, writeSlowModel } from '../../helpers/gates';

let project: TempProject;
let daemon: RunningDaemon;
let root: string;
let clone: string;

const register = async (model: string, file: string): Promise<number> =>
  (await daemon.client.register(model, { artifact_path: join(root, 'models', file), description: '', tags: {}, metrics: {} })).version.version;
const promote = (name: string, version: number) => daemon.client.request(endpoints.setStage, { params: { name, version }, body: { stage: 'Production', reason: '', force: false } });
const cli = (args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) => runCli(args, { cwd, env, timeoutMs: 180_000 });

interface Started {
  role: string;
  port: number;
  pid: number;
}

/** Every temporary endpoint the daemon has logged starting, oldest first. */
function endpointsLogged(): Started[] {
  return [...daemon.output().matchAll(/temporary endpoint of the (candidate|Production) on 127\.0\.0\.1:(\d+) \(pid (\d+)\)/g)].map((m) => ({ role: m[1] as string, port: Number(m[2]), pid: Number(m[3]) }));
}

async function until(what: string, done: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const refused = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });

async function assertGone(started: Started[]): Promise<void> {
  assert.ok(started.length > 0, 'no temporary endpoint was logged');
  // The processes are stopped before the answer is sent; the wait only covers the kernel reaping them.
  await until('the temporary serving processes to exit', () => started.every((s) => exited(s.pid)), 15_000);
  for (const s of started) assert.ok(await refused(s.port), `port ${s.port} of the ${s.role} endpoint still accepts connections`);
  assert.deepEqual(servingChildrenOf(daemon.pid), [], 'no serving process of the daemon is left');
}

before(async () => {
  project = tempProject({ config: latencyConfig() });
  root = project.root;
  writeFastModel(join(root, 'models', 'fast-a.onnx'));
  writeFastModel(join(root, 'models', 'fast-b.onnx'));
  writeSlowModel(join(root, 'models', 'slow.onnx'));
  writeFileSync(join(root, 'models', 'broken.onnx'), 'not an ONNX model');
  daemon = await startDaemon(root);
  // A CI runner's checkout: the config and the model files, no .mlops store.
  clone = mkdtempSync(join(tmpdir(), 'gates-latency-ci-'));
  for (const f of ['mlops.yaml', 'models']) cpSync(join(root, f), join(clone, f), { recursive: true });
});

after(async () => {
  await daemon?.stop();
  await project?.cleanup();
  if (clone) rmSync(clone, { recursive: true, force: true });
});

test('through the daemon, a normal candidate passes in-process and through two temporary endpoints, which are gone afterwards', async () => {
  assert.equal(await register('scorer', 'fast-a.onnx'), 1);
  await promote('scorer', 1);
  const before = endpointsLogged().length;
  assert.equal(await register('scorer', 'fast-b.onnx'), 2);
  const r = await promote('scorer', 2);
  assert.equal(r.version.stage, 'Production');
  const runs = await daemon.client.request(endpoints.listGateRuns, { params: { name: 'scorer' } });
  const lat = runs.versions.find((v) => v.version === 2)?.last.gates[0];
  assert.equal(lat?.status, 'pass', JSON.stringify(lat));
  assert.deepEqual(lat?.measurements?.map((m) => [m.via, m.passed]), [['in_process', true], ['endpoint', true]]);
  assert.ok(lat?.measurements?.every((m) => m.production !== null && m.production > 0 && m.candidate > 0));
  const started = endpointsLogged().slice(before);
  assert.deepEqual(started.map((s) => s.role).sort(), ['Production', 'candidate']);
  assert.notEqual(started[0]?.port, started[1]?.port);
  await assertGone(endpointsLogged());
});

test('via: endpoint: a deliberately slow candidate fails through the endpoint alone, and both processes are gone after the failure', async () => {
  assert.equal(await register('edge', 'fast-a.onnx'), 1);
  await promote('edge', 1);
  assert.equal(await register('edge', 'slow.onnx'), 2);
  const before = endpointsLogged().length;
  const refusedPromotion = await cli(['models', 'promote', 'edge', '2', '--to', 'Production'], root);
  assert.equal(refusedPromotion.code, 1);
  assert.match(refusedPromotion.stderr, /refused: latency failed: candidate [\d.]+ vs Production [\d.]+ \(rule: p95 ≤ 3 × Production \(through an endpoint\)\)/);
  const runs = await daemon.client.request(endpoints.listGateRuns, { params: { name: 'edge' } });
  const lat = checkJsonSchema.parse(runs.versions.find((v) => v.version === 2)?.last).gates[0];
  assert.equal(lat?.status, 'fail');
  assert.deepEqual(lat?.measurements?.map((m) => [m.via, m.passed]), [['endpoint', false]], 'no in-process measurement');
  assert.ok(lat && lat.candidate !== null && lat.production !== null && lat.candidate > 3 * lat.production, JSON.stringify(lat));
  assert.match(lat?.rule ?? '', /^p95 ≤ 3 × Production \(through an endpoint\)$/);
  assert.match(lat?.detail ?? '', /through temporary endpoints \(HTTP POST \/predict\): candidate [\d.]+ ms vs Production [\d.]+ ms \(FAIL\)/);
  assert.doesNotMatch(lat?.detail ?? '', /in-process/);
  const started = endpointsLogged().slice(before);
  assert.deepEqual(started.map((e) => e.role).sort(), ['Production', 'candidate']);
  await assertGone(started);
});

test('mlops check --production FILE without a daemon measures through temporary endpoints too, and leaves no process behind', async () => {
  const mark = `cli-${process.pid}-pass`;
  const r = await cli(['check', 'scorer', '--production', 'models/fast-a.onnx', '--candidate', 'models/fast-b.onnx', '--markdown', 'summary.md', '--junit', 'gates.xml'], clone, { MLOPS_TEST_MARK: mark });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /latency\s+[\d.]+\s+[\d.]+\s+p95 ≤ 3 × Production \(in-process and through an endpoint, each\)\s+pass/);
  assert.match(r.stdout, /latency: p95 ms of 200 single-instance predictions per model, interleaved; in-process: candidate [\d.]+ ms vs Production [\d.]+ ms \(pass\); through temporary endpoints \(HTTP POST \/predict\): candidate [\d.]+ ms vs Production [\d.]+ ms \(pass\); the numbers shown are the endpoint figures/);
  assert.match(readFileSync(join(clone, 'summary.md'), 'utf8'), /\n- latency: p95 ms of 200 .*through temporary endpoints/);
  assert.match(readFileSync(join(clone, 'gates.xml'), 'utf8'), /<system-out>candidate [\d.]+, Production [\d.]+, rule: .*; p95 ms of 200 .*through temporary endpoints/);
  assert.deepEqual(servingProcessesMarked(mark), []);
  assert.equal(servingChildrenOf(daemon.pid).length, 0);
});

test('a candidate or Production whose serving process cannot start: exit 2 naming why, and the other process is stopped', async () => {
  const mark = `cli-${process.pid}-broken`;
  const env = { MLOPS_TEST_MARK: mark };
  const badCandidate = await cli(['check', 'edge', '--production', 'models/fast-a.onnx', '--candidate', 'models/broken.onnx'], clone, env);
  assert.equal(badCandidate.code, 2, badCandidate.stdout + badCandidate.stderr);
  assert.match(badCandidate.stdout, /latency\s+-\s+-\s+p95 latency\s+CANNOT RUN/);
  assert.match(badCandidate.stdout, /latency: cannot run: the candidate model's temporary serving process could not load it \(.+\)/);
  const badProduction = await cli(['check', 'edge', '--production', 'models/broken.onnx', '--candidate', 'models/fast-a.onnx', '--json'], clone, env);
  assert.equal(badProduction.code, 2, badProduction.stderr);
  assert.match(checkJsonSchema.parse(JSON.parse(badProduction.stdout)).gates[0]?.detail ?? '', /the Production model's temporary serving process could not load it/);
  const noEntry = await cli(['check', 'edge', '--production', 'models/fast-a.onnx', '--candidate', 'models/fast-b.onnx'], clone, { ...env, MLOPS_SERVING_JS: join(clone, 'missing', 'serving.js') });
  assert.equal(noEntry.code, 2);
  assert.match(noEntry.stdout, /the serving entry .*missing.serving\.js is missing \(run `npm run build`\)/);
  const inProcess = await cli(['check', 'scorer', '--production', 'models/fast-a.onnx', '--candidate', 'models/broken.onnx'], clone, env);
  assert.equal(inProcess.code, 2);
  assert.match(inProcess.stdout, /latency: cannot run: cannot load the candidate model \(.*broken\.onnx\)/);
  assert.deepEqual(servingProcessesMarked(mark), []);
});

test('Ctrl-C of mlops check during the endpoint measurement: exit 130, and both serving processes go with it', async () => {
  const mark = `cli-${process.pid}-sigint`;
  const child = spawn(process.execPath, [CLI_JS, 'check', 'long', '--production', 'models/fast-a.onnx', '--candidate', 'models/slow.onnx'], {
    cwd: clone,
    env: { ...process.env, MLOPS_TEST_MARK: mark },
    stdio: 'ignore',
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await until('the two temporary serving processes', () => servingProcessesMarked(mark).length === 2);
    child.kill('SIGINT');
    assert.equal(await exit, 130);
    await until('no serving process left', () => servingProcessesMarked(mark).length === 0, 15_000);
  } finally {
    child.kill('SIGKILL');
  }
});

test('daemon shutdown during the endpoint measurement stops the temporary endpoints', async () => {
  await register('long', 'fast-a.onnx');
  const slow = await register('long', 'slow.onnx');
  const before = endpointsLogged().length;
  const pending = daemon.client.request(endpoints.checkModelVersion, { params: { name: 'long', version: slow }, body: { against: 1 } }).catch((e: unknown) => e);
  await until('the daemon to start two temporary endpoints', () => endpointsLogged().length === before + 2);
  const started = endpointsLogged().slice(before);
  await daemon.stop();
  await pending;
  await until('the temporary serving processes to exit', () => started.every((s) => exited(s.pid)), 15_000);
});
