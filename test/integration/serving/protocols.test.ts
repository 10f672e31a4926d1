/**
 * Real serving processes under the real daemon, real HTTP: every protocol's happy path (/predict,
 * MLflow /invocations, Open Inference Protocol v2 in tensor and columns modes), every 400 of the
 * signature check, the guards (Host, Content-Type, token, body and batch caps) and /metrics checked
 * by promtool where installed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { predictLinear } from '../../../daemon/src/onnx/model';
import { predictResponse, servingErrorBody, v2InferResponse, v2ModelMetadata } from '../../../schemas/src/serving';
import { rawRequest, startDaemon, tempProject, type RunningDaemon, type TempProject } from '../../helpers';
import { CHURN_FEATURES, deploy, portOf, postJson, seedRegistry, servingConfig, showDeployment } from '../../helpers/serving';

let project: TempProject;
let daemon: RunningDaemon;
const ports: Record<string, number> = {};

before(async () => {
  project = tempProject({ config: servingConfig() });
  daemon = await startDaemon(project.root);
  await seedRegistry(daemon.client, project.root);
  for (const name of ['prod', 'guarded', 'forest', 'pricing']) {
    const st = await deploy(daemon.client, name);
    assert.equal(st.state, 'serving', `${name}: ${st.error ?? ''}`);
    ports[name] = portOf(st);
  }
});

after(async () => {
  await daemon?.stop();
  await project?.cleanup();
});

/** The probabilities the churn v1 graph computes, from the writer's own reference. */
function churnV1(rows: number[][]): number[] {
  const weights = CHURN_FEATURES.map((_, i) => ((1 * 31 + i * 7) % 17) / 10 - 0.8);
  return [...predictLinear({ task: 'classification', weights, bias: 1 / 1000 }, rows)];
}

const ROWS = [
  [35, 12, 70.5],
  [52, 1, 20],
  [23, 40, 99.9],
];
const objects = ROWS.map((r) => Object.fromEntries(CHURN_FEATURES.map((f, i) => [f, r[i]])));

describe('happy paths', () => {
  test('/predict with objects, rows, and one instance alone: predictions keyed by output name', async () => {
    const expected = churnV1(ROWS);
    for (const body of [{ instances: objects }, { instances: ROWS }, ROWS]) {
      const r = await postJson(ports.prod as number, '/predict', body);
      assert.equal(r.status, 200, JSON.stringify(r.json));
      const p = predictResponse.parse(r.json);
      assert.equal(p.model, 'churn');
      assert.equal(p.model_version, 1);
      assert.equal(p.predictions.length, 3);
      p.predictions.forEach((pred, i) => {
        assert.ok(Math.abs((pred['probability'] as number) - (expected[i] as number)) < 1e-5);
        assert.equal(pred['label'], (expected[i] as number) > 0.5 ? 1 : 0, 'int64 label converted to a JSON number');
      });
    }
    const one = predictResponse.parse((await postJson(ports.prod as number, '/predict', objects[0])).json);
    assert.equal(one.predictions.length, 1);
    const row = predictResponse.parse((await postJson(ports.prod as number, '/predict', ROWS[1])).json);
    assert.ok(Math.abs((row.predictions[0]?.['probability'] as number) - (expected[1] as number)) < 1e-5);
  });

  test('/invocations speaks MLflow: dataframe_split, dataframe_records, instances, inputs', async () => {
    const expected = churnV1(ROWS);
    const bodies = [
      { dataframe_split: { columns: CHURN_FEATURES, data: ROWS } },
      { dataframe_records: objects },
      { instances: objects },
      { inputs: Object.fromEntries(CHURN_FEATURES.map((f, j) => [f, ROWS.map((r) => r[j])])) },
    ];
    for (const body of bodies) {
      const r = await postJson(ports.prod as number, '/invocations', body);
      assert.equal(r.status, 200, JSON.stringify(r.json));
      const preds = (r.json as { predictions: { probability: number; label: number }[] }).predictions;
      assert.equal(preds.length, 3);
      preds.forEach((p, i) => assert.ok(Math.abs(p.probability - (expected[i] as number)) < 1e-5));
    }
    const bad = await postJson(ports.prod as number, '/invocations', { dataframe_records: objects, instances: objects });
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.json), /exactly one of dataframe_split, dataframe_records, instances, inputs/);
  });

});

