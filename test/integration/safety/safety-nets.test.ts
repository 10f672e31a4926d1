/**
 * Safety nets on real serving processes: a version that throws trips the breaker and the fallback
 * rules answer (marked in every protocol), a probe after the cool-down closes it again; the feature
 * flag flips answers to the fallback and back through mlops.yaml, keeping its comments; a shadow is
 * compared (two different versions disagree, a version with itself agrees fully).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { shadowReportJson } from '../../../schemas/src/safety';
import { runCli, runCliJson } from '../../helpers';
import { safetySuite } from '../../helpers/safety';
import { deploy, portOf, postJson, registry, showDeployment, waitFor } from '../../helpers/serving';

// churn v3 throws at run time for any feature value above 2; the rules answer instead.
const suite = safetySuite(`  safe:
    model: churn
    version: 3
    breaker:
      cooldown_s: 1
    fallback:
      rules:
        - tenure > 10 -> 1
      default: 0
  stuck:
    model: churn
    version: 3
    breaker:
      cooldown_s: 3600
    fallback:
      rules: ["tenure > 10 -> 1"]
      default: 0
  flagged:
    model: churn
    # the flag below is what \`mlops deployments disable\` edits; this comment must survive
    enabled: true   # on
    fallback:
      rules: ["spend > 100 -> 1"]
      default: 0
  bare:
    model: churn
  shadowed:
    model: churn
    shadow: 2
  mirrored:
    model: churn
    shadow: Production
`);

const good = { age: 1, tenure: 2, spend: 0 };
const bad = { age: 40, tenure: 12, spend: 0 };
type Answer = { fallback?: boolean; predictions: Record<string, unknown>[] };

async function eventKinds(subject: string): Promise<string[]> {
  const r = await registry(suite.daemon.client).events(0, 1000, subject);
  return r.events.map((e) => e.kind);
}

test('a version that throws trips the breaker; the rules answer, marked, in every protocol; a probe closes it', async () => {
  const c = suite.daemon.client;
  const port = portOf(await deploy(c, 'safe'));
  const ok = await postJson(port, '/predict', { instances: [good] });
  assert.equal(ok.status, 200);
  assert.equal((ok.json as Answer).fallback, undefined);
  // The throwing request itself is answered from the rules (tenure 12 > 10 -> 1), not with a 500.
  const tripped = await postJson(port, '/predict', { instances: [bad, { ...bad, tenure: 5 }] });
  assert.equal(tripped.status, 200, JSON.stringify(tripped.json));
  assert.deepEqual(tripped.json, { ...(tripped.json as object), fallback: true });
  assert.deepEqual((tripped.json as Answer).predictions, [{ prediction: 1 }, { prediction: 0 }]);
  const inv = await postJson(port, '/invocations', { dataframe_records: [bad] });
  assert.deepEqual(inv.json, { predictions: [1], fallback: true });
  const v2 = await postJson(port, '/v2/models/churn/infer', { inputs: [{ name: 'features', shape: [1, 3], datatype: 'FP32', data: [40, 12, 0] }] });
  assert.equal(v2.status, 200, JSON.stringify(v2.json));
  assert.equal((v2.json as { fallback: boolean }).fallback, true);
  assert.deepEqual((v2.json as { outputs: { data: unknown[] }[] }).outputs[0]?.data, [1]);
  const open = await waitFor('breaker open in deployments show', async () => {
    const d = await showDeployment(c, 'safe');
    return d.breaker?.state === 'open' ? d.breaker : undefined;
  });
  assert.match(open.reason, /the model threw/);
  // After the cool-down a request probes the model; good input succeeds and closes the breaker.
  const back = await waitFor('the model answers again', async () => {
    const r = await postJson(port, '/predict', { instances: [good] });
    return r.status === 200 && !(r.json as Answer).fallback ? r : undefined;
  });
  assert.equal(back.status, 200);
  await waitFor('breaker closed', async () => ((await showDeployment(c, 'safe')).breaker?.state === 'closed' ? true : undefined));
  const kinds = await eventKinds('deployment:safe');
  for (const k of ['breaker.opened', 'breaker.half_open', 'breaker.closed']) assert.ok(kinds.includes(k), `${k} in ${kinds.join(', ')}`);
});

test('while the breaker is open, good requests get the fallback too', async () => {
  const c = suite.daemon.client;
  const port = portOf(await deploy(c, 'stuck'));
  await postJson(port, '/predict', { instances: [bad] });
  await waitFor('breaker open', async () => ((await showDeployment(c, 'stuck')).breaker?.state === 'open' ? true : undefined));
  for (let i = 0; i < 20; i++) {
    const r = await postJson(port, '/predict', { instances: [good] });
    assert.deepEqual([r.status, (r.json as Answer).fallback, (r.json as Answer).predictions], [200, true, [{ prediction: 0 }]]);
  }
  const text = (await runCli(['deployments', 'show', 'stuck'], { cwd: suite.project.root })).stdout;
  assert.match(text, /circuit breaker: open since .* \(the model threw: .*\); \d+ fallback answers/);
});

test('the feature flag flips answers to the fallback and back, keeping mlops.yaml comments; without rules a clear 503', async () => {
  const c = suite.daemon.client;
  const root = suite.project.root;
  const port = portOf(await deploy(c, 'flagged'));
  const instance = { age: 40, tenure: 3, spend: 150 };
  const model = await postJson(port, '/predict', { instances: [instance] });
  assert.equal((model.json as Answer).fallback, undefined);
  const before = readFileSync(join(root, 'mlops.yaml'), 'utf8');
  const r = await runCliJson(['deployments', 'disable', 'flagged', '--reason', 'incident 7'], { cwd: root });
  assert.deepEqual(r, { deployment: 'flagged', enabled: false, changed: true, file: join(root, 'mlops.yaml') });
  const afterText = readFileSync(join(root, 'mlops.yaml'), 'utf8');
  // Exactly one scalar changed: comments, spacing and every other line stay byte for byte.
  assert.equal(afterText, before.replace('enabled: true   # on', 'enabled: false   # on'));
  const fb = await waitFor('fallback answers', async () => {
    const a = await postJson(port, '/predict', { instances: [instance] });
    return (a.json as Answer).fallback ? a : undefined;
  });
  assert.deepEqual((fb.json as Answer).predictions, [{ label: 1 }]);
  assert.equal((await showDeployment(c, 'flagged')).state, 'serving', 'disabled is not stopped');
  await runCliJson(['deployments', 'enable', 'flagged'], { cwd: root });
  assert.equal(readFileSync(join(root, 'mlops.yaml'), 'utf8'), before);
  await waitFor('model answers', async () => ((await postJson(port, '/predict', { instances: [instance] })).json as Answer).fallback ? undefined : true);
  const events = (await registry(c).events(0, 1000, 'deployment:flagged')).events.filter((e) => e.kind === 'deployment.flag_changed');
  assert.deepEqual(events.map((e) => [e.after, e.reason]), [[{ enabled: false }, 'incident 7'], [{ enabled: true }, '']]);

  const barePort = portOf(await deploy(c, 'bare'));
  await runCliJson(['deployments', 'disable', 'bare'], { cwd: root });
  const refused = await waitFor('503', async () => {
    const a = await postJson(barePort, '/predict', { instances: [good] });
    return a.status === 503 ? a : undefined;
  });
  const err = (refused.json as { error: { code: string; message: string } }).error;
  assert.equal(err.code, 'deployment_disabled');
  assert.match(err.message, /deployments\.bare\.enabled: false.*no fallback rules.*mlops deployments enable bare/);
});

async function traffic(port: number, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const r = await postJson(port, '/predict', { instances: [{ age: (i % 13) - 6, tenure: (i % 7) - 3, spend: ((i * 37) % 11) - 5 }] });
    assert.equal(r.status, 200);
  }
}

test('shadow agreement: a different version disagrees on some labels, the same version agrees on all', async () => {
  const c = suite.daemon.client;
  const [a, b] = await Promise.all([deploy(c, 'shadowed'), deploy(c, 'mirrored')]);
  await Promise.all([traffic(portOf(a), 150), traffic(portOf(b), 150)]);
  const report = async (d: string) => shadowReportJson.parse(await runCliJson(['shadow', 'report', d], { cwd: suite.project.root }));
  const diff = await waitFor('shadowed compared', async () => {
    const r = await report('shadowed');
    return (r.pairs[0]?.compared ?? 0) >= 150 ? r : undefined;
  }, 30_000);
  const same = await waitFor('mirrored compared', async () => {
    const r = await report('mirrored');
    return (r.pairs[0]?.compared ?? 0) >= 150 ? r : undefined;
  }, 30_000);
  const d = diff.pairs[0];
  const s = same.pairs[0];
  assert.ok(d && s);
  assert.deepEqual([d.primary_version, d.shadow_version, s.primary_version, s.shadow_version], [1, 2, 1, 1]);
  assert.ok(d.agreement !== null && d.agreement < 1 && d.agreement > 0, `agreement ${d.agreement}`);
  assert.ok((d.mean_abs_score_diff ?? 0) > 0);
  assert.equal(s.agreement, 1);
  assert.equal(s.mean_abs_score_diff, 0);
  assert.equal(d.primary_latency.count, 150);
  assert.equal(d.shadow_latency.count, 150);
  const text = (await runCli(['shadow', 'report', 'shadowed'], { cwd: suite.project.root })).stdout;
  assert.match(text, /v1\s+v2\s+150\s+\d+\.\d %/);
});
