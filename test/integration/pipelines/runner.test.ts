/**
 * `mlops run` as a user runs it: the built CLI, real stage processes, real files, a real daemon
 * for the tracked runs, a real git repository.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lockFileSchema, runPipelineJson, type StageResult } from '../../../schemas/src/pipelines';
import { runCli, tempProject, type TempProject } from '../../helpers';

const PIPE = (extra = '') => `version: 1
project: {name: pipe}
params:
  train: {lr: 0.1, seed: 1}
  other: {x: 1}
pipeline:
  stages:
    prep:
      cmd: mkdir -p out && tr a-z A-Z < in.txt > out/clean.txt
      deps: [in.txt]
      outs: [out/clean.txt]
    train:
      cmd: "cat out/clean.txt > out/model.txt && echo \\"$MLOPS_STAGE\\" >> out/model.txt && node -e \\"const p=require(process.env.MLOPS_PARAMS); require('fs').writeFileSync('out/metrics.json', JSON.stringify({lr: p.train.lr}))\\""
      deps: [out/clean.txt]
      params: [train.lr]
      outs: [out/model.txt]
      metrics: [out/metrics.json]
    report:
      cmd: mkdir -p out && echo other > out/report.txt
      params: [other.x]
      outs: [out/report.txt]
${extra}`;

async function run(p: TempProject, args: string[] = []): Promise<{ code: number | null; stages: StageResult[]; stderr: string }> {
  const r = await runCli(['run', ...args, '--json'], { cwd: p.root, timeoutMs: 60_000 });
  let stages: StageResult[] = [];
  try {
    stages = runPipelineJson.parse(JSON.parse(r.stdout)).stages;
  } catch {
    assert.fail(`mlops run ${args.join(' ')} printed no JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, stages, stderr: r.stderr };
}

const statuses = (stages: StageResult[]) => Object.fromEntries(stages.map((s) => [s.name, s.status]));

function project(config: string): TempProject {
  const p = tempProject({ config, prefix: 'mlops-pipe-' });
  writeFileSync(join(p.root, 'in.txt'), 'hello\n');
  return p;
}

/** Path → size and mtime of every file below the root, .mlops included. */
function tree(dir: string, rel = '', out = new Map<string, string>()): Map<string, string> {
  for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) tree(dir, r, out);
    else {
      const st = statSync(join(dir, r));
      out.set(r, `${st.size}:${st.mtimeMs}`);
    }
  }
  return out;
}

test('caching: edits to a dep, a param or a command re-run exactly the affected stages; a cached run writes nothing', async () => {
  const p = project(PIPE());
  try {
    const first = await run(p);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(statuses(first.stages), { prep: 'ran', train: 'ran', report: 'ran' });
    assert.ok(!first.stderr.includes('{"stages"'), 'stage output stays off stdout');
    assert.match(first.stderr, /^\[train\] /m);
    assert.match(readFileSync(join(p.root, 'out/model.txt'), 'utf8'), /^HELLO\ntrain\n$/);
    assert.deepEqual(JSON.parse(readFileSync(join(p.root, 'out/metrics.json'), 'utf8')), { lr: 0.1 });
    assert.ok(existsSync(join(p.root, 'mlops.lock')));

    await runCli(['daemon', 'stop'], { cwd: p.root });
    const before = tree(p.root);
    const again = await run(p);
    assert.deepEqual(statuses(again.stages), { prep: 'cached', train: 'cached', report: 'cached' });
    assert.deepEqual(tree(p.root), before, 'a fully cached run touches no file (and starts no daemon)');

    writeFileSync(join(p.root, 'in.txt'), 'world\n');
    const dry = await run(p, ['--dry-run']);
    assert.deepEqual(statuses(dry.stages), { prep: 'would-run', train: 'would-run', report: 'cached' });
    assert.equal(dry.stages[0]?.reason, 'dep in.txt changed');
    assert.deepEqual(tree(p.root).get('mlops.lock'), before.get('mlops.lock'), '--dry-run writes nothing');
    assert.deepEqual(statuses((await run(p)).stages), { prep: 'ran', train: 'ran', report: 'cached' });

    p.writeConfig(PIPE().replace('x: 1', 'x: 2'));
    const param = await run(p);
    assert.deepEqual(statuses(param.stages), { prep: 'cached', train: 'cached', report: 'ran' });
    assert.equal(param.stages[2]?.reason, 'param other.x changed (1 → 2)');

    p.writeConfig(PIPE().replace('x: 1', 'x: 2').replace('echo other >', 'echo other2 >'));
    const cmd = await run(p);
    assert.deepEqual(statuses(cmd.stages), { prep: 'cached', train: 'cached', report: 'ran' });
    assert.equal(cmd.stages[2]?.reason, 'command changed');
  } finally {
    await p.cleanup();
  }
});

