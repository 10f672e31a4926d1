/**
 * Deployments over their life: hand-over under load across a promotion and a rollback with zero
 * failed requests; a version that fails to load leaves the old one serving; a corrupt artifact, a
 * ZipMap classifier and a model that throws at run time; a killed serving process restarted with an
 * event; deployments back after a daemon restart and gone after `daemon stop`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { servingErrorBody } from '../../../schemas/src/serving';
import { startDaemon, tempProject, waitForExit, writeLinearOnnx, type RunningDaemon, type TempProject } from '../../helpers';
import { randomTrees, throwingOnnx, treeEnsembleOnnx, unloadableOnnx, writeBytes } from '../../helpers/onnx-graphs';
import { CHURN_FEATURES, deploy, portOf, postJson, seedRegistry, servingConfig, showDeployment, waitFor } from '../../helpers/serving';
import { registry } from '../../helpers/serving';

let project: TempProject;
let daemon: RunningDaemon;

const extra = `  thrower:
    model: churn
    version: 4
  zip:
    model: forest
    version: 2
  corrupt:
    model: churn
    version: 5
`;

before(async () => {
  project = tempProject({ config: servingConfig(extra) });
  daemon = await startDaemon(project.root);
  const c = daemon.client;
  await seedRegistry(c, project.root);
  await registry(c).register('churn', { artifact_path: writeBytes(join(project.root, 'models', 'bad.onnx'), unloadableOnnx(3)) }); // v3
  await registry(c).register('churn', { artifact_path: writeBytes(join(project.root, 'models', 'throw.onnx'), throwingOnnx(3)) }); // v4
  await registry(c).register('churn', { artifact_path: writeLinearOnnx(join(project.root, 'models', 'c5.onnx'), { features: CHURN_FEATURES, seed: 5 }) }); // v5
  const zip = treeEnsembleOnnx({ trees: randomTrees(3, 3, 4, 2), features: 4, classes: 2, zipmap: true });
  await registry(c).register('forest', { artifact_path: writeBytes(join(project.root, 'models', 'zip.onnx'), zip) }); // v2
});

after(async () => {
  await daemon?.stop();
  await project?.cleanup();
});

const instance = { age: 40, tenure: 3, spend: 55.5 };

interface LoadResult {
  ok: number;
  failed: { status: number; body: unknown }[];
  versions: Set<number>;
}

/** Keeps `concurrency` clients posting /predict until `stop()`; every answer is counted. */
function loadLoop(port: number, concurrency: number): { stop(): Promise<LoadResult>; seen(v: number): Promise<void> } {
  const res: LoadResult = { ok: 0, failed: [], versions: new Set() };
  let running = true;
  const listeners: { v: number; resolve(): void }[] = [];
  const worker = async (): Promise<void> => {
    for (let i = 0; running && i < 1_000_000; i++) {
      try {
        const r = await postJson(port, '/predict', { instances: [instance] });
        if (r.status !== 200) res.failed.push({ status: r.status, body: r.json });
        else {
          res.ok++;
          const v = (r.json as { model_version: number }).model_version;
          res.versions.add(v);
          for (const l of listeners.filter((x) => x.v === v)) l.resolve();
        }
      } catch (e) {
        res.failed.push({ status: 0, body: String(e) });
      }
    }
  };
  const workers = Array.from({ length: concurrency }, () => worker());
  return {
    stop: async () => {
      running = false;
      await Promise.all(workers);
      return res;
    },
    seen: (v) =>
      new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`version ${v} never answered`)), 30_000);
        listeners.push({ v, resolve: () => (clearTimeout(t), resolve()) });
      }),
  };
}

test('hand-over under load: promotion to v2 and rollback to v1 with zero failed requests', async () => {
  const c = daemon.client;
  const st = await deploy(c, 'prod');
  assert.equal(st.state, 'serving', st.error ?? '');
  assert.equal(st.version, 1);
  const loop = loadLoop(portOf(st), 8);
  await loop.seen(1);
  await registry(c).setStage('churn', 2, 'Production', 'test promotion');
  await loop.seen(2);
  await registry(c).rollback('churn', 'test rollback');
  const back = loop.seen(1);
  await back;
  // A little more traffic on the restored version, then stop.
  await new Promise((r) => setTimeout(r, 300));
  const res = await loop.stop();
  assert.deepEqual(res.failed.slice(0, 3), [], `${res.failed.length} failed of ${res.ok + res.failed.length}`);
  assert.ok(res.ok > 50, `only ${res.ok} requests made it through`);
  assert.deepEqual([...res.versions].sort(), [1, 2]);
  const events = (await registry(c).events(0, 1000, 'deployment:prod')).events;
  const switched = events.filter((e) => e.kind === 'deployment.switched').map((e) => (e.after as { version: number }).version);
  assert.deepEqual(switched, [2, 1]);
  const after2 = await showDeployment(c, 'prod');
  assert.equal(after2.version, 1);
  assert.equal(after2.state, 'serving');
});

