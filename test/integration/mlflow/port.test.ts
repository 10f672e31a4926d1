/**
 * The daemon keeps its port across restarts so an exported MLFLOW_TRACKING_URI stays valid: a real
 * daemon restarted twice, the second time with its port taken by another process, and what
 * `mlops env` says about it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configYaml, runCli, runCliJson, startDaemon, stopDaemonsOf, tempProject, type TempProject } from '../../helpers';

let project: TempProject;
let blocker: Server | undefined;

before(() => {
  project = tempProject({ config: configYaml() });
});
after(async () => {
  await stopDaemonsOf(project.root);
  await new Promise<void>((r) => (blocker ? blocker.close(() => r()) : r()));
  project.cleanup();
});

interface EnvJson {
  MLFLOW_TRACKING_URI: string;
  MLFLOW_TRACKING_TOKEN: string;
  port_changed?: { from: number; to: number; at: string };
}

test('a restart keeps the port; a taken port falls back to a free one and mlops env says so', async () => {
  const first = await startDaemon(project.root);
  const port = first.info.port;
  await first.stop();

  const second = await startDaemon(project.root);
  assert.equal(second.info.port, port, 'the restarted daemon asks for its previous port first');
  const kept = (await runCliJson(['env'], { cwd: project.root })) as EnvJson;
  assert.equal(kept.MLFLOW_TRACKING_URI, `http://127.0.0.1:${port}`);
  assert.equal(kept.port_changed, undefined);
  await second.stop();

  // Another process takes the port while the daemon is down.
  blocker = createServer();
  await new Promise<void>((resolve, reject) => {
    blocker?.once('error', reject);
    blocker?.listen(port, '127.0.0.1', () => resolve());
  });
  const third = await startDaemon(project.root);
  assert.notEqual(third.info.port, port, 'the taken port is not reused');
  const record = JSON.parse(readFileSync(join(project.stateDir, 'port.json'), 'utf8')) as { port: number; previous_port?: number };
  assert.deepEqual([record.port, record.previous_port], [third.info.port, port]);

  const moved = (await runCliJson(['env'], { cwd: project.root })) as EnvJson;
  assert.equal(moved.MLFLOW_TRACKING_URI, `http://127.0.0.1:${third.info.port}`);
  assert.deepEqual([moved.port_changed?.from, moved.port_changed?.to], [port, third.info.port]);
  // Text mode: stdout stays two eval-safe lines; the notes go to stderr, naming the stale export.
  const text = await runCli(['env'], { cwd: project.root, env: { MLFLOW_TRACKING_URI: `http://127.0.0.1:${port}` } });
  assert.equal(text.code, 0, text.stderr);
  assert.equal(text.stdout.split('\n').filter(Boolean).length, 2);
  assert.match(text.stderr, new RegExp(`port changed from ${port} to ${third.info.port}`));
  assert.match(text.stderr, new RegExp(`this shell's MLFLOW_TRACKING_URI \\(http://127\\.0\\.0\\.1:${port}\\) no longer points at the daemon`));
  await third.stop();
});
