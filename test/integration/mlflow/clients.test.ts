/**
 * A third-party MLflow client (the npm package `mlflow`, a REST client written against MLflow's
 * server) pointed at the daemon with what `mlops env` prints: what it logs shows in `mlops runs`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { configYaml, runCli, runCliJson, stopDaemonsOf, tempProject, type TempProject } from '../../helpers';

interface MlflowClient {
  Experiments: { create(a: { name: string }): Promise<{ experiment_id: string }>; get(a: { experiment_id: string }): Promise<{ experiment: { name: string } }> };
  Runs: {
    create(a: { experiment_id: string; start_time: number; tags?: { key: string; value: string }[] }): Promise<{ run: { info: { run_id: string } } }>;
    logParameter(a: { run_id: string; key: string; value: string }): Promise<unknown>;
    logMetric(a: { run_id: string; key: string; value: number; timestamp: number; step: number }): Promise<unknown>;
    logBatch(a: { run_id: string; metrics?: unknown[]; params?: unknown[]; tags?: unknown[] }): Promise<unknown>;
    update(a: { run_id: string; status: string; end_time: number }): Promise<unknown>;
    search(a: { experiment_ids: string[]; filter?: string; max_results?: number }): Promise<{ runs?: { info: { run_id: string } }[] }>;
    get(a: { run_id: string }): Promise<{ run: { data: { params?: { key: string; value: string }[] } } }>;
  };
  Metrics: { getHistory(a: { run_id: string; metric_key: string }): Promise<{ metrics?: { value: number; step: number }[] }> };
}

let project: TempProject;

before(() => {
  project = tempProject({ config: configYaml() });
});
after(async () => {
  await stopDaemonsOf(project.root);
  project.cleanup();
});

test('mlops env prints exports that a shell can eval, and --json the same two values', async () => {
  const env = (await runCliJson(['env'], { cwd: project.root })) as { MLFLOW_TRACKING_URI: string; MLFLOW_TRACKING_TOKEN: string };
  assert.match(env.MLFLOW_TRACKING_URI, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.match(env.MLFLOW_TRACKING_TOKEN, /^\S{16,}$/);
  const text = await runCli(['env'], { cwd: project.root });
  assert.equal(text.code, 0, text.stderr);
  assert.equal(text.stdout, `export MLFLOW_TRACKING_URI='${env.MLFLOW_TRACKING_URI}'\nexport MLFLOW_TRACKING_TOKEN='${env.MLFLOW_TRACKING_TOKEN}'\n`);
});

test('the npm mlflow client logs a run that `mlops runs` shows', async () => {
  const env = (await runCliJson(['env'], { cwd: project.root })) as { MLFLOW_TRACKING_URI: string; MLFLOW_TRACKING_TOKEN: string };
  const log = console.log;
  console.log = () => undefined; // the package prints every request body
  try {
    const { default: MLflow } = (await import('mlflow')) as unknown as { default: new (a: { endpoint: string; headers: Record<string, string> }) => MlflowClient };
    const client = new MLflow({ endpoint: env.MLFLOW_TRACKING_URI, headers: { Authorization: `Bearer ${env.MLFLOW_TRACKING_TOKEN}` } });
    const { experiment_id } = await client.Experiments.create({ name: 'npm-client' });
    assert.equal((await client.Experiments.get({ experiment_id })).experiment.name, 'npm-client');
    const { run } = await client.Runs.create({ experiment_id, start_time: Date.now(), tags: [{ key: 'mlflow.runName', value: 'from-npm' }] });
    const id = run.info.run_id;
    await client.Runs.logParameter({ run_id: id, key: 'depth', value: '6' });
    for (let step = 0; step < 3; step++) await client.Runs.logMetric({ run_id: id, key: 'loss', value: 1 / (step + 1), timestamp: Date.now(), step });
    await client.Runs.logBatch({ run_id: id, metrics: [{ key: 'auc', value: 0.83, timestamp: Date.now(), step: 0 }], params: [{ key: 'lr', value: '0.05' }] });
    await client.Runs.update({ run_id: id, status: 'FINISHED', end_time: Date.now() });
    const history = await client.Metrics.getHistory({ run_id: id, metric_key: 'loss' });
    assert.deepEqual(history.metrics?.map((m) => m.step), [0, 1, 2]);
    const found = await client.Runs.search({ experiment_ids: [experiment_id], filter: 'metrics.auc > 0.8' });
    assert.deepEqual(found.runs?.map((r) => r.info.run_id), [id]);
    const runs = (await runCliJson(['runs', 'list', '--experiment', 'npm-client'], { cwd: project.root })) as { id: string; name: string; status: string; metrics: Record<string, number> }[];
    assert.equal(runs.length, 1);
    assert.deepEqual([runs[0]?.id, runs[0]?.name, runs[0]?.status, runs[0]?.metrics['auc']], [id, 'from-npm', 'finished', 0.83]);
  } finally {
    console.log = log;
  }
});
