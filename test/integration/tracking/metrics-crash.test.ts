/** kill -9 of the daemon during sustained metric writes from several processes: no acknowledged point is lost. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { integrityCheck, startDaemon, tempProject, type TempProject } from '../../helpers/index';
import * as endpoints from '../../../schemas/src/endpoints';

const projects: TempProject[] = [];
after(async () => {
  for (const p of projects) await p.cleanup();
});

test('every acknowledged metric point survives kill -9, and the store is intact', async () => {
  const p = tempProject({ prefix: 'mlops-metrics-crash-' });
  projects.push(p);
  const d = await startDaemon(p.root);
  const run = await d.client.request(endpoints.createRun, { body: { experiment: 'crash' } });
  const writers = ['loss', 'acc', 'lr'].map((key) => {
    const ack = join(p.root, `ack-${key}.txt`);
    const proc = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'metric-writer.ts'), String(d.info.port), d.info.token, run.id, key, ack], {
      stdio: 'ignore',
    });
    return { key, ack, proc };
  });
  const deadline = Date.now() + 20_000;
  const acked = (ack: string): number => (existsSync(ack) ? readFileSync(ack, 'utf8').split('\n').length - 1 : 0);
  const minAcked = (): number => Math.min(...writers.map((w) => acked(w.ack)));
  while (minAcked() < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.ok(minAcked() >= 10, 'every writer got acknowledgements before the crash');
  await d.kill9();
  await Promise.all(writers.map((w) => new Promise((r) => (w.proc.exitCode !== null ? r(null) : w.proc.once('exit', r)))));
  assert.equal(integrityCheck(p.root), 'ok');
  const again = await startDaemon(p.root);
  try {
    const series = await again.client.request(endpoints.getMetricSeries, { params: { id: run.id } });
    for (const w of writers) {
      const lines = readFileSync(w.ack, 'utf8').trim().split('\n');
      const lastAcked = Math.max(...lines.map((l) => Number(l.split(' ')[2])));
      const s = series.series.find((x) => x.key === w.key);
      assert.ok(s, `series ${w.key} exists`);
      const steps = new Set(s.steps);
      for (let step = 0; step <= lastAcked; step++) assert.ok(steps.has(step), `${w.key} step ${step} acknowledged but missing`);
    }
  } finally {
    await again.stop();
  }
});
