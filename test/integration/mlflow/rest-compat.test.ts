/**
 * MLflow REST API 2.0 compatibility against a real daemon over real HTTP: the call sequences that
 * MLflow's Python client makes (set_experiment, start_run, log_params, log_metric, log_artifact,
 * onnx.log_model, register_model, transition stage, end_run, search), written from MLflow's REST
 * reference and protos, with the exact shapes and error codes; and what lands in our own API.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getModel, getRun } from '../../../schemas/src/endpoints';
import { configYaml, linearOnnx, rawRequest, startDaemon, tempProject, type RunningDaemon, type TempProject } from '../../helpers';

let project: TempProject;
let daemon: RunningDaemon;

before(async () => {
  project = tempProject({ config: configYaml({ models: { churn: { features: ['age', 'tenure', 'spend'] } } }) });
  daemon = await startDaemon(project.root);
});
after(async () => {
  await daemon?.stop();
  project?.cleanup();
});

interface Answer {
  status: number;
  body: Record<string, unknown>;
  text: string;
}

/** As MLflow's client sends: GET with a query string, other methods with a JSON body. */
async function call(method: string, path: string, payload?: Record<string, unknown>, prefix = '/api/2.0/mlflow'): Promise<Answer> {
  let url = `${prefix}/${path}`;
  let body: string | undefined;
  if (method === 'GET' && payload) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(payload)) {
      if (Array.isArray(v)) v.forEach((x) => q.append(k, String(x)));
      else if (v !== undefined) q.append(k, String(v));
    }
    url += `?${q.toString()}`;
  } else if (payload) body = JSON.stringify(payload);
  const r = await rawRequest({
    port: daemon.info.port,
    method,
    path: url,
    headers: { Authorization: `Bearer ${daemon.info.token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    ...(body ? { body } : {}),
  });
  return { status: r.status, body: (r.json ?? {}) as Record<string, unknown>, text: r.text };
}

async function ok(method: string, path: string, payload?: Record<string, unknown>): Promise<Record<string, unknown>> {
  const r = await call(method, path, payload);
  assert.equal(r.status, 200, `${method} ${path}: ${r.text}`);
  return r.body;
}

function assertError(r: Answer, status: number, code: string, message?: RegExp): void {
  assert.equal(r.status, status, r.text);
  assert.equal(r.body['error_code'], code, r.text);
  assert.equal(typeof r.body['message'], 'string');
  if (message) assert.match(String(r.body['message']), message);
}

async function upload(path: string, content: Buffer | string): Promise<number> {
  const r = await rawRequest({
    port: daemon.info.port,
    method: 'PUT',
    path: `/api/2.0/mlflow-artifacts/artifacts/${path}`,
    headers: { Authorization: `Bearer ${daemon.info.token}`, 'Content-Type': 'application/octet-stream' },
    body: typeof content === 'string' ? Buffer.from(content) : content,
  });
  return r.status;
}

let experimentId = '';
let runId = '';

describe('the Python client sequence, step by step', () => {
  test('set_experiment: get-by-name 404, create, get', async () => {
    const miss = await call('GET', 'experiments/get-by-name', { experiment_name: 'churn-mlflow' });
    assertError(miss, 404, 'RESOURCE_DOES_NOT_EXIST', /churn-mlflow/);
    const created = await ok('POST', 'experiments/create', { name: 'churn-mlflow', tags: [{ key: 'team', value: 'ds' }] });
    experimentId = String(created['experiment_id']);
    assert.match(experimentId, /^\d+$/);
    const again = await call('POST', 'experiments/create', { name: 'churn-mlflow' });
    assertError(again, 400, 'RESOURCE_ALREADY_EXISTS');
    const got = (await ok('GET', 'experiments/get', { experiment_id: experimentId }))['experiment'] as Record<string, unknown>;
    assert.equal(got['name'], 'churn-mlflow');
    assert.equal(got['lifecycle_stage'], 'active');
    assert.equal(got['artifact_location'], `mlflow-artifacts:/${experimentId}`);
    assert.deepEqual(got['tags'], [{ key: 'team', value: 'ds' }]);
    assert.equal(typeof got['creation_time'], 'number');
  });

  test('the Default experiment is "0" and always exists', async () => {
    const got = (await ok('GET', 'experiments/get', { experiment_id: '0' }))['experiment'] as Record<string, unknown>;
    assert.equal(got['name'], 'Default');
    const byName = (await ok('GET', 'experiments/get-by-name', { experiment_name: 'Default' }))['experiment'] as Record<string, unknown>;
    assert.equal(byName['experiment_id'], '0');
  });

  test('start_run: runs/create with the client tags, start time as a string int64', async () => {
    const start = Date.now() - 5000;
    const r = (await ok('POST', 'runs/create', {
      experiment_id: experimentId,
      user_id: 'ana',
      start_time: String(start),
      run_name: 'first-run',
      tags: [
        { key: 'mlflow.user', value: 'ana' },
        { key: 'mlflow.source.name', value: 'train.py' },
        { key: 'mlflow.runName', value: 'first-run' },
      ],
    }))['run'] as { info: Record<string, unknown>; data: Record<string, unknown> };
    runId = String(r.info['run_id']);
    assert.equal(r.info['run_uuid'], runId);
    assert.equal(r.info['status'], 'RUNNING');
    assert.equal(r.info['start_time'], start);
    assert.equal(r.info['user_id'], 'ana');
    assert.equal(r.info['run_name'], 'first-run');
    assert.equal(r.info['lifecycle_stage'], 'active');
    assert.equal(r.info['artifact_uri'], `mlflow-artifacts:/${experimentId}/${runId}/artifacts`);
    assert.equal(r.info['end_time'], undefined);
  });

  test('log_params → log-batch; the same value again is idempotent, another value is refused', async () => {
    await ok('POST', 'runs/log-batch', { run_id: runId, params: [{ key: 'lr', value: '0.1' }, { key: 'epochs', value: '5' }] });
    await ok('POST', 'runs/log-parameter', { run_id: runId, key: 'lr', value: '0.1' });
    const changed = await call('POST', 'runs/log-parameter', { run_id: runId, key: 'lr', value: '0.2' });
    assertError(changed, 400, 'INVALID_PARAMETER_VALUE', /Changing param values is not allowed/);
  });

});

describe('the Python client sequence: metrics, limits and tags', () => {
  test('log_metric → log-metric, with steps, NaN and ±Infinity as MLflow spells them', async () => {
    const t = Date.now();
    for (const [step, value] of [[0, 0.61], [1, 0.72], [2, 0.79]] as const) {
      await ok('POST', 'runs/log-metric', { run_id: runId, key: 'auc', value, timestamp: t + step, step });
    }
    await ok('POST', 'runs/log-metric', { run_id: runId, key: 'odd', value: 'NaN', timestamp: t, step: 0 });
    await ok('POST', 'runs/log-batch', {
      run_id: runId,
      metrics: [
        { key: 'big', value: 'Infinity', timestamp: t, step: 0 },
        { key: 'small', value: '-Infinity', timestamp: t, step: 0 },
      ],
      tags: [{ key: 'stage', value: 'dev' }],
    });
    const hist = (await ok('GET', 'metrics/get-history', { run_id: runId, metric_key: 'auc' }))['metrics'] as { value: number; step: number }[];
    assert.deepEqual(hist.map((m) => [m.step, m.value]), [[0, 0.61], [1, 0.72], [2, 0.79]]);
    const run = (await ok('GET', 'runs/get', { run_id: runId }))['run'] as { data: { metrics: { key: string; value: unknown }[] } };
    const latest = Object.fromEntries(run.data.metrics.map((m) => [m.key, m.value]));
    assert.deepEqual(latest, { auc: 0.79, big: 'Infinity', odd: 'NaN', small: '-Infinity' });
  });

  test("MLflow's batch limits are enforced with its own message", async () => {
    const metrics = Array.from({ length: 1001 }, (_, i) => ({ key: `m${i}`, value: i, timestamp: 1, step: 0 }));
    assertError(await call('POST', 'runs/log-batch', { run_id: runId, metrics }), 400, 'INVALID_PARAMETER_VALUE', /at most 1000 metrics/);
    const params = Array.from({ length: 101 }, (_, i) => ({ key: `p${i}`, value: 'x' }));
    assertError(await call('POST', 'runs/log-batch', { run_id: runId, params }), 400, 'INVALID_PARAMETER_VALUE', /at most 100 params/);
  });

  test('set-tag, delete-tag, log-inputs', async () => {
    await ok('POST', 'runs/set-tag', { run_id: runId, key: 'note', value: 'baseline' });
    await ok('POST', 'runs/delete-tag', { run_id: runId, key: 'note' });
    assertError(await call('POST', 'runs/delete-tag', { run_id: runId, key: 'note' }), 404, 'RESOURCE_DOES_NOT_EXIST');
    await ok('POST', 'runs/log-inputs', {
      run_id: runId,
      datasets: [{ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset: { name: 'train', digest: 'abc123', source_type: 'local', source: '{"uri": "data/train.csv"}' } }],
    });
    const run = (await ok('GET', 'runs/get', { run_id: runId }))['run'] as { inputs: { dataset_inputs: { dataset: { name: string } }[] } };
    assert.equal(run.inputs.dataset_inputs[0]?.dataset.name, 'train');
  });

});

// The same client run, continued (one describe per screen; tests run in order and share the run).
describe('the Python client sequence: models and the registry', () => {
  test('onnx.log_model: artifact PUTs, a listing, a download, then runs/log-model', async () => {
    const base = `${experimentId}/${runId}/artifacts/model`;
    assert.equal(await upload(`${base}/MLmodel`, 'flavors:\n  onnx: {}\n'), 200);
    const onnx = Buffer.from(linearOnnx({ features: ['age', 'tenure', 'spend'], seed: 3 }));
    assert.equal(await upload(`${base}/model.onnx`, onnx), 200);
    const listing = await call('GET', 'artifacts', { path: base }, '/api/2.0/mlflow-artifacts');
    assert.equal(listing.status, 200, listing.text);
    const files = (listing.body['files'] as { path: string; is_dir: boolean; file_size?: number }[]).sort((a, b) => a.path.localeCompare(b.path));
    assert.deepEqual(files.map((f) => [f.path, f.is_dir]), [['MLmodel', false], ['model.onnx', false]]);
    const root = await call('GET', 'artifacts', { path: `${experimentId}/${runId}/artifacts` }, '/api/2.0/mlflow-artifacts');
    assert.deepEqual(root.body['files'], [{ path: 'model', is_dir: true }]);
    const down = await rawRequest({ port: daemon.info.port, method: 'GET', path: `/api/2.0/mlflow-artifacts/artifacts/${base}/model.onnx`, headers: { Authorization: `Bearer ${daemon.info.token}` } });
    assert.equal(down.status, 200);
    assert.equal(Buffer.byteLength(down.text, 'latin1') > 0, true);
    await ok('POST', 'runs/log-model', { run_id: runId, model_json: JSON.stringify({ artifact_path: 'model', flavors: { onnx: {} }, run_id: runId }) });
    const run = (await ok('GET', 'runs/get', { run_id: runId }))['run'] as { data: { tags: { key: string; value: string }[] } };
    const history = JSON.parse(run.data.tags.find((t) => t.key === 'mlflow.log-model.history')?.value ?? '[]') as { artifact_path: string }[];
    assert.equal(history[0]?.artifact_path, 'model');
  });

  test('register_model: create (tolerating RESOURCE_ALREADY_EXISTS), model-versions/create, poll until READY', async () => {
    await ok('POST', 'registered-models/create', { name: 'churn' });
    assertError(await call('POST', 'registered-models/create', { name: 'churn' }), 400, 'RESOURCE_ALREADY_EXISTS');
    const mv = (await ok('POST', 'model-versions/create', {
      name: 'churn',
      source: `mlflow-artifacts:/${experimentId}/${runId}/artifacts/model`,
      run_id: runId,
    }))['model_version'] as Record<string, unknown>;
    assert.equal(mv['version'], '1');
    assert.equal(mv['current_stage'], 'None');
    assert.equal(mv['run_id'], runId);
    const polled = (await ok('GET', 'model-versions/get', { name: 'churn', version: '1' }))['model_version'] as Record<string, unknown>;
    assert.equal(polled['status'], 'READY');
  });

  test('a run artifact that is not ONNX is refused as a version, naming the ONNX route', async () => {
    assert.equal(await upload(`${experimentId}/${runId}/artifacts/sk/model.pkl`, 'not onnx'), 200);
    const r = await call('POST', 'model-versions/create', { name: 'churn', source: `runs:/${runId}/sk`, run_id: runId });
    assertError(r, 400, 'INVALID_PARAMETER_VALUE', /mlflow\.onnx\.log_model/);
  });

  test('transition-stage to Production, with archive_existing_versions, lands in our registry', async () => {
    const mv = (await ok('POST', 'model-versions/transition-stage', { name: 'churn', version: '1', stage: 'Production', archive_existing_versions: true }))[
      'model_version'
    ] as Record<string, unknown>;
    assert.equal(mv['current_stage'], 'Production');
    const ours = await daemon.client.request(getModel, { params: { name: 'churn' } });
    assert.equal(ours.model.production_version, 1);
    const latest = (await ok('POST', 'registered-models/get-latest-versions', { name: 'churn', stages: ['Production'] }))['model_versions'] as { version: string }[];
    assert.deepEqual(latest.map((v) => v.version), ['1']);
    assertError(await call('POST', 'model-versions/transition-stage', { name: 'churn', version: '1', stage: 'Live' }), 400, 'INVALID_PARAMETER_VALUE', /Staging/);
  });

  test('aliases: set, get by alias, delete', async () => {
    await ok('POST', 'registered-models/alias', { name: 'churn', alias: 'champion', version: '1' });
    const byAlias = (await ok('GET', 'registered-models/alias', { name: 'churn', alias: 'champion' }))['model_version'] as Record<string, unknown>;
    assert.equal(byAlias['version'], '1');
    assert.deepEqual(byAlias['aliases'], ['champion']);
    await ok('DELETE', 'registered-models/alias', { name: 'churn', alias: 'champion' });
    assertError(await call('GET', 'registered-models/alias', { name: 'churn', alias: 'champion' }), 404, 'RESOURCE_DOES_NOT_EXIST');
  });

  test('end_run → runs/update FINISHED; the run shows in our own API with what MLflow logged', async () => {
    const info = (await ok('POST', 'runs/update', { run_id: runId, status: 'FINISHED', end_time: Date.now() }))['run_info'] as Record<string, unknown>;
    assert.equal(info['status'], 'FINISHED');
    const ours = await daemon.client.request(getRun, { params: { id: runId } });
    assert.equal(ours.status, 'finished');
    assert.equal(ours.experiment, 'churn-mlflow');
    assert.equal(ours.metrics['auc'], 0.79);
    assert.equal(ours.params['lr'], '0.1');
    assert.ok(ours.artifacts.some((a) => a.path === 'model/model.onnx'));
  });
});

describe('search', () => {
  test('runs/search with a metric filter, order_by and paging', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = (await ok('POST', 'runs/create', { experiment_id: experimentId, run_name: `sweep-${i}`, start_time: 1_700_000_000_000 + i }))['run'] as { info: { run_id: string } };
      ids.push(r.info.run_id);
      await ok('POST', 'runs/log-batch', { run_id: r.info.run_id, metrics: [{ key: 'rmse', value: i / 10, timestamp: 1, step: 0 }], params: [{ key: 'depth', value: String(i) }] });
    }
    const page1 = await ok('POST', 'runs/search', { experiment_ids: [experimentId], filter: 'metrics.rmse < 0.35', order_by: ['metrics.rmse DESC'], max_results: 2 });
    const names1 = (page1['runs'] as { info: { run_name: string } }[]).map((r) => r.info.run_name);
    assert.deepEqual(names1, ['sweep-3', 'sweep-2']);
    const page2 = await ok('POST', 'runs/search', { experiment_ids: [experimentId], filter: 'metrics.rmse < 0.35', order_by: ['metrics.rmse DESC'], max_results: 2, page_token: page1['next_page_token'] });
    assert.deepEqual((page2['runs'] as { info: { run_name: string } }[]).map((r) => r.info.run_name), ['sweep-1', 'sweep-0']);
    assert.equal(page2['next_page_token'], undefined);
    const byParam = await ok('POST', 'runs/search', { experiment_ids: [experimentId], filter: "params.depth = '4' and attributes.status = 'RUNNING'" });
    assert.deepEqual((byParam['runs'] as { info: { run_id: string } }[]).map((r) => r.info.run_id), [ids[4]]);
    const bad = await call('POST', 'runs/search', { experiment_ids: [experimentId], filter: 'metrics.rmse <' });
    assertError(bad, 400, 'INVALID_PARAMETER_VALUE', /expected a value/);
  });

  test("search filters and orders on the latest value by MLflow's rule, the one runs/get shows", async () => {
    const exp = (await ok('POST', 'experiments/create', { name: 'latest-rule' }))['experiment_id'] as string;
    const run = async (name: string, metrics: { value: number; timestamp: number; step: number }[]): Promise<string> => {
      const id = ((await ok('POST', 'runs/create', { experiment_id: exp, run_name: name }))['run'] as { info: { run_id: string } }).info.run_id;
      // One call per point, in the given order: arrival order must not decide which point is latest.
      for (const m of metrics) await ok('POST', 'runs/log-metric', { run_id: id, key: 'loss', ...m });
      return id;
    };
    // A lower step logged after a higher one: the higher step stays the latest (0.2, not 0.9).
    const lowerStepLater = await run('lower-step-later', [{ value: 0.2, timestamp: 10, step: 5 }, { value: 0.9, timestamp: 20, step: 1 }]);
    // Equal steps: the later timestamp wins even when it arrived first (0.3, not 0.8).
    const laterTimestampFirst = await run('later-timestamp-first', [{ value: 0.3, timestamp: 50, step: 2 }, { value: 0.8, timestamp: 40, step: 2 }]);
    // Equal step and timestamp: the larger value (0.7, not 0.1).
    const tie = await run('tie', [{ value: 0.7, timestamp: 5, step: 0 }, { value: 0.1, timestamp: 5, step: 0 }]);
    const latest = async (id: string): Promise<unknown> => (((await ok('GET', 'runs/get', { run_id: id }))['run'] as { data: { metrics: { value: unknown }[] } }).data.metrics[0]?.value);
    assert.deepEqual([await latest(lowerStepLater), await latest(laterTimestampFirst), await latest(tie)], [0.2, 0.3, 0.7]);
    const names = async (filter: string, order = 'metrics.loss ASC'): Promise<string[]> =>
      (((await ok('POST', 'runs/search', { experiment_ids: [exp], filter, order_by: [order] }))['runs'] ?? []) as { info: { run_name: string } }[]).map((r) => r.info.run_name);
    assert.deepEqual(await names('metrics.loss < 0.5'), ['lower-step-later', 'later-timestamp-first']);
    assert.deepEqual(await names('metrics.loss > 0.5'), ['tie']);
    assert.deepEqual(await names('', 'metrics.loss DESC'), ['tie', 'later-timestamp-first', 'lower-step-later']);
  });

  test('deleted runs leave searches unless asked for; restore brings them back', async () => {
    await ok('POST', 'runs/delete', { run_id: runId });
    const active = await ok('POST', 'runs/search', { experiment_ids: [experimentId], filter: `attributes.run_id = '${runId}'` });
    assert.equal(active['runs'], undefined);
    const deleted = await ok('POST', 'runs/search', { experiment_ids: [experimentId], filter: `attributes.run_id = '${runId}'`, run_view_type: 'DELETED_ONLY' });
    assert.equal((deleted['runs'] as unknown[]).length, 1);
    await ok('POST', 'runs/restore', { run_id: runId });
  });

  test('experiments/search by name, registered-models/search and model-versions/search', async () => {
    const found = await ok('POST', 'experiments/search', { filter: "name LIKE 'churn%'", max_results: 10 });
    assert.deepEqual((found['experiments'] as { name: string }[]).map((e) => e.name), ['churn-mlflow']);
    const models = await ok('GET', 'registered-models/search', { filter: "name = 'churn'" });
    assert.equal((models['registered_models'] as { name: string }[])[0]?.name, 'churn');
    const versions = await ok('GET', 'model-versions/search', { filter: `run_id = '${runId}'` });
    assert.deepEqual((versions['model_versions'] as { version: string }[]).map((v) => v.version), ['1']);
  });
});

describe('errors, traversal and the other door', () => {
  test('unknown run and experiment: RESOURCE_DOES_NOT_EXIST with 404', async () => {
    assertError(await call('GET', 'runs/get', { run_id: 'nope000000' }), 404, 'RESOURCE_DOES_NOT_EXIST');
    assertError(await call('GET', 'experiments/get', { experiment_id: '99999' }), 404, 'RESOURCE_DOES_NOT_EXIST');
  });

  test('a malformed body is INVALID_PARAMETER_VALUE naming the field', async () => {
    assertError(await call('POST', 'runs/log-metric', { run_id: runId, key: 'x', value: 'lots', timestamp: 1 }), 400, 'INVALID_PARAMETER_VALUE', /value/);
  });

  test('artifact traversal is refused, plain and percent-encoded, and nothing is written', async () => {
    for (const bad of [
      `${experimentId}/${runId}/artifacts/../../../../etc/passwd`,
      `${experimentId}/${runId}/artifacts/%2e%2e/%2e%2e/x`,
      `${experimentId}/${runId}/artifacts/a/..%2F..%2Fb`,
      `${experimentId}/${runId}/artifacts//abs`,
      `${experimentId}/${runId}/artifacts/a%5Cb`,
    ]) {
      const status = await upload(bad, 'x');
      assert.ok(status === 400 || status === 404, `${bad}: ${status}`);
    }
    const ours = await daemon.client.request(getRun, { params: { id: runId } });
    assert.ok(!ours.artifacts.some((a) => a.path.includes('..') || a.path.includes('passwd')));
  });

  test('the /ajax-api/ prefix answers as /api/ does, and the token is required', async () => {
    const r = await call('GET', 'experiments/get', { experiment_id: experimentId }, '/ajax-api/2.0/mlflow');
    assert.equal(r.status, 200, r.text);
    const anon = await rawRequest({ port: daemon.info.port, method: 'GET', path: `/api/2.0/mlflow/experiments/get?experiment_id=${experimentId}` });
    assert.equal(anon.status, 401);
  });

  test('a model with a Production version cannot be deleted; rename then delete after archiving', async () => {
    assertError(await call('DELETE', 'registered-models/delete', { name: 'churn' }), 400, 'INVALID_STATE', /Production/);
    const renamed = (await ok('POST', 'registered-models/rename', { name: 'churn', new_name: 'churn2' }))['registered_model'] as { name: string };
    assert.equal(renamed.name, 'churn2');
    await ok('POST', 'model-versions/transition-stage', { name: 'churn2', version: '1', stage: 'Archived' });
    await ok('DELETE', 'registered-models/delete', { name: 'churn2' });
    assertError(await call('GET', 'registered-models/get', { name: 'churn2' }), 404, 'RESOURCE_DOES_NOT_EXIST');
  });
});
