/** Model versions link to their source run and the dataset versions that run used. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError } from '../../../client/src/client';
import { startDaemon, tempProject, writeLinearOnnx, type TempProject } from '../../helpers/index';
import * as endpoints from '../../../schemas/src/endpoints';

const projects: TempProject[] = [];
after(async () => {
  for (const p of projects) await p.cleanup();
});

test('register --run copies the run\'s dataset versions; run detail lists the model; unknown run is a 404', async () => {
  const p = tempProject({
    prefix: 'mlops-lineage-',
    config: 'version: 1\nproject:\n  name: lineage\ndata:\n  train:\n    paths: [train.csv]\n',
  });
  projects.push(p);
  mkdirSync(p.root, { recursive: true });
  writeFileSync(join(p.root, 'train.csv'), 'a\n1\n');
  const d = await startDaemon(p.root);
  try {
    const snap = await d.client.snapshot('train', 'test');
    const run = await d.client.request(endpoints.createRun, { body: { experiment: 'e', datasets: [{ dataset: 'train', version: snap.version.version }] } });
    const model = writeLinearOnnx(join(p.root, 'm.onnx'), { features: 2 });
    const reg = await d.client.request(endpoints.registerVersion, { params: { name: 'm' }, body: { artifact_path: model, run_id: run.id } });
    assert.equal(reg.version.source_run_id, run.id);
    assert.deepEqual(reg.version.dataset_versions, [{ dataset: 'train', version: 1 }]);
    const detail = await d.client.request(endpoints.getRun, { params: { id: run.id } });
    assert.deepEqual(detail.models, [{ model: 'm', version: 1 }]);
    await assert.rejects(d.client.request(endpoints.registerVersion, { params: { name: 'm' }, body: { artifact_path: model, run_id: 'abcdef123456' } }), (e: unknown) => {
      assert.ok(e instanceof ApiError);
      assert.equal(e.status, 404);
      assert.match(e.message, /run "abcdef123456" not found/);
      return true;
    });
  } finally {
    await d.stop();
  }
});

test('params are write-once: the same value is fine, a different one is a 409', async () => {
  const p = tempProject({ prefix: 'mlops-params-' });
  projects.push(p);
  const d = await startDaemon(p.root);
  try {
    const run = await d.client.request(endpoints.createRun, { body: { params: { lr: 0.1 } } });
    const ok = await d.client.raw('POST', `/runs/${run.id}/params`, { body: { params: { lr: 0.1, depth: 3 } } });
    assert.equal(ok.status, 200);
    const bad = await d.client.raw('POST', `/runs/${run.id}/params`, { body: { params: { lr: 0.2 } } });
    assert.equal(bad.status, 409);
    assert.match(bad.text, /param \\"lr\\" .* write-once/);
    const detail = await d.client.request(endpoints.getRun, { params: { id: run.id } });
    assert.deepEqual(detail.params, { depth: 3, lr: 0.1 });
  } finally {
    await d.stop();
  }
});

test('metric batches with mismatched array lengths are refused with the field path, nothing written', async () => {
  const p = tempProject({ prefix: 'mlops-batch-' });
  projects.push(p);
  const d = await startDaemon(p.root);
  try {
    const run = await d.client.request(endpoints.createRun, { body: {} });
    const bad = await d.client.raw('POST', `/runs/${run.id}/metrics/batch`, {
      body: { keys: ['a', 'a'], steps: [0], timestamps: [1, 2], values: [1, 2] },
    });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /body\.steps: expected 2 entries like \\"keys\\", got 1/);
    const series = await d.client.request(endpoints.getMetricSeries, { params: { id: run.id } });
    assert.deepEqual(series.series, []);
    const ok = await d.client.request(endpoints.logMetricBatch, { params: { id: run.id }, body: { keys: ['a', 'b'], steps: [0, 0], timestamps: [1, 2], values: [1, null] } });
    assert.equal(ok.written, 2);
  } finally {
    await d.stop();
  }
});

test('artifact names with traversal are refused with the field named, and nothing is recorded', async () => {
  const p = tempProject({ prefix: 'mlops-artifact-name-' });
  projects.push(p);
  writeFileSync(join(p.root, 'a.bin'), 'x');
  const d = await startDaemon(p.root);
  try {
    const run = await d.client.request(endpoints.createRun, { body: {} });
    for (const name of ['../../evil', '/abs', 'a/../../b', 'a\\b']) {
      const r = await d.client.raw('POST', `/runs/${run.id}/artifacts`, { body: { path: join(p.root, 'a.bin'), name } });
      assert.equal(r.status, 400, name);
      assert.match(r.text, /body\.name: expected a relative name/);
    }
    assert.deepEqual((await d.client.request(endpoints.getRun, { params: { id: run.id } })).artifacts, []);
  } finally {
    await d.stop();
  }
});

test('a run created by a script (not exec) still records the params snapshot, its hash and the latest data versions', async () => {
  const p = tempProject({
    prefix: 'mlops-run-defaults-',
    config: 'version: 1\nproject:\n  name: d\nparams:\n  train:\n    lr: 0.3\ndata:\n  train:\n    paths: [train.csv]\n',
  });
  projects.push(p);
  writeFileSync(join(p.root, 'train.csv'), 'a\n1\n');
  const d = await startDaemon(p.root);
  try {
    await d.client.snapshot('train', 'test');
    const run = await d.client.request(endpoints.createRun, { body: { experiment: 'notebook' } });
    assert.deepEqual(run.config, { train: { lr: 0.3 } });
    assert.match(run.config_sha256 ?? '', /^[0-9a-f]{64}$/);
    assert.deepEqual(run.datasets, [{ dataset: 'train', version: 1 }]);
    const explicit = await d.client.request(endpoints.createRun, { body: { config: { other: 1 }, datasets: [] } });
    assert.deepEqual(explicit.config, { other: 1 }, 'what the client sends wins');
  } finally {
    await d.stop();
  }
});