test('a version that fails to load leaves the old one serving and raises an event', async () => {
  const c = daemon.client;
  const port = portOf(await showDeployment(c, 'prod'));
  await registry(c).setStage('churn', 3, 'Production', 'promote the unloadable one');
  const failed = await waitFor('load_failed event', async () => {
    const evs = (await registry(c).events(0, 1000, 'deployment:prod')).events.filter((e) => e.kind === 'deployment.load_failed');
    return evs.length ? evs : undefined;
  });
  assert.match(JSON.stringify(failed[0]?.after), /NoSuchOperator/);
  const st = await showDeployment(c, 'prod');
  assert.equal(st.state, 'serving');
  assert.equal(st.version, 1);
  assert.match(st.error ?? '', /version 3 failed to load, still serving version 1/);
  const r = await postJson(port, '/predict', instance);
  assert.equal((r.json as { model_version: number }).model_version, 1);
  await registry(c).rollback('churn', 'back to v1');
});

test('a model that throws at run time: 500 with the error, counted; the process keeps serving', async () => {
  const st = await deploy(daemon.client, 'thrower');
  assert.equal(st.state, 'serving', st.error ?? '');
  const port = portOf(st);
  const ok = await postJson(port, '/predict', [1, 2, 0]);
  assert.equal(ok.status, 200);
  const bad = await postJson(port, '/predict', [1, 2, 50]);
  assert.equal(bad.status, 500);
  assert.match(servingErrorBody.parse(bad.json).error.message, /failed at run time: .*out of data bounds/);
  assert.equal((await postJson(port, '/predict', [0, 1, 2])).status, 200);
  const metrics = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
  assert.match(metrics, /mlops_serving_model_errors_total\{deployment="thrower"\} 1/);
  assert.match(metrics, /mlops_serving_requests_total\{deployment="thrower",route="\/predict",status="500"\} 1/);
});

test('a ZipMap classifier (rewritten at registration) serves its probability tensor; a corrupt artifact fails clearly', async () => {
  const zip = await deploy(daemon.client, 'zip');
  assert.equal(zip.state, 'serving', zip.error ?? '');
  const r = await postJson(portOf(zip), '/predict', [0.1, 0.2, 0.3, 0.4]);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  const v5 = await registry(daemon.client).getVersion('churn', 5);
  const file = join(project.root, '.mlops', 'objects', v5.artifact_sha256.slice(0, 2), v5.artifact_sha256.slice(2));
  const path = (await showDeployment(daemon.client, 'corrupt')).artifact_path ?? file;
  const bytes = readFileSync(path);
  chmodSync(path, 0o644);
  writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length / 2)));
  const corrupt = await deploy(daemon.client, 'corrupt');
  assert.equal(corrupt.state, 'failed');
  assert.match(corrupt.error ?? '', /onnxruntime cannot load version 5/);
  const events = (await registry(daemon.client).events(0, 1000, 'deployment:')).events.filter((e) => e.kind === 'deployment.failed');
  assert.ok(events.some((e) => e.subject === 'deployment:corrupt'));
});

test('a killed serving process is restarted with backoff and an event; the registry is untouched', async () => {
  const c = daemon.client;
  const before = await showDeployment(c, 'prod');
  const registryBefore = await registry(c).getModel('churn');
  process.kill(before.pid as number, 'SIGKILL');
  const back = await waitFor('restart', async () => {
    const st = await showDeployment(c, 'prod');
    return st.state === 'serving' && st.pid !== before.pid ? st : undefined;
  });
  assert.equal(back.restarts, 1);
  assert.equal(back.url, before.url, 'the same port after a restart');
  assert.equal((await postJson(portOf(back), '/predict', instance)).status, 200);
  const crashed = (await registry(c).events(0, 1000, 'deployment:prod')).events.filter((e) => e.kind === 'deployment.crashed');
  assert.equal(crashed.length, 1);
  assert.match(JSON.stringify(crashed[0]?.after), /SIGKILL/);
  assert.deepEqual((await registry(c).getModel('churn')).versions, registryBefore.versions);
});

test('deployments come back after a daemon restart; daemon stop stops their processes', async () => {
  const pid = (await showDeployment(daemon.client, 'prod')).pid as number;
  await daemon.stop();
  assert.ok(await waitForExit(pid, 10_000), 'serving process stopped with the daemon');
  daemon = await startDaemon(project.root);
  const st = await waitFor('prod back', async () => {
    const s = await showDeployment(daemon.client, 'prod');
    return s.state === 'serving' ? s : undefined;
  });
  assert.equal(st.version, 1);
  assert.equal((await postJson(portOf(st), '/predict', instance)).status, 200);
  assert.equal((await showDeployment(daemon.client, 'corrupt')).state, 'stopped', 'a failed deployment does not come back');
});