test('switching a param back restores the earlier outs from the cache instead of running', async () => {
  const p = project(PIPE());
  try {
    await run(p);
    const v1 = readFileSync(join(p.root, 'out/metrics.json'), 'utf8');
    p.writeConfig(PIPE().replace('lr: 0.1', 'lr: 0.5'));
    assert.deepEqual(statuses((await run(p)).stages), { prep: 'cached', train: 'ran', report: 'cached' });
    assert.deepEqual(JSON.parse(readFileSync(join(p.root, 'out/metrics.json'), 'utf8')), { lr: 0.5 });
    p.writeConfig(PIPE());
    const gc = await runCli(['gc', '--grace', '0', '--json'], { cwd: p.root });
    assert.equal(gc.code, 0, gc.stderr);
    const back = await run(p);
    assert.deepEqual(statuses(back.stages), { prep: 'cached', train: 'cached', report: 'cached' });
    assert.match(back.stages[1]?.reason ?? '', /param train\.lr changed \(0\.5 → 0\.1\); outs restored from the cache/);
    assert.equal(readFileSync(join(p.root, 'out/metrics.json'), 'utf8'), v1);
    // A deleted out comes back from the cache too.
    rmSync(join(p.root, 'out/report.txt'));
    const restored = await run(p);
    assert.match(restored.stages[2]?.reason ?? '', /out out\/report\.txt is missing; outs restored/);
    assert.equal(readFileSync(join(p.root, 'out/report.txt'), 'utf8'), 'other\n');
  } finally {
    await p.cleanup();
  }
});

test('independent stages overlap; a failing stage stops only its dependants and the exit code says so', async () => {
  const p = project(`version: 1
project: {name: par}
pipeline:
  stages:
    a: {cmd: node stamp.js a, outs: [a.out]}
    b: {cmd: node stamp.js b, outs: [b.out]}
    bad: {cmd: "echo boom >&2; exit 3", outs: [bad.out]}
    after-bad: {cmd: "echo x > x.out", deps: [bad.out], outs: [x.out]}
    after-a: {cmd: "cat a.out > c.out", deps: [a.out], outs: [c.out]}
`);
  // Each stage notes when it started and ended, sleeping in between.
  writeFileSync(
    join(p.root, 'stamp.js'),
    `const fs = require('fs'); const n = process.argv[2];
fs.writeFileSync(n + '.start', String(Date.now()));
setTimeout(() => { fs.writeFileSync(n + '.end', String(Date.now())); fs.writeFileSync(n + '.out', n); }, 1500);`,
  );
  try {
    const r = await run(p);
    assert.equal(r.code, 1);
    assert.deepEqual(statuses(r.stages), { a: 'ran', b: 'ran', bad: 'failed', 'after-bad': 'skipped', 'after-a': 'ran' });
    assert.match(r.stages.find((s) => s.name === 'bad')?.reason ?? '', /exit code 3/);
    assert.equal(r.stages.find((s) => s.name === 'after-bad')?.reason, 'bad failed');
    const t = (f: string) => Number(readFileSync(join(p.root, f), 'utf8'));
    assert.ok(t('a.start') < t('b.end') && t('b.start') < t('a.end'), 'a and b ran at the same time');
    assert.match(readFileSync(join(p.root, '.mlops/pipelines/logs/bad.log'), 'utf8'), /boom/);
    const lock = lockFileSchema.parse(JSON.parse(readFileSync(join(p.root, 'mlops.lock'), 'utf8')));
    assert.deepEqual(Object.keys(lock.stages).sort(), ['a', 'after-a', 'b'], 'what finished is kept; what failed is not recorded as done');
  } finally {
    await p.cleanup();
  }
});

test('a matrix of 2×2 runs four instances, each its own tracked run, cached separately, comparable', async () => {
  const p = project(PIPE(`    sweep:
      cmd: "echo \${train.lr}-\${train.seed} > out/sweep-\${train.lr}-\${train.seed}.txt && echo '{\\"score\\": \${train.seed}}' > out/score-\${train.lr}-\${train.seed}.json"
      deps: [out/clean.txt]
      matrix:
        train.lr: [0.1, 0.2]
        train.seed: [1, 2]
      outs: ["out/sweep-\${train.lr}-\${train.seed}.txt"]
      metrics: ["out/score-\${train.lr}-\${train.seed}.json"]
`));
  try {
    const r = await run(p, ['sweep']);
    assert.equal(r.code, 0, r.stderr);
    const names = r.stages.map((s) => s.name);
    assert.deepEqual(names, ['prep', 'sweep@train.lr=0.1,train.seed=1', 'sweep@train.lr=0.1,train.seed=2', 'sweep@train.lr=0.2,train.seed=1', 'sweep@train.lr=0.2,train.seed=2']);
    assert.ok(r.stages.slice(1).every((s) => s.status === 'ran'));
    assert.equal(readFileSync(join(p.root, 'out/sweep-0.2-2.txt'), 'utf8'), '0.2-2\n');
    const again = await run(p, ['sweep']);
    assert.ok(again.stages.every((s) => s.status === 'cached'));
    const list = await runCli(['runs', 'list', '--experiment', 'pipeline', '--json'], { cwd: p.root });
    const runs = (JSON.parse(list.stdout) as { id: string; name: string }[]).filter((x) => x.name.startsWith('sweep@'));
    assert.equal(runs.length, 4);
    const cmp = await runCli(['runs', 'compare', ...runs.map((x) => x.id), '--json'], { cwd: p.root });
    assert.equal(cmp.code, 0, cmp.stderr);
    const table = JSON.parse(cmp.stdout) as { params: { key: string; values: unknown[]; differs: boolean }[]; metrics: { key: string; values: (number | null)[] }[] };
    assert.equal(table.params.find((x) => x.key === 'train.lr')?.differs, true);
    assert.deepEqual([...(table.metrics.find((x) => x.key === 'score')?.values ?? [])].sort(), [1, 1, 2, 2]);
  } finally {
    await p.cleanup();
  }
});

