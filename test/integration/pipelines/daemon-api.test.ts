/**
 * The pipeline through the daemon, as the Pipelines view uses it: stage states (stale and why,
 * cached, failed with its log) from a real daemon process, runs started over HTTP (one at a time,
 * recorded as `pipeline.triggered`), and the drift trigger started by an `alert.opened` event
 * appended to a real daemon's event log.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DaemonApp } from '../../../daemon/src/app';
import { silentLogger } from '../../../daemon/src/util/logger';
import * as endpoints from '../../../schemas/src/endpoints';
import { type PipelineStatus } from '../../../schemas/src/pipelines';
import { ApiError, type DaemonClient } from '../../../client/src/client';
import { runCli, startDaemon, tempProject } from '../../helpers';
import { VERSION } from '../../../shared/src/version';

const CONFIG = `version: 1
project: {name: pipe-api}
params:
  train: {lr: 0.1}
deployments:
  prod: {model: churn}
models:
  churn:
    task: classification
    signature: {inputs: [{name: a, type: float}]}
pipeline:
  stages:
    prep:
      cmd: mkdir -p out && cp in.txt out/clean.txt
      deps: [in.txt]
      outs: [out/clean.txt]
    train:
      cmd: test ! -e FAIL && cat out/clean.txt > out/model.txt && echo trained
      deps: [out/clean.txt]
      params: [train.lr]
      outs: [out/model.txt]
  triggers:
    - {kind: drift, deployment: prod}
`;

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 90_000): Promise<T> {
  for (let waited = 0; waited < ms; waited += 250) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const states = (s: PipelineStatus) => Object.fromEntries(s.stages.map((x) => [x.id, x.state]));

async function settled(c: DaemonClient, want: Record<string, string>): Promise<PipelineStatus> {
  return until(`stage states ${JSON.stringify(want)}`, async () => {
    const s = await c.request(endpoints.getPipeline);
    return !s.running && JSON.stringify(states(s)) === JSON.stringify(want) ? s : undefined;
  });
}

test('stage states, reasons and logs from the daemon; runs started over HTTP are recorded and coalesced', async () => {
  const p = tempProject({ config: CONFIG, prefix: 'mlops-pipeapi-' });
  const d = await startDaemon(p.root);
  try {
    writeFileSync(join(p.root, 'in.txt'), 'hello\n');
    const fresh = await d.client.request(endpoints.getPipeline);
    assert.deepEqual(states(fresh), { prep: 'stale', train: 'stale' });
    assert.deepEqual(fresh.stages.find((s) => s.id === 'train')?.needs, ['prep']);
    assert.equal(fresh.stages[0]?.log, null);

    const started = await d.client.request(endpoints.startPipeline, { body: { reason: 'test' } });
    assert.equal(started.queued, false);
    const done = await settled(d.client, { prep: 'cached', train: 'cached' });
    assert.equal(done.stages.find((s) => s.id === 'train')?.log, '.mlops/pipelines/logs/train.log');
    assert.match(readFileSync(join(p.root, '.mlops/pipelines/logs/train.log'), 'utf8'), /trained/);
    const events = await d.client.request(endpoints.listEvents, { query: { subject: 'pipeline:' } });
    assert.equal(events.events.length, 1);
    assert.match(events.events[0]?.reason ?? '', /^test \(/);

    writeFileSync(join(p.root, 'in.txt'), 'changed\n');
    const edited = await d.client.request(endpoints.getPipeline);
    assert.deepEqual(states(edited), { prep: 'stale', train: 'stale' });
    assert.match(edited.stages[0]?.reason ?? '', /dep in\.txt changed/);
    assert.match(edited.stages[1]?.reason ?? '', /upstream prep would run/);

    writeFileSync(join(p.root, 'FAIL'), '');
    await d.client.request(endpoints.startPipeline, { body: { stages: ['train'], reason: 'test' } });
    const failed = await settled(d.client, { prep: 'cached', train: 'failed' });
    assert.match(failed.stages[1]?.reason ?? '', /^failed in run [0-9a-f]+; /);
    rmSync(join(p.root, 'FAIL'));

    await assert.rejects(d.client.request(endpoints.startPipeline, { body: { stages: ['--force'] } }), (e: unknown) => e instanceof ApiError && e.status === 400 && /stages\[0\]: no stage named "--force"/.test(e.message));
  } finally {
    await d.stop();
    await p.cleanup();
  }
});

test('drift alerts on the deployment a drift trigger names start pipeline runs recording why, a burst coalesced behind the running one; other alerts start none', async () => {
  const p = tempProject({ config: CONFIG, prefix: 'mlops-drifttrig-' });
  writeFileSync(join(p.root, 'in.txt'), 'hello\n');
  const app = new DaemonApp({ root: p.root, token: 'd'.repeat(64), log: silentLogger });
  try {
    // The real daemon in this process, so the test can append to its event log as monitoring does;
    // the triggered `mlops run` child reaches it through daemon.json like any client.
    const port = await app.listen();
    await app.startWatching();
    writeFileSync(p.daemonJson, JSON.stringify({ pid: process.pid, port, token: 'd'.repeat(64), version: VERSION }));
    const alert = (subject: string, kind: string) => app.events.record({ actor: 'monitor', kind: 'alert.opened', subject, after: { id: 1, kind, deployment: subject.slice(11) }, reason: `${kind} detected` });
    alert('deployment:other', 'drift');
    alert('deployment:prod', 'latency');
    assert.equal(app.triggers.running, false, 'no run for another deployment or another kind of alert');
    // A burst: the first starts a run, the two arriving while it runs fold into one next run.
    alert('deployment:prod', 'drift');
    alert('deployment:prod', 'drift');
    alert('deployment:prod', 'drift');
    await until('the triggered runs', async () => (app.triggers.history.length >= 2 && !app.triggers.running ? true : undefined));
    await new Promise((r) => setTimeout(r, 500));
    const log = readFileSync(join(p.stateDir, 'pipelines/triggered.log'), 'utf8');
    assert.deepEqual(app.triggers.history, [{ reason: 'drift alert on prod', code: 0 }, { reason: 'drift alert on prod', code: 0 }], log);
    assert.ok(existsSync(join(p.root, 'out/model.txt')));
    const runs = JSON.parse((await runCli(['runs', 'list', '--experiment', 'pipeline', '--json'], { cwd: p.root })).stdout) as { id: string; name: string }[];
    const pipelineRun = runs.find((r) => r.name.startsWith('pipeline '));
    const detail = JSON.parse((await runCli(['runs', 'show', pipelineRun?.id ?? '', '--json'], { cwd: p.root })).stdout) as { tags: Record<string, string> };
    assert.match(detail.tags['mlops.trigger'] ?? '', /^drift alert on prod/);
  } finally {
    rmSync(p.daemonJson, { force: true });
    await app.close();
    await p.cleanup();
  }
});
