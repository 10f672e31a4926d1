/**
 * `mlops export argo|airflow|docker --training` on a pipeline with a fan-out sweep and a fan-in:
 * the Workflow validated against Argo's published schema (@kubernetes-models/argo-workflows), the
 * Airflow file parsed with Python's `ast` and its task graph compared with the pipeline's, the
 * training Dockerfile pinned from the run's recorded environment.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { pipelineExportJson, trainingDockerJson } from '../../../schemas/src/pipelines';
import { runCli, tempProject } from '../../helpers';

const CONFIG = `version: 1
project: {name: Export_Demo}
params:
  train: {lr: 0.1, seed: 1}
pipeline:
  stages:
    prep:
      cmd: mkdir -p out && cp in.txt out/clean.txt
      deps: [in.txt]
      outs: [out/clean.txt]
    train:
      cmd: mkdir -p models && cp out/clean.txt models/model-\${train.seed}.txt
      deps: [out/clean.txt]
      params: [train.lr]
      matrix: {train.seed: [1, 2]}
      outs: ["models/model-\${train.seed}.txt"]
    evaluate:
      cmd: printf '{"n":2}' > out/eval.json
      deps: [models]
      metrics: [out/eval.json]
`;

const EDGES = [['prep', 'train@train.seed=1'], ['prep', 'train@train.seed=2'], ['train@train.seed=1', 'evaluate'], ['train@train.seed=2', 'evaluate']];

interface Validatable {
  validate(): void;
}
/**
 * The typed models validate against the schema Argo publishes (CRD openAPI), unknown fields refused.
 * ESM-only; MLOPS_TEST_ARGO_MODELS may point at an install outside the repo (development before the
 * devDependency is in node_modules).
 */
async function argoWorkflowModel(): Promise<new (data: unknown) => Validatable> {
  const dir = process.env['MLOPS_TEST_ARGO_MODELS'];
  const spec = dir ? pathToFileURL(join(dir, 'argoproj.io', 'v1alpha1', 'index.js')).href : '@kubernetes-models/argo-workflows/argoproj.io/v1alpha1';
  try {
    return ((await import(spec)) as { Workflow: new (data: unknown) => Validatable }).Workflow;
  } catch (e) {
    throw new Error(`@kubernetes-models/argo-workflows (a devDependency) is not installed: run npm install (${String(e)})`);
  }
}