test('static checks refuse cycles, missing commands and inputs nothing produces before anything runs', async () => {
  const p = project(`version: 1
project: {name: bad}
pipeline:
  stages:
    a: {cmd: "touch ran-a", deps: [b.out], outs: [a.out]}
    b: {cmd: "touch ran-b", deps: [a.out], outs: [b.out]}
    c: {deps: [nowhere.csv]}
`);
  try {
    const r = await runCli(['run'], { cwd: p.root });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /pipeline\.stages\.c\.deps\[0\]: "nowhere\.csv" is produced by no stage and does not exist/);
    assert.match(r.stderr, /pipeline\.stages\.c: a command stage needs `cmd`/);
    assert.match(r.stderr, /pipeline\.stages\.a: dependency cycle: a → b → a|pipeline\.stages\.a: dependency cycle: b → a → b/);
    assert.ok(!existsSync(join(p.root, 'ran-a')) && !existsSync(join(p.root, 'ran-b')));
    assert.ok(!existsSync(join(p.root, 'mlops.lock')));
  } finally {
    await p.cleanup();
  }
});

test('deps and outs outside the project are hashed, never restored or written by the runner', async () => {
  const outside = mkdtempSync(join(tmpdir(), 'mlops-outside-'));
  const ext = join(outside, 'notebook-out.txt');
  writeFileSync(join(outside, 'src.txt'), 'outside input\n');
  const p = project(`version: 1
project: {name: ext}
params: {v: {n: 1}}
pipeline:
  stages:
    write:
      cmd: cat ${join(outside, 'src.txt')} > ${ext} && echo done > local.txt
      deps: [${join(outside, 'src.txt')}]
      params: [v.n]
      outs: [${ext}, local.txt]
`);
  try {
    assert.equal((await run(p)).code, 0);
    assert.equal(statuses((await run(p)).stages)['write'], 'cached');
    writeFileSync(join(outside, 'src.txt'), 'changed\n');
    const r = await run(p, ['--dry-run']);
    assert.equal(r.stages[0]?.reason, `dep ${join(outside, 'src.txt')} changed`);
    writeFileSync(join(outside, 'src.txt'), 'outside input\n');
    rmSync(ext);
    const again = await run(p);
    assert.equal(again.stages[0]?.status, 'ran', 'an outside out is never restored: the stage runs again');
    assert.equal(readFileSync(ext, 'utf8'), 'outside input\n');
    assert.deepEqual(readdirSync(outside).sort(), ['notebook-out.txt', 'src.txt'], 'the runner writes nothing else outside');
  } finally {
    await p.cleanup();
    rmSync(outside, { recursive: true, force: true });
  }
});

test('a pipeline run records git state and why it started', async () => {
  const p = project(PIPE());
  try {
    execFileSync('git', ['init', '-q'], { cwd: p.root });
    execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-q', '--allow-empty', '-m', 'init'], { cwd: p.root });
    mkdirSync(join(p.root, 'out'), { recursive: true });
    await run(p, ['prep']);
    const list = JSON.parse((await runCli(['runs', 'list', '--experiment', 'pipeline', '--json'], { cwd: p.root })).stdout) as { id: string; name: string }[];
    const pipeRun = list.find((r) => r.name.startsWith('pipeline '));
    assert.ok(pipeRun);
    const detail = JSON.parse((await runCli(['runs', 'show', pipeRun.id, '--json'], { cwd: p.root })).stdout) as { tags: Record<string, string>; git: { commit: string | null } };
    assert.equal(detail.tags['mlops.trigger'], 'manual');
    assert.match(detail.git.commit ?? '', /^[0-9a-f]{40}$/);
  } finally {
    await p.cleanup();
  }
});