describe('Open Inference Protocol v2, health and metrics', () => {
  test('Open Inference Protocol v2: health, metadata, ready, infer in tensor mode with typed tensors', async () => {
    const port = ports.forest as number;
    const get = (path: string) => rawRequest({ port, method: 'GET', path });
    assert.equal((await get('/v2/health/live')).status, 200);
    assert.deepEqual((await get('/v2/health/ready')).json, { ready: true });
    assert.deepEqual((await get('/v2/models/forest/ready')).json, { name: 'forest', ready: true });
    const meta = v2ModelMetadata.parse((await get('/v2/models/forest')).json);
    assert.deepEqual(meta.inputs, [{ name: 'features', datatype: 'FP32', shape: [-1, 4] }]);
    assert.deepEqual(meta.outputs.map((o) => [o.name, o.datatype]), [['label', 'INT64'], ['probabilities', 'FP32']]);
    assert.equal((await get('/v2/models/nope')).status, 404);
    const r = await postJson(port, '/v2/models/forest/infer', {
      id: 'req-1',
      inputs: [{ name: 'features', shape: [2, 4], datatype: 'FP32', data: [0.1, 0.2, 0.3, 0.4, 0.9, 0.8, 0.7, 0.6] }],
    });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const out = v2InferResponse.parse(r.json);
    assert.equal(out.id, 'req-1');
    assert.equal(out.model_version, '1');
    const probs = out.outputs.find((o) => o.name === 'probabilities');
    assert.deepEqual(probs?.shape, [2, 3]);
    assert.equal(probs?.data.length, 6);
    const labels = out.outputs.find((o) => o.name === 'label');
    assert.deepEqual(labels?.shape, [2]);
    assert.ok(labels?.data.every((v) => typeof v === 'number'));
    const only = v2InferResponse.parse(
      (await postJson(port, '/v2/models/forest/infer', { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [[0.1, 0.2, 0.3, 0.4]] }], outputs: [{ name: 'label' }] })).json,
    );
    assert.deepEqual(only.outputs.map((o) => o.name), ['label']);
  });

  test('v2 columns mode: one tensor per feature, BYTES for strings, categories checked', async () => {
    const port = ports.pricing as number;
    const body = (plan: unknown[]) => ({
      inputs: [
        { name: 'age', shape: [2, 1], datatype: 'FP32', data: [30, 40] },
        { name: 'plan', shape: [2], datatype: 'BYTES', data: plan },
      ],
    });
    const ok = v2InferResponse.parse((await postJson(port, '/v2/models/pricing/infer', body(['basic', 'pro']))).json);
    assert.deepEqual(ok.outputs[0]?.data, [15, 40]);
    const bad = await postJson(port, '/v2/models/pricing/infer', body(['basic', 'gold']));
    assert.equal(bad.status, 400);
    const err = servingErrorBody.parse(bad.json).error;
    assert.equal(err.instance, 1);
    assert.equal(err.feature, 'plan');
    assert.match(err.message, /"gold" is not one of the declared categories/);
    const p = await postJson(port, '/predict', { instances: [{ age: 30, plan: 'plus' }] });
    assert.deepEqual((p.json as { predictions: unknown[] }).predictions, [{ prediction: 25 }]);
  });

  test('GET /health is ready with model and version; /metrics passes promtool', async () => {
    const h = await rawRequest({ port: ports.prod as number, method: 'GET', path: '/health' });
    assert.deepEqual(h.json, { status: 'ok', model: 'churn', version: 1 });
    const m = await rawRequest({ port: ports.prod as number, method: 'GET', path: '/metrics' });
    assert.equal(m.status, 200);
    assert.match(String(m.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    for (const name of ['mlops_serving_requests_total', 'mlops_serving_request_duration_seconds_bucket', 'mlops_serving_in_flight_requests', 'mlops_serving_model_version', 'mlops_serving_model_load_seconds']) {
      assert.ok(m.text.includes(name), `${name} in /metrics`);
    }
    assert.match(m.text, /mlops_serving_model_version\{deployment="prod",model="churn"\} 1/);
    const promtool = spawnSync('promtool', ['check', 'metrics'], { input: m.text, encoding: 'utf8' });
    if (promtool.error) return test.skip?.('promtool not installed');
    assert.equal(promtool.status, 0, `promtool: ${promtool.stdout}${promtool.stderr}`);
  });
});

