/** Triggers in a real daemon: a burst of data changes starts exactly one run; schedules show in `daemon status`. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempProject } from '../../helpers';

const CONFIG = `version: 1
project: {name: trig}
data:
  raw: {paths: [data/raw.csv]}
pipeline:
  stages:
    count:
      cmd: wc -l < data/raw.csv > count.txt
      deps: ["data:raw"]
      outs: [count.txt]
  triggers:
    - {kind: data_change, dataset: raw}
    - {kind: schedule, cron: "0 3 * * *"}
`;

async function until(what: string, ok: () => boolean, ms = 60_000): Promise<void> {
  for (let waited = 0; waited < ms; waited += 200) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('a burst of writes to a watched dataset starts exactly one pipeline run, recording why; schedules are listed with their next run', async () => {
  const p = tempProject({ config: CONFIG, prefix: 'mlops-trig-' });
  try {
    mkdirSync(join(p.root, 'data'));
    writeFileSync(join(p.root, 'data/raw.csv'), 'a\n1\n');
    assert.equal((await runCli(['daemon', 'start'], { cwd: p.root })).code, 0);
    const st = JSON.parse((await runCli(['daemon', 'status', '--json'], { cwd: p.root })).stdout) as { schedules: { cron: string; next_run: string }[] };
    assert.equal(st.schedules.length, 1);
    assert.equal(st.schedules[0]?.cron, '0 3 * * *');
    assert.match(st.schedules[0]?.next_run ?? '', /T03:00:00/);

    for (let i = 2; i < 8; i++) {
      writeFileSync(join(p.root, 'data/raw.csv'), `a\n${'1\n'.repeat(i)}`);
      await new Promise((r) => setTimeout(r, 60));
    }
    const log = join(p.stateDir, 'pipelines', 'triggered.log');
    await until('the triggered run to finish', () => existsSync(log) && readFileSync(log, 'utf8').includes('# exit code'));
    // Long enough for a second (wrong) run to have started: the watcher settles after 1 s.
    await new Promise((r) => setTimeout(r, 3000));
    const text = readFileSync(log, 'utf8');
    assert.equal(text.match(/mlops run --trigger/g)?.length, 1, text);
    assert.match(text, /--trigger "data change of raw"/);
    assert.match(text, /# exit code 0/);
    assert.equal(readFileSync(join(p.root, 'count.txt'), 'utf8').trim(), '8');
    const runs = JSON.parse((await runCli(['runs', 'list', '--experiment', 'pipeline', '--json'], { cwd: p.root })).stdout) as { id: string; name: string }[];
    const pipelineRuns = runs.filter((r) => r.name.startsWith('pipeline '));
    assert.equal(pipelineRuns.length, 1);
    const detail = JSON.parse((await runCli(['runs', 'show', pipelineRuns[0]?.id ?? '', '--json'], { cwd: p.root })).stdout) as { tags: Record<string, string>; datasets: { dataset: string }[] };
    assert.equal(detail.tags['mlops.trigger'], 'data change of raw');
    assert.deepEqual(detail.datasets.map((d) => d.dataset), ['raw']);
  } finally {
    await p.cleanup();
  }
});
