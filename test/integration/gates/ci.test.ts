/**
 * `mlops ci init`: the GitHub workflow validated against SchemaStore's published workflow schema
 * (trimmed, test/fixtures/github-workflow), every step with `uses` or `run`; the GitLab file by
 * structure; and the workflow's own `run` steps executed in a clean clone of a committed project
 * with no store, where `mlops run` trains and `mlops check` passes and writes JUnit and the summary.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parse as parseYaml } from 'yaml';
import { ciInitJsonSchema } from '../../../schemas/src/gates';
import { runCli, runCliJson, tempProject, type TempProject } from '../../helpers';
import { gatesConfig, writeCanonical, writeHoldout, writeLogistic, TRUE_COEF } from '../../helpers/gates';
import { CLI_JS } from '../../helpers/paths';

let project: TempProject;
let root: string;
const clones: string[] = [];

const git = (cwd: string, ...a: string[]): void => {
  const r = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...a], { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
};

before(() => {
  // The pipeline trains by copying the better model into place; register records it.
  const config = gatesConfig().replace(
    'pipeline:\n  stages:\n',
    'pipeline:\n  stages:\n    train:\n      cmd: cp models/better.onnx models/candidate.onnx\n      deps: [models/better.onnx]\n      outs: [models/candidate.onnx]\n',
  );
  project = tempProject({ config });
  root = project.root;
  writeHoldout(join(root, 'data', 'holdout.csv'), 3000);
  writeCanonical(join(root, 'canonical.json'));
  writeLogistic(join(root, 'models', 'production.onnx'), [1, -0.4, 0]);
  writeLogistic(join(root, 'models', 'better.onnx'), TRUE_COEF);
  writeFileSync(join(root, '.gitignore'), '.mlops/\nmodels/candidate.onnx\nreports/\n');
});

after(async () => {
  for (const c of clones) {
    await runCli(['daemon', 'stop'], { cwd: c }).catch(() => undefined);
    rmSync(c, { recursive: true, force: true });
  }
  await project?.cleanup();
});

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
}

test('the GitHub workflow matches the published workflow schema; each step has uses or run', async () => {
  const out = ciInitJsonSchema.parse(await runCliJson(['ci', 'init'], { cwd: root }));
  assert.deepEqual(out, { provider: 'github', file: '.github/workflows/mlops.yml', model: 'churn' });
  const text = readFileSync(join(root, out.file), 'utf8');
  const doc = parseYaml(text) as { on: Record<string, unknown>; jobs: Record<string, { steps: Step[] }> };
  const schema = JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'github-workflow', 'github-workflow.trimmed.json'), 'utf8')) as object;
  const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
  assert.ok(validate(doc), JSON.stringify(validate.errors, null, 2));
  assert.deepEqual(Object.keys(doc.on), ['push', 'pull_request', 'workflow_dispatch']);
  const steps = doc.jobs['gates']?.steps ?? [];
  for (const s of steps) assert.ok((s.uses === undefined) !== (s.run === undefined), `step ${JSON.stringify(s)} has exactly one of uses and run`);
  assert.ok(steps.some((s) => s.run === 'mlops run'));
  assert.ok(steps.some((s) => s.run?.startsWith('mlops check churn --production models/production.onnx --junit reports/mlops-check.xml --markdown "$GITHUB_STEP_SUMMARY"')));
  const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
  assert.equal(upload?.if, 'always()');
  assert.match(text, /# {3}- models\/production\.onnx: the current Production model of "churn", committed/);
  assert.match(text, /holdout sample of data\.holdout \(data\/holdout\.csv\), committed, with the label column "churned"/);
  // A second init refuses to overwrite; the schema check fails on a broken workflow (the test can fail).
  const again = await runCli(['ci', 'init'], { cwd: root });
  assert.equal(again.code, 1);
  assert.match(again.stderr, /mlops\.yml exists \(pass --force to overwrite it\)/);
  const broken = structuredClone(doc);
  delete (broken.jobs['gates'] as unknown as Record<string, unknown>)['runs-on'];
  assert.equal(validate(broken), false);
});

test('the GitLab file has one job whose script runs the pipeline and the check and reports JUnit', async () => {
  const r = await runCli(['ci', 'init', '--provider', 'gitlab'], { cwd: root });
  assert.equal(r.code, 0, r.stderr);
  const doc = parseYaml(readFileSync(join(root, '.gitlab-ci.yml'), 'utf8')) as Record<string, { script: string[]; artifacts: { when: string; reports: { junit: string } } }>;
  const job = doc['mlops-gates'];
  assert.ok(job);
  assert.ok(job.script.includes('mlops run'));
  assert.ok(job.script.some((l) => l.startsWith('mlops check churn --production models/production.onnx')));
  assert.deepEqual(job.artifacts, { when: 'always', reports: { junit: 'reports/mlops-check.xml' } });
});

test("the workflow's run steps pass in a clean clone without a store", async () => {
  git(root, 'init', '-q');
  git(root, 'add', '-A');
  git(root, 'commit', '-qm', 'project');
  const clone = mkdtempSync(join(tmpdir(), 'gates-clone-'));
  clones.push(clone);
  git(tmpdir(), 'clone', '-q', root, clone);
  assert.equal(existsSync(join(clone, '.mlops')), false);
  // `mlops` on PATH is this build of the CLI (the workflow installs it from npm instead).
  const bin = join(clone, '..', `${clone.split('/').pop() ?? 'x'}-bin`);
  clones.push(bin);
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'mlops'), `#!/bin/sh\nexec "${process.execPath}" "${CLI_JS}" "$@"\n`);
  chmodSync(join(bin, 'mlops'), 0o755);
  const summary = join(bin, 'summary.md');
  const doc = parseYaml(readFileSync(join(clone, '.github', 'workflows', 'mlops.yml'), 'utf8')) as { jobs: Record<string, { steps: Step[] }> };
  const steps = (doc.jobs['gates']?.steps ?? []).filter((s) => s.run !== undefined && !s.name?.startsWith('Install the MLOps Workbench CLI'));
  assert.deepEqual(steps.map((s) => s.name), ['Install the project', 'Run the pipeline (mlops run)', 'Check the gates (mlops check)', 'Stop the Workbench daemon']);
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}:${process.env['PATH'] ?? ''}`, GITHUB_STEP_SUMMARY: summary };
  delete env['MLOPS_ROOT'];
  for (const s of steps) {
    const r = spawnSync('bash', ['-e', '-c', s.run ?? ''], {
      cwd: clone,
      encoding: 'utf8',
      timeout: 180_000,
      env,
    });
    assert.equal(r.status, 0, `${s.name}: ${r.stdout}\n${r.stderr}`);
  }
  assert.match(readFileSync(summary, 'utf8'), /\| holdout \| 0\.\d+ \| 0\.\d+ \| auc ≥ Production \+ 0\.01 \| pass \|/);
  assert.match(readFileSync(join(clone, 'reports', 'mlops-check.xml'), 'utf8'), /<testsuite name="mlops check churn" tests="2" failures="0" errors="0"/);
});
