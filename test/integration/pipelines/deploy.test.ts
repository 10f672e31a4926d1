/**
 * The built-in deploy stage through `mlops run`: the demo's real trainer writes an ONNX model, the
 * register stage registers it, the deploy stage promotes it to the stage the deployment follows and
 * starts the deployment; a param change re-trains, registers version 2, and the deployment switches
 * to it while serving. Real CLI, daemon, serving process and HTTP.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPipelineJson, type StageResult } from '../../../schemas/src/pipelines';
import { deploymentShowJson } from '../../../schemas/src/serving';
import { REPO_ROOT, runCli, tempProject, type TempProject } from '../../helpers';

const env = { PATH: `${join(REPO_ROOT, 'node_modules', '.bin')}:${process.env['PATH'] ?? ''}`, CHURN_SCRIPTS: join(REPO_ROOT, 'examples', 'churn') };

/** The demo's config (models, data, deployments) with a pipeline ending in a deploy stage. */
function config(epochs: number, follows = 'stage: Production'): string {
  const demo = readFileSync(join(REPO_ROOT, 'examples/churn/mlops.yaml'), 'utf8');
  const head = demo.slice(0, demo.indexOf('\ndeployments:')).replace(/epochs: \d+/, `epochs: ${epochs}`);
  return `${head}
deployments:
  production: {model: churn, ${follows}, port: 0}
pipeline:
  stages:
    features:
      cmd: tsx \${CHURN_SCRIPTS}/features.ts --data data --out features
      deps: [data/train.csv, data/holdout.csv]
      outs: [features]
    train:
      cmd: tsx \${CHURN_SCRIPTS}/train.ts --data features --out artifacts
      deps: [features]
      params: [train.learning_rate, train.epochs, train.seed]
      outs: [artifacts/model.onnx]
      metrics: [artifacts/metrics.json]
    register: {kind: register, model: churn, artifact: artifacts/model.onnx, deps: [artifacts/model.onnx, artifacts/metrics.json]}
    deploy: {kind: deploy, deployment: production, after: [register]}
`;
}

async function run(p: TempProject): Promise<Record<string, StageResult>> {
  const r = await runCli(['run', '--json'], { cwd: p.root, env, timeoutMs: 240_000 });
  assert.equal(r.code, 0, `mlops run failed:\n${r.stdout}\n${r.stderr}`);
  return Object.fromEntries(runPipelineJson.parse(JSON.parse(r.stdout)).stages.map((s) => [s.name, s]));
}

async function show(p: TempProject) {
  const r = await runCli(['deployments', 'show', 'production', '--json'], { cwd: p.root });
  assert.equal(r.code, 0, r.stderr);
  return deploymentShowJson.parse(JSON.parse(r.stdout));
}

async function predict(url: string): Promise<{ model_version: number }> {
  const row = Object.fromEntries(['tenure_months', 'monthly_charges', 'total_charges', 'contract_type', 'payment_method', 'internet_service', 'streaming_services', 'paperless_billing', 'support_calls', 'num_products', 'age', 'avg_monthly_gb', 'late_payments_12m', 'satisfaction_score', 'has_partner', 'has_dependents', 'tech_support', 'days_since_last_login', 'discount_pct', 'referrals'].map((f) => [f, 1]));
  Object.assign(row, { age: 30, satisfaction_score: 3, num_products: 2 });
  const res = await fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ instances: [row] }) });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as { model_version: number };
}

test('a deploy stage promotes the registered version, starts the deployment, and switches it when a param change registers a new one', async () => {
  const p = tempProject({ config: config(40), prefix: 'mlops-deploy-' });
  try {
    execFileSync(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), [join(REPO_ROOT, 'examples/churn/generate-data.ts'), '--rows', '400', '--seed', '5'], { cwd: p.root, stdio: 'pipe' });
    const first = await run(p);
    assert.equal(first['deploy']?.status, 'ran', JSON.stringify(first));
    assert.match(first['deploy']?.reason ?? '', /serves churn version 1/);
    const d1 = await show(p);
    assert.equal(d1.state, 'serving');
    assert.equal(d1.version, 1);
    assert.ok(d1.url);
    assert.equal((await predict(d1.url)).model_version, 1);
    const v1 = JSON.parse((await runCli(['models', 'show', 'churn', '--json'], { cwd: p.root })).stdout) as { model: { production_version: number } };
    assert.equal(v1.model.production_version, 1, 'promoted through the registry');
    assert.match(readFileSync(join(p.root, '.mlops/pipelines/logs/deploy.log'), 'utf8'), /serving version 1/);

    // Unchanged: nothing runs, the deployment is left alone.
    const again = await run(p);
    assert.deepEqual(Object.values(again).map((s) => s.status), ['cached', 'cached', 'cached', 'cached']);

    // A param change re-trains and registers version 2; the deploy stage re-runs because its
    // register stage did, and the serving deployment switches in place (same process).
    p.writeConfig(config(41));
    const second = await run(p);
    assert.equal(second['train']?.status, 'ran');
    assert.equal(second['register']?.status, 'ran');
    assert.equal(second['deploy']?.status, 'ran', JSON.stringify(second));
    assert.match(second['deploy']?.reason ?? '', /serves churn version 2 \(switched from 1\)/);
    const d2 = await show(p);
    assert.equal(d2.version, 2);
    assert.equal(d2.pid, d1.pid, 'switched without restarting the serving process');
    assert.equal((await predict(d2.url ?? '')).model_version, 2);
  } finally {
    await runCli(['deployments', 'stop', 'production'], { cwd: p.root }).catch(() => undefined);
    await p.cleanup();
  }
});

test('a deploy stage refuses a deployment pinned to a fixed version, naming the setting', async () => {
  const p = tempProject({ config: config(20, 'version: 7'), prefix: 'mlops-deploy-' });
  try {
    execFileSync(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), [join(REPO_ROOT, 'examples/churn/generate-data.ts'), '--rows', '200', '--seed', '5'], { cwd: p.root, stdio: 'pipe' });
    const r = await runCli(['run', '--json'], { cwd: p.root, env, timeoutMs: 240_000 });
    assert.equal(r.code, 1);
    const deploy = runPipelineJson.parse(JSON.parse(r.stdout)).stages.find((s) => s.name === 'deploy');
    assert.equal(deploy?.status, 'failed');
    assert.match(deploy?.reason ?? '', /pinned to version 7 \(deployments\.production\.version\)/);
  } finally {
    await p.cleanup();
  }
});