test('the Argo export is a valid Workflow: one template per stage, DAG task names = stages, dependencies, params as arguments, outs as artifacts', async () => {
  const p = tempProject({ config: CONFIG, prefix: 'mlops-export-' });
  try {
    writeFileSync(join(p.root, 'in.txt'), 'x\n');
    const r = await runCli(['export', 'argo', '--image', 'ghcr.io/acme/churn:1.4', '--json'], { cwd: p.root });
    assert.equal(r.code, 0, r.stderr);
    const out = pipelineExportJson.parse(JSON.parse(r.stdout));
    assert.deepEqual(out.tasks, ['prep', 'train@train.seed=1', 'train@train.seed=2', 'evaluate']);
    const wf = parse(readFileSync(out.file, 'utf8')) as { metadata: { generateName: string }; spec: { arguments: { parameters: { name: string; value: string }[] }; templates: { name: string; dag?: { tasks: { name: string; template: string; dependencies?: string[]; arguments?: { artifacts?: { from: string }[] } }[] }; outputs?: { artifacts: { name: string; path: string }[] } }[] } };
    const Workflow = await argoWorkflowModel();
    new Workflow(wf).validate();
    assert.equal(wf.metadata.generateName, 'export-demo-');
    const dag = wf.spec.templates[0]?.dag;
    assert.ok(dag);
    const edges = dag.tasks.flatMap((t) => (t.dependencies ?? []).map((d) => [d, t.name]));
    assert.deepEqual(edges, EDGES.map(([a, b]) => [a?.replace(/[@.=]/g, '-'), b?.replace(/[@.=]/g, '-')]));
    assert.equal(wf.spec.templates.length, 5, 'the DAG and one template per stage instance');
    assert.deepEqual(wf.spec.arguments.parameters, [{ name: 'train-lr', value: '0.1' }]);
    assert.match(dag.tasks[3]?.arguments?.artifacts?.[0]?.from ?? '', /^\{\{tasks\.train-train-seed-1\.outputs\.artifacts\.out-0-/);
    assert.deepEqual(wf.spec.templates.find((t) => t.name === 'stage-evaluate')?.outputs?.artifacts.map((a) => a.path), ['/project/out/eval.json']);
    // The validator is real: a broken Workflow is refused.
    const broken = structuredClone(wf) as unknown as { spec: { templates: { dag?: { tasks: Record<string, unknown>[] } }[] } };
    (broken.spec.templates[0]?.dag?.tasks[1] as Record<string, unknown>)['dependencies'] = 'prep';
    assert.throws(() => new Workflow(broken).validate());
  } finally {
    await p.cleanup();
  }
});

const AST_SCRIPT = `
import ast, json, sys
tree = ast.parse(open(sys.argv[1]).read())
tasks, ops, edges = {}, set(), []
for node in ast.walk(tree):
    if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
        kw = {k.arg: k.value for k in node.value.keywords}
        if 'task_id' in kw:
            tasks[node.targets[0].id] = kw['task_id'].value
            ops.add(node.value.func.id)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.RShift):
        edges.append([node.left.id, node.right.id])
print(json.dumps({"tasks": sorted(tasks.values()), "ops": sorted(ops), "edges": sorted([tasks[a], tasks[b]] for a, b in edges)}))
`;

test('the Airflow export parses as Python and declares exactly the task graph of the pipeline', async () => {
  const p = tempProject({ config: CONFIG, prefix: 'mlops-export-' });
  try {
    writeFileSync(join(p.root, 'in.txt'), 'x\n');
    writeFileSync(join(p.root, 'ast_graph.py'), AST_SCRIPT);
    for (const [args, op] of [[[], 'BashOperator'], [['--image', 'ghcr.io/acme/churn:1.4'], 'KubernetesPodOperator']] as const) {
      const r = await runCli(['export', 'airflow', ...args, '--json'], { cwd: p.root });
      assert.equal(r.code, 0, r.stderr);
      const out = pipelineExportJson.parse(JSON.parse(r.stdout));
      const graph = JSON.parse(execFileSync('/usr/bin/python3', [join(p.root, 'ast_graph.py'), out.file], { encoding: 'utf8' })) as { tasks: string[]; ops: string[]; edges: string[][] };
      assert.deepEqual(graph.tasks, [...out.tasks].sort());
      assert.deepEqual(graph.ops, [op]);
      assert.deepEqual(graph.edges, [...EDGES].sort());
    }
  } finally {
    await p.cleanup();
  }
});

test('the training Dockerfile pins the Python version and packages a pipeline run recorded', async () => {
  const p = tempProject({ config: CONFIG, prefix: 'mlops-export-' });
  try {
    writeFileSync(join(p.root, 'in.txt'), 'x\n');
    const env = { MLOPS_PYTHON: '/usr/bin/python3' };
    const ran = await runCli(['run'], { cwd: p.root, env, timeoutMs: 120_000 });
    assert.equal(ran.code, 0, ran.stderr);
    const r = await runCli(['export', 'docker', '--training', '--json'], { cwd: p.root });
    assert.equal(r.code, 0, r.stderr);
    const out = trainingDockerJson.parse(JSON.parse(r.stdout));
    const version = execFileSync('/usr/bin/python3', ['-c', 'import platform; print(platform.python_version())'], { encoding: 'utf8' }).trim();
    assert.equal(out.python_version, version);
    const dockerfile = readFileSync(out.files[0] ?? '', 'utf8');
    assert.match(dockerfile, new RegExp(`^FROM python:${version.replace(/\./g, '\\.')}-slim$`, 'm'));
    const reqs = readFileSync(out.files[1] ?? '', 'utf8').trim().split('\n');
    assert.equal(reqs.length, out.packages);
    assert.ok(out.packages > 10, 'Debian python3 with numpy, pandas, scikit-learn…');
    assert.ok(reqs.every((l) => /^[A-Za-z0-9_.-]+==\S+$/.test(l)), reqs.join('\n'));
    assert.ok(reqs.some((l) => /^numpy==/i.test(l)));
    const bad = await runCli(['export', 'docker', '--training', '--run', 'ffffffffffff'], { cwd: p.root });
    assert.notEqual(bad.code, 0);
  } finally {
    await p.cleanup();
  }
});
