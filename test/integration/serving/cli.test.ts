/**
 * The serving CLI as a user runs it: deploy, deployments list/show/stop with their --json contracts,
 * batch scoring of a real-sized CSV with refused rows, the KServe manifest validated against KServe's
 * published CRD schema (trimmed), the Docker context checked by structure, and `daemon enable`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parse as parseCsv } from 'csv-parse/sync';
import { parse as parseYaml } from 'yaml';
import { predictLinear } from '../../../daemon/src/onnx/model';
import { daemonEnableJson, deployJson, deploymentShowJson, deploymentsListJson, exportJson, predictJson, servingBootSchema } from '../../../schemas/src/serving';
import { runCli, runCliJson, startDaemon, tempProject, type RunningDaemon, type TempProject } from '../../helpers';
import { CHURN_FEATURES, postJson, seedRegistry, servingConfig } from '../../helpers/serving';
import { registry } from '../../helpers/serving';

let project: TempProject;
let daemon: RunningDaemon;
let cwd: string;

before(async () => {
  project = tempProject({ config: servingConfig() });
  cwd = project.root;
  daemon = await startDaemon(project.root);
  await seedRegistry(daemon.client, project.root);
});

after(async () => {
  await daemon?.stop();
  await project?.cleanup();
});

test('deploy waits until serving and prints the URL; list, show and stop speak their --json contracts', async () => {
  const human = await runCli(['deploy', 'prod'], { cwd, timeoutMs: 120_000 });
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /prod: serving \(churn version 1, follows stage Production\) at http:\/\/127\.0\.0\.1:\d+/);
  const st = deployJson.parse(await runCliJson(['deploy', 'guarded'], { cwd }));
  assert.equal(st.state, 'serving');
  const list = deploymentsListJson.parse(await runCliJson(['deployments', 'list'], { cwd }));
  assert.deepEqual(list.map((d) => [d.name, d.state]), [['forest', 'stopped'], ['guarded', 'serving'], ['pricing', 'stopped'], ['prod', 'serving']]);
  const table = await runCli(['deployments', 'list'], { cwd });
  assert.match(table.stdout, /NAME\s+MODEL\s+VERSION\s+FOLLOWS\s+STATE\s+URL/);
  const show = deploymentShowJson.parse(await runCliJson(['deployments', 'show', 'guarded'], { cwd }));
  assert.equal(show.model, 'churn');
  assert.equal(show.version, 1);
  assert.ok(show.token, 'token for the owner');
  const r = await postJson(Number(new URL(show.url as string).port), '/predict', [1, 2, 3], { Authorization: `Bearer ${show.token}` });
  assert.equal(r.status, 200);
  const stopped = deployJson.parse(await runCliJson(['deployments', 'stop', 'guarded'], { cwd }));
  assert.deepEqual([stopped.state, stopped.url], ['stopped', null]);
  const missing = await runCli(['deploy', 'nope'], { cwd });
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /no deployment "nope" in mlops.yaml \(defined: prod, guarded, forest, pricing\)/);
});

test('predict scores a 20,000-row CSV in batches; refused rows are listed by row number and why', async () => {
  const rows: string[] = [`customer,${CHURN_FEATURES.join(',')}`];
  const values: number[][] = [];
  for (let i = 0; i < 20_000; i++) {
    const row = [20 + (i % 50), i % 72, Math.round((i * 7.31) % 120 * 100) / 100];
    values.push(row);
    rows.push([`"c,${i}"`, ...row].join(','));
  }
  rows[101] = 'c100,40,,10';
  rows[5001] = 'c5000,40,abc,10';
  writeFileSync(join(cwd, 'in.csv'), rows.join('\r\n') + '\r\n');
  const r = predictJson.parse(await runCliJson(['predict', 'churn', '--input', 'in.csv', '--output', 'out.csv', '--batch-size', '500'], { cwd }));
  assert.deepEqual([r.rows, r.scored, r.refused, r.version], [20_000, 19_998, 2, 1]);
  assert.deepEqual(r.refused_rows.map((x) => x.row), [101, 5001]);
  assert.match(r.refused_rows[0]?.reason ?? '', /feature "tenure": is NaN or null/);
  assert.match(r.refused_rows[1]?.reason ?? '', /feature "tenure": expected a number, got the string "abc"/);
  const out = parseCsv(readFileSync(join(cwd, 'out.csv')), { columns: true }) as Record<string, string>[];
  assert.equal(out.length, 19_998);
  const weights = CHURN_FEATURES.map((_, i) => ((31 + i * 7) % 17) / 10 - 0.8);
  for (const rec of out.filter((_, i) => i % 997 === 0)) {
    const n = Number(rec['row']);
    assert.equal(rec['customer'], `c,${n - 1}`);
    const expected = predictLinear({ task: 'classification', weights, bias: 0.001 }, [values[n - 1] as number[]])[0] as number;
    assert.ok(Math.abs(Number(rec['probability']) - expected) < 1e-5, `row ${n}`);
  }
  const human = await runCli(['predict', 'churn', '--stage', 'Production', '-i', 'in.csv', '-o', 'out2.csv'], { cwd });
  assert.match(human.stdout, /churn v1: 20000 rows in .* 19998 scored → out2\.csv, 2 refused\n {2}row 101: feature "tenure"/);
  const badCol = await runCli(['predict', 'churn', '-i', 'out.csv', '-o', 'x.csv', '--version', '2'], { cwd });
  assert.equal(badCol.code, 0, 'extra columns are fine');
  writeFileSync(join(cwd, 'nocol.csv'), 'age,spend\n1,2\n');
  const nocol = await runCli(['predict', 'churn', '-i', 'nocol.csv', '-o', 'x.csv'], { cwd });
  assert.notEqual(nocol.code, 0);
  assert.match(nocol.stderr, /no column "tenure"/);
});

test('export kserve: an InferenceService valid against KServe\'s CRD schema, for the version served', async () => {
  await runCliJson(['deploy', 'prod'], { cwd });
  await registry(daemon.client).setStage('churn', 2, 'Production');
  const res = exportJson.parse(await runCliJson(['export', 'kserve', '--deployment', 'prod', '--storage-uri', 's3://models/churn/2', '--out', 'k'], { cwd }));
  assert.equal(res.version, 2);
  const doc = parseYaml(readFileSync(join(cwd, 'k', 'inferenceservice.yaml'), 'utf8')) as Record<string, unknown>;
  const schema = JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'kserve', 'inferenceservice-v1beta1.schema.json'), 'utf8')) as object;
  const ajv = new Ajv({ strict: false, allErrors: true });
  const validate = ajv.compile(schema);
  assert.ok(validate(doc), JSON.stringify(validate.errors));
  assert.equal(doc['apiVersion'], 'serving.kserve.io/v1beta1');
  assert.equal(doc['kind'], 'InferenceService');
  assert.ok(!validate({ ...doc, spec: { predictor: { model: { modelFormat: { name: 'onnx' }, storageURI: 'x' } } } }), 'the schema catches a misspelt field');
  assert.ok(existsSync(join(cwd, 'k', 'model', 'model.onnx')));
});

test('export docker: Dockerfile and context that run the same serving process', async () => {
  const res = exportJson.parse(await runCliJson(['export', 'docker', '--deployment', 'prod', '--out', 'd'], { cwd }));
  const dir = join(cwd, 'd');
  const docker = readFileSync(join(dir, 'Dockerfile'), 'utf8');
  const lines = docker.split('\n').filter((l) => l && !l.startsWith('#'));
  assert.match(lines[0] ?? '', /^FROM node:20/);
  assert.ok(lines.some((l) => l.startsWith('EXPOSE 8080')));
  assert.match(lines.at(-1) ?? '', /^CMD \["node", "serving.js", "--spec", "\/app\/serving-spec.json"\]$/);
  for (const l of lines.filter((x) => x.startsWith('COPY '))) {
    for (const src of l.slice(5).split(' ').slice(0, -1)) assert.ok(existsSync(join(dir, src)), `COPY source ${src} is in the context`);
  }
  const spec = servingBootSchema.parse(JSON.parse(readFileSync(join(dir, 'serving-spec.json'), 'utf8')));
  assert.deepEqual([spec.host, spec.port, spec.model.artifact_path, spec.model.version], ['0.0.0.0', 8080, '/mnt/models/model.onnx', res.version]);
  assert.equal(readFileSync(join(dir, 'serving.js'), 'utf8'), readFileSync(join(__dirname, '..', '..', '..', 'dist', 'serving.js'), 'utf8'));
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  assert.match(pkg.dependencies['onnxruntime-node'] ?? '', /^\d+\.\d+\.\d+$/);
});

test('daemon enable: where systemd does not run, it says how', async () => {
  const r = daemonEnableJson.parse(await runCliJson(['daemon', 'enable'], { cwd }));
  if (existsSync('/run/systemd/system')) return;
  assert.equal(r.installed, false);
  assert.match(r.instructions, /systemd does not run here/);
  assert.match(r.instructions, /ExecStart=.*daemon\.js --root /);
});
