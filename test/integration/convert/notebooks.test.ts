/**
 * `mlops convert` on the test notebooks (test/fixtures/notebooks/, built from src/ by make.ts) with
 * Debian's python3 and its pandas, scikit-learn, matplotlib, nbclient and ipykernel: each converts,
 * `--verify` finds the pipeline printing what the notebook printed (cell for cell) and leaving equal
 * values, `mlops run` runs every stage, a second run is fully cached, and changing a lifted param
 * re-runs only the stage that reads it. Each refused construct is refused with its cell and line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { convertJson } from '../../../schemas/src/convert';
import { runPipelineJson } from '../../../schemas/src/pipelines';
import { runCli, tempProject, type TempProject } from '../../helpers';

const PY = '/usr/bin/python3';
const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'notebooks');
const NEEDED = ['pandas', 'sklearn', 'matplotlib', 'nbclient', 'ipykernel'];

function missingPython(): string | false {
  if (!existsSync(PY)) return `${PY} is not installed`;
  const r = spawnSync(PY, ['-c', `import ${NEEDED.join(', ')}`], { stdio: 'pipe' });
  return r.status === 0 ? false : `${PY} lacks one of ${NEEDED.join(', ')} (Debian: python3-pandas python3-sklearn python3-matplotlib python3-nbclient python3-ipykernel; .ci/run installs them)`;
}
const skip = missingPython();
if (skip) console.log(`# skipped: ${skip}`);

const CONFIG = `version: 1\nproject:\n  name: notebooks\npython:\n  interpreter: ${PY}\n`;

function project(name: string): TempProject {
  const p = tempProject({ config: CONFIG, prefix: 'mlops-convert-' });
  copyFileSync(join(FIXTURES, `${name}.ipynb`), join(p.root, `${name}.ipynb`));
  return p;
}

async function run(p: TempProject): Promise<Map<string, string>> {
  const r = await runCli(['run', '--json'], { cwd: p.root, timeoutMs: 300_000 });
  assert.equal(r.code, 0, r.stderr);
  return new Map(runPipelineJson.parse(JSON.parse(r.stdout)).stages.map((s) => [s.name, s.status]));
}

/** What a stage printed in `mlops run`: its log without the command line and exit note. */
function printed(p: TempProject, stage: string): string {
  return readFileSync(join(p.stateDir, 'pipelines', 'logs', `${stage}.log`), 'utf8').split('\n').filter((l) => !/^(\$ |# exit code)/.test(l) && !/Warning|warn\(/.test(l)).join('\n').trim();
}

const CASES: { name: string; stages: string[]; expect: [string, RegExp][] }[] = [
  { name: 'rebind', stages: ['first', 'second', 'third'], expect: [['third', /^final 31 raw-scaled\n31$/]] },
  { name: 'helper_constant', stages: ['setup', 'compute', 'report'], expect: [['report', /^max 10\.642 again 28\.142$/]] },
  { name: 'inplace', stages: ['load', 'clean', 'summarise'], expect: [['summarise', /a2[\s\S]*26\.0$/]] },
  { name: 'alias', stages: ['data', 'features', 'show'], expect: [['show', /double\s+triple[\s\S]*double\n0\s+10\s+20/]] },
  { name: 'split', stages: ['load_data', 'split', 'train', 'evaluate', 'describe_the_test_set'], expect: [['evaluate', /^test accuracy 0\.\d+$/]] },
  { name: 'file_dep', stages: ['write', 'read'], expect: [['read', /^4\.5$/]] },
  { name: 'plots', stages: ['data', 'plot', 'summary'], expect: [['summary', /^mean 0\.33\d*$/]] },
  { name: 'magics', stages: ['compute', 'again'], expect: [['again', /^999000$/]] },
  { name: 'kale', stages: ['load', 'transform', 'report'], expect: [['report', /^total is 60$/]] },
  { name: 'no_headings', stages: ['notebook'], expect: [['notebook', /^\{"a": 1, "b": \[1, 2\]\}$/]] },
];

for (const c of CASES) {
  test(`${c.name}.ipynb converts, verifies equal, runs through mlops run and re-runs fully cached`, { skip }, async () => {
    const p = project(c.name);
    try {
      const conv = await runCli(['convert', `${c.name}.ipynb`, '--verify', '--json'], { cwd: p.root, timeoutMs: 600_000 });
      assert.equal(conv.code, 0, conv.stderr + conv.stdout);
      const out = convertJson.parse(JSON.parse(conv.stdout));
      assert.deepEqual(out.plan.stages.map((s) => s.name), c.stages);
      assert.equal(out.verify?.equal, true, JSON.stringify(out.verify));
      assert.ok((out.verify?.compared.cells ?? 0) >= c.stages.length, JSON.stringify(out.verify));
      const first = await run(p);
      assert.deepEqual([...first.values()], c.stages.map(() => 'ran'));
      for (const [stage, re] of c.expect) assert.match(printed(p, stage), re);
      // Figures are saved as the stage's out, one PNG per figure per cell.
      for (const o of out.plan.stages.flatMap((s) => s.outs.filter((x) => x.includes('/figures/')))) {
        assert.ok(readdirSync(join(p.root, o)).some((f) => f.endsWith('.png')), `${o} holds the figures`);
      }
      const again = await run(p);
      assert.deepEqual([...again.values()], c.stages.map(() => 'cached'));
    } finally {
      await p.cleanup();
    }
  });
}

test('changing a lifted param re-runs only the stage that reads it; a conversion is recorded as an event', { skip }, async () => {
  const p = project('split');
  try {
    const conv = await runCli(['convert', 'split.ipynb', '--json'], { cwd: p.root, timeoutMs: 120_000 });
    assert.equal(conv.code, 0, conv.stderr);
    const plan = convertJson.parse(JSON.parse(conv.stdout)).plan;
    const evaluate = plan.stages.find((s) => s.name === 'evaluate');
    assert.ok(evaluate?.params.includes('evaluate.threshold_2'), JSON.stringify(evaluate));
    assert.equal(plan.params['evaluate.threshold_2'], 0.6);
    await run(p);
    // Converting the unchanged notebook again conflicts with nothing; with the daemon up it is recorded.
    const again = await runCli(['convert', 'split.ipynb', '--json'], { cwd: p.root, timeoutMs: 120_000 });
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(convertJson.parse(JSON.parse(again.stdout)).plan.conflicts, []);
    const events = await runCli(['events', '--subject', 'notebook:', '--json'], { cwd: p.root });
    assert.match(events.stdout, /"kind": ?"notebook\.converted"[\s\S]*"subject": ?"notebook:split\.ipynb"/);
    const yaml = readFileSync(join(p.root, 'mlops.yaml'), 'utf8');
    writeFileSync(join(p.root, 'mlops.yaml'), yaml.replace('threshold_2: 0.6', 'threshold_2: 0.9'));
    const after = await run(p);
    assert.deepEqual([...after].filter(([, s]) => s === 'ran').map(([n]) => n), ['evaluate']);
  } finally {
    await p.cleanup();
  }
});

const REFUSALS: [string, RegExp][] = [
  ['refuse_star', /cell 2, line 1: `import \*`/],
  ['refuse_global', /cell 4, line 1: bump \(defined in cell 2\) writes the global `counter`/],
  ['refuse_unpicklable', /cell 4, line 1: `handle` \(assigned in cell 2, line 1\) cannot be pickled/],
  ['refuse_undefined', /cell 2, line 1: `later_value` is read here but no earlier section defines it/],
];

for (const [name, re] of REFUSALS) {
  test(`${name}.ipynb is refused with the cell and line named, and nothing is written`, async () => {
    const p = project(name);
    try {
      const r = await runCli(['convert', `${name}.ipynb`], { cwd: p.root, timeoutMs: 60_000 });
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stderr, re);
      assert.match(r.stderr, /nothing was written/);
      assert.equal(existsSync(join(p.root, 'pipeline')), false);
      assert.equal(readFileSync(join(p.root, 'mlops.yaml'), 'utf8'), CONFIG);
    } finally {
      await p.cleanup();
    }
  });
}
