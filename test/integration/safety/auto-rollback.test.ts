/**
 * Automatic rollback end to end: a freshly promoted version that throws trips its deployment's
 * breaker (the rules answer), monitoring opens an error-rate alert, and `on_alert: { error_rate:
 * rollback }` rolls Production back by itself through the registry; the endpoint hands over to the
 * earlier version with zero failed requests under load, and it happens once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { safetySuite } from '../../helpers/safety';
import { deploy, portOf, postJson, registry, waitFor } from '../../helpers/serving';

const suite = safetySuite(`  auto:
    model: churn
    on_alert: { error_rate: rollback, drift: notify }
    rollback_within: 1h
    breaker:
      cooldown_s: 1
    fallback:
      rules: ["tenure > 10 -> 1"]
      default: 0
    monitoring:
      error_rate:
        max: 0.05
`);

test('an error-rate alert on a freshly promoted version rolls it back by itself, once, with zero failed requests', async () => {
  const c = suite.daemon.client;
  const st = await deploy(c, 'auto');
  assert.equal(st.version, 1);
  const port = portOf(st);
  const failed: unknown[] = [];
  const seen = { fallback: 0, v1After: 0 };
  let rolledBack = false;
  let running = true;
  const worker = async (): Promise<void> => {
    for (let i = 0; running && i < 200_000; i++) {
      const r = await postJson(port, '/predict', { instances: [{ age: 40, tenure: 12, spend: 0 }] }).catch((e: unknown) => ({ status: 0, json: String(e) }));
      if (r.status !== 200) failed.push(r);
      else if ((r.json as { fallback?: boolean }).fallback) seen.fallback++;
      else if (rolledBack && (r.json as { model_version: number }).model_version === 1) seen.v1After++;
    }
  };
  const workers = Array.from({ length: 4 }, () => worker());
  await registry(c).setStage('churn', 3, 'Production', 'release 3');
  await waitFor('rolled back to 1', async () => ((await registry(c).getModel('churn')).model.production_version === 1 ? true : undefined), 60_000);
  rolledBack = true;
  await waitFor('version 1 answering again', async () => (seen.v1After > 20 ? true : undefined), 30_000);
  running = false;
  await Promise.all(workers);
  assert.deepEqual(failed, [], 'no request failed across the breaker and the hand-over');
  assert.ok(seen.fallback > 0, 'the rules answered while version 3 threw');
  const events = (await registry(c).events(0, 1000, 'deployment:auto')).events.filter((e) => e.kind === 'deployment.auto_rollback');
  assert.equal(events.length, 1);
  const ev = events[0];
  assert.equal(ev?.actor, 'rule:deployments.auto.on_alert.error_rate');
  assert.deepEqual([(ev?.after as { outcome: string }).outcome, (ev?.after as { to_version: number }).to_version], ['rolled_back', 1]);
  assert.match(ev?.reason ?? '', /error_rate alert \S+ on version 3 .*error rate/);
  const rb = (await registry(c).events(0, 1000, 'model:churn')).events.filter((e) => e.kind === 'model.rolled_back');
  assert.equal(rb.length, 1);
  assert.equal(rb[0]?.actor, 'rule:deployments.auto.on_alert.error_rate');
  assert.equal((await registry(c).getVersion('churn', 3)).stage, 'Archived');
});
