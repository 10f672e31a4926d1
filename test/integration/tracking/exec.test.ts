/** `mlops exec` against a real daemon in real git repositories: status by exit code, git, env, params, metrics. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, runCliJson, tempProject, type TempProject } from '../../helpers/index';
import { runDetailSchema } from '../../../schemas/src/tracking';

const CONFIG = `version: 1
project:
  name: exec-test
params:
  train:
    learning_rate: 0.05
    layers: [8, 4]
data:
  train:
    paths: [data/*.csv]
`;

const projects: TempProject[] = [];
after(async () => {
  for (const p of projects) await p.cleanup();
});

function gitProject(): TempProject {
  const p = tempProject({ config: CONFIG, prefix: 'mlops-exec-' });
  projects.push(p);
  execFileSync('mkdir', ['-p', join(p.root, 'data')]);
  writeFileSync(join(p.root, 'data', 'a.csv'), 'x,y\n1,2\n');
  writeFileSync(join(p.root, '.gitignore'), '.mlops/\nout/\n');
  const git = (...a: string[]) => execFileSync('git', ['-C', p.root, ...a], { stdio: 'ignore' });
  git('init', '-q');
  git('add', '-A');
  git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'init');
  return p;
}

const node = process.execPath;

test('a failing command marks the run failed with its exit code', async () => {
  const p = gitProject();
  const r = await runCli(['exec', '-n', 'boom', '--', node, '-e', 'process.exit(3)'], { cwd: p.root });
  assert.equal(r.code, 3, r.stderr);
  const runs = (await runCliJson(['runs', 'list'], { cwd: p.root })) as { id: string; status: string }[];
  assert.equal(runs.length, 1);
  const run = runDetailSchema.parse(await runCliJson(['runs', 'show', runs[0]!.id], { cwd: p.root }));
  assert.equal(run.status, 'failed');
  assert.equal(run.exit_code, 3);
});

test('a clean repo: commit recorded, not dirty; env, params, datasets and metric files ingested', async () => {
  const p = gitProject();
  const head = execFileSync('git', ['-C', p.root, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  const script = [
    'const fs=require("fs");',
    'fs.mkdirSync("out",{recursive:true});',
    'const e=process.env;',
    'fs.writeFileSync("out/env.json",JSON.stringify({id:e.MLOPS_RUN_ID,api:e.MLOPS_API,token:e.MLOPS_TOKEN,params:JSON.parse(fs.readFileSync(e.MLOPS_PARAMS,"utf8"))}));',
    'fs.writeFileSync("out/metrics.json",JSON.stringify({auc:0.91,eval:{loss:0.25},note:"x"}));',
  ].join('');
  const r = await runCli(['exec', '-e', 'exp1', '-n', 'ok', '--metrics', 'out/metrics.json', '--', node, '-e', script], { cwd: p.root });
  assert.equal(r.code, 0, r.stderr);
  const env = JSON.parse(readFileSync(join(p.root, 'out', 'env.json'), 'utf8')) as { id: string; api: string; token: string; params: unknown };
  assert.match(env.api, /^http:\/\/127\.0\.0\.1:\d+\/api\/v1$/);
  assert.equal(env.token.length, 64);
  assert.deepEqual(env.params, { train: { learning_rate: 0.05, layers: [8, 4] } });
  const run = runDetailSchema.parse(await runCliJson(['runs', 'show', env.id], { cwd: p.root }));
  assert.equal(run.status, 'finished');
  assert.equal(run.experiment, 'exp1');
  assert.equal(run.git.commit, head);
  assert.equal(run.git.dirty, false);
  assert.equal(run.git.diff_sha256, null);
  assert.deepEqual(run.params, { 'train.learning_rate': 0.05, 'train.layers': '[8,4]' });
  assert.deepEqual(run.metrics, { auc: 0.91, 'eval.loss': 0.25 });
  assert.deepEqual(run.datasets, [{ dataset: 'train', version: 1 }]);
  assert.equal(run.environment.node_version, process.version);
  assert.match(run.config_sha256 ?? '', /^[0-9a-f]{64}$/);
});

test('a dirty repo: dirty flag set and the diff stored as an object', async () => {
  const p = gitProject();
  writeFileSync(join(p.root, 'mlops.yaml'), CONFIG.replace('0.05', '0.07'));
  const r = await runCli(['exec', '--', node, '-e', '0'], { cwd: p.root });
  assert.equal(r.code, 0, r.stderr);
  const runs = (await runCliJson(['runs', 'list'], { cwd: p.root })) as { id: string }[];
  const run = runDetailSchema.parse(await runCliJson(['runs', 'show', runs[0]!.id], { cwd: p.root }));
  assert.equal(run.git.dirty, true);
  const sha = run.git.diff_sha256 ?? '';
  const obj = join(p.stateDir, 'objects', sha.slice(0, 2), sha.slice(2));
  assert.ok(existsSync(obj), 'the diff object exists');
  assert.match(readFileSync(obj, 'utf8'), /-    learning_rate: 0\.05\n\+    learning_rate: 0\.07/);
  assert.equal(run.params['train.learning_rate'], 0.07);
});

test('a dirty repo: untracked files are stored (bounded, with a note) so `git apply` restores them; the release tag is recorded', async () => {
  const p = gitProject();
  execFileSync('git', ['-C', p.root, 'tag', 'v1.2.0']);
  writeFileSync(join(p.root, 'train_new.py'), 'print("not committed yet")\n');
  writeFileSync(join(p.root, 'big.bin'), Buffer.alloc((1 << 20) + 1, 7));
  const r = await runCli(['exec', '--', node, '-e', '0'], { cwd: p.root });
  assert.equal(r.code, 0, r.stderr);
  const runs = (await runCliJson(['runs', 'list'], { cwd: p.root })) as { id: string }[];
  const run = runDetailSchema.parse(await runCliJson(['runs', 'show', runs[0]!.id], { cwd: p.root }));
  assert.equal(run.tags['git.describe'], 'v1.2.0', 'untracked files do not make describe "-dirty"');
  const sha = run.git.diff_sha256 ?? '';
  const diff = readFileSync(join(p.stateDir, 'objects', sha.slice(0, 2), sha.slice(2)), 'utf8');
  assert.match(diff, /# untracked, content not stored \(1048577 bytes, larger than 1048576 bytes\): big\.bin/);
  assert.match(diff, /# untracked, content stored: train_new\.py/);
  const clone = `${p.root}-clone`;
  execFileSync('git', ['clone', '-q', p.root, clone]);
  try {
    execFileSync('git', ['-C', clone, 'apply', '-'], { input: diff });
    assert.equal(readFileSync(join(clone, 'train_new.py'), 'utf8'), 'print("not committed yet")\n');
  } finally {
    execFileSync('rm', ['-rf', clone]);
  }
});

test('exec without a command, and a command that does not exist, fail with clear messages', async () => {
  const p = gitProject();
  const none = await runCli(['exec'], { cwd: p.root });
  assert.equal(none.code, 2);
  assert.match(none.stderr, /missing argument <command>/);
  const missing = await runCli(['exec', '--', 'definitely-not-a-command-xyz'], { cwd: p.root });
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /cannot run "definitely-not-a-command-xyz"/);
});

test('an interpreter that cannot run is named in a warning; the run still finishes', async () => {
  const p = gitProject();
  const r = await runCli(['exec', '--', node, '-e', '0'], { cwd: p.root, env: { MLOPS_PYTHON: '/nonexistent/python' } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /warning: Python "\/nonexistent\/python" \(from MLOPS_PYTHON\) could not be run \(not found\)/);
});