describe('every input problem is a 400 naming the instance and the feature', () => {
  const cases: { name: string; body: unknown; instance?: number; feature?: string; mentions: RegExp }[] = [
    { name: 'missing feature', body: { instances: [objects[0], { age: 1, tenure: 2 }] }, instance: 1, feature: 'spend', mentions: /missing/ },
    { name: 'unknown feature', body: { instances: [{ ...objects[0], colour: 'red' }] }, instance: 0, feature: 'colour', mentions: /unknown feature "colour"/ },
    { name: 'wrong type', body: { instances: [objects[0], objects[1], { age: '35', tenure: 1, spend: 2 }] }, instance: 2, feature: 'age', mentions: /expected a number, got the string "35"/ },
    { name: 'row length', body: { instances: [[1, 2]] }, instance: 0, mentions: /row has 2 values, expected 3/ },
    { name: 'NaN (null)', body: { instances: [{ age: 1, tenure: null, spend: 2 }] }, instance: 0, feature: 'tenure', mentions: /NaN or null/ },
    { name: 'NaN (string)', body: { instances: [[1, 2, 'NaN']] }, instance: 0, feature: 'spend', mentions: /NaN or null/ },
    { name: 'not an instance', body: { instances: [42] }, instance: 0, mentions: /expected an object of features or an array/ },
    { name: 'empty', body: { instances: [] }, mentions: /no instances/ },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const r = await postJson(ports.prod as number, '/predict', c.body);
      assert.equal(r.status, 400, JSON.stringify(r.json));
      const e = servingErrorBody.parse(r.json).error;
      assert.match(e.message, c.mentions);
      assert.equal(e.instance, c.instance);
      assert.equal(e.feature, c.feature);
    });
  }

  test('a category outside the declared ones, and v2 tensors of the wrong datatype or shape', async () => {
    const cat = await postJson(ports.pricing as number, '/predict', [{ age: 1, plan: 'enterprise' }]);
    assert.equal(cat.status, 400);
    assert.equal(servingErrorBody.parse(cat.json).error.feature, 'plan');
    const dtype = await postJson(ports.forest as number, '/v2/models/forest/infer', { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP64', data: [1, 2, 3, 4] }] });
    assert.match(servingErrorBody.parse(dtype.json).error.message, /datatype FP64, the model takes FP32/);
    const shape = await postJson(ports.forest as number, '/v2/models/forest/infer', { inputs: [{ name: 'features', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }] });
    assert.match(servingErrorBody.parse(shape.json).error.message, /expected \[N, 4\]/);
    const name = await postJson(ports.forest as number, '/v2/models/forest/infer', { inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] });
    assert.equal(servingErrorBody.parse(name.json).error.feature, 'x');
    const v2value = await postJson(ports.forest as number, '/v2/models/forest/infer', { inputs: [{ name: 'features', shape: [2, 4], datatype: 'FP32', data: [1, 2, 3, 4, 5, 6, 'x', 8] }] });
    const e = servingErrorBody.parse(v2value.json).error;
    assert.deepEqual([v2value.status, e.instance, e.feature], [400, 1, 'f2']);
  });
});

describe('guards', () => {
  test('a foreign Host is refused (DNS rebinding); no CORS headers are ever sent', async () => {
    const r = await rawRequest({ port: ports.prod as number, method: 'POST', path: '/predict', headers: { Host: 'evil.example:80' }, body: JSON.stringify(objects[0]) });
    assert.equal(r.status, 403);
    const ok = await rawRequest({ port: ports.prod as number, method: 'POST', path: '/predict', headers: { Origin: 'http://evil.example' }, body: JSON.stringify(objects[0]) });
    assert.equal(ok.status, 200);
    assert.ok(!Object.keys(ok.headers).some((h) => h.startsWith('access-control-')));
    const pre = await rawRequest({ port: ports.prod as number, method: 'OPTIONS', path: '/predict', headers: { Origin: 'http://evil.example' } });
    assert.equal(pre.status, 405);
  });

  test('POST without Content-Type: application/json is 415 (a cross-origin text/plain POST needs no preflight)', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
      const r = await rawRequest({ port: ports.prod as number, method: 'POST', path: '/predict', headers: { 'Content-Type': type }, body: JSON.stringify(objects[0]) });
      assert.equal(r.status, 415);
      assert.match(r.text, /application\/json/);
    }
  });

  test('bodies and batches over the limits are 413 naming the limit', async () => {
    const token = (await showDeployment(daemon.client, 'guarded')).token as string;
    const auth = { Authorization: `Bearer ${token}` };
    const many = await postJson(ports.guarded as number, '/predict', { instances: Array.from({ length: 6 }, () => ROWS[0]) }, auth);
    assert.equal(many.status, 413);
    assert.match(servingErrorBody.parse(many.json).error.message, /6 instances exceed the limit of 5 .*deployments\.guarded\.max_instances/);
    const big = await postJson(ports.guarded as number, '/predict', { instances: [ROWS[0]], pad: 'x'.repeat(4000) }, auth);
    assert.equal(big.status, 413);
    assert.match(servingErrorBody.parse(big.json).error.message, /limit of 2048 bytes .*max_body_bytes/);
  });

  test('auth: token needs the deployment serving token, never the project token', async () => {
    const detail = await showDeployment(daemon.client, 'guarded');
    assert.ok(detail.token && detail.token.length >= 24);
    assert.notEqual(detail.token, daemon.info.token);
    const none = await postJson(ports.guarded as number, '/predict', objects[0]);
    assert.equal(none.status, 401);
    const project = await postJson(ports.guarded as number, '/predict', objects[0], { Authorization: `Bearer ${daemon.info.token}` });
    assert.equal(project.status, 401);
    const ok = await postJson(ports.guarded as number, '/predict', objects[0], { Authorization: `Bearer ${detail.token}` });
    assert.equal(ok.status, 200);
    // auth: none still has a token (POST /feedback always needs one), but prediction routes do not ask for it.
    const open = await showDeployment(daemon.client, 'prod');
    assert.ok(open.token && open.token !== detail.token);
    assert.equal((await postJson(ports.prod as number, '/predict', objects[0])).status, 200);
    const health = await rawRequest({ port: ports.guarded as number, method: 'GET', path: '/health' });
    assert.equal(health.status, 200, 'health stays open for probes');
  });

  test('invalid JSON is a 400', async () => {
    const r = await rawRequest({ port: ports.prod as number, method: 'POST', path: '/predict', body: '{"instances": [' });
    assert.equal(r.status, 400);
    assert.match(r.text, /not valid JSON/);
  });
});
