/** The built-in validate stage through `mlops run`: failures name the expectation, counts and rows; the report is JSON beside the log. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPipelineJson, validationReportSchema } from '../../../schemas/src/pipelines';
import { runCli, tempProject } from '../../helpers';

const CONFIG = `version: 1
project: {name: val}
data:
  customers:
    paths: [data/customers.csv]
    expectations:
      row_count: {min: 3, max: 1000}
      columns:
        id: {type: integer, unique: true}
        age: {type: number, min: 18, max: 99, max_null_fraction: 0}
        plan: {allowed: [basic, pro]}
        email: {regex: "[^@ ]+@[^@ ]+"}
        churned: {type: boolean}
pipeline:
  stages:
    check: {kind: validate, dataset: customers}
    train:
      cmd: echo trained > model.txt
      deps: [data/customers.csv]
      after: [check]
      outs: [model.txt]
`;

const GOOD = 'id,age,plan,email,churned\n1,34,basic,a@x.io,true\n2,"45",pro,b@x.io,false\n3,18,basic,c@x.io,0\n';
const BAD = 'id,age,plan,email,churned\n1,34,basic,a@x.io,true\n2,12,gold,b@x.io,false\n2,,pro,"not an email",maybe\n4,130,basic,d@x.io,1\n';

test('validate: failed expectations named with counts and example rows, dependants stop; fixing the data lets the pipeline through', async () => {
  const p = tempProject({ config: CONFIG, prefix: 'mlops-val-' });
  try {
    mkdirSync(join(p.root, 'data'));
    writeFileSync(join(p.root, 'data/customers.csv'), BAD);
    const r = await runCli(['run', '--json'], { cwd: p.root, timeoutMs: 60_000 });
    assert.equal(r.code, 1, r.stderr);
    const stages = runPipelineJson.parse(JSON.parse(r.stdout)).stages;
    assert.equal(stages[0]?.status, 'failed');
    assert.equal(stages[1]?.status, 'skipped');
    const reason = stages[0]?.reason ?? '';
    assert.match(reason, /columns\.age\.range: 2 values outside \[18, 99\] \(rows 2, 4\)/);
    assert.match(reason, /columns\.plan\.allowed: 1 values not in \["basic","pro"\] \(rows 2\)/);
    assert.match(reason, /columns\.id\.unique: 1 repeated values \(rows 3\)/);
    assert.match(reason, /columns\.age\.max_null_fraction: .*\(rows 3\)/);
    assert.match(reason, /columns\.email\.regex: 1 values do not match .*\(rows 3\)/);
    assert.match(reason, /columns\.churned\.type: 1 values are not boolean \(rows 3\)/);
    const report = validationReportSchema.parse(JSON.parse(readFileSync(join(p.stateDir, 'pipelines/logs/check.validation.json'), 'utf8')));
    assert.equal(report.rows, 4);
    assert.equal(report.success, false);
    assert.deepEqual(report.results.find((x) => x.expectation === 'row_count')?.success, true);
    assert.ok(!existsSync(join(p.root, 'model.txt')));

    writeFileSync(join(p.root, 'data/customers.csv'), GOOD);
    const ok = await runCli(['run', '--json'], { cwd: p.root, timeoutMs: 60_000 });
    assert.equal(ok.code, 0, ok.stderr);
    const after = runPipelineJson.parse(JSON.parse(ok.stdout)).stages;
    assert.deepEqual(after.map((s) => s.status), ['ran', 'ran']);
    assert.match(after[0]?.reason ?? '', /expectations met on 3 rows/);
  } finally {
    await p.cleanup();
  }
});

const PANDAS_PARQUET = '/usr/lib/python3/dist-packages/pandas/tests/io/data/parquet/simple.parquet';

test('validate reads Parquet (hyparquet): a file written by pyarrow, rows named', { skip: !existsSync(PANDAS_PARQUET) && 'python3-pandas test data not installed' }, async () => {
  const p = tempProject({
    config: `version: 1
project: {name: pq}
data:
  simple:
    paths: [simple.parquet]
    format: parquet
    expectations:
      columns:
        A: {type: integer, max: 2}
        B: {allowed: [foo]}
pipeline:
  stages:
    check: {kind: validate, dataset: simple}
`,
    prefix: 'mlops-val-',
  });
  try {
    copyFileSync(PANDAS_PARQUET, join(p.root, 'simple.parquet'));
    const r = await runCli(['run', '--json'], { cwd: p.root, timeoutMs: 60_000 });
    assert.equal(r.code, 1);
    const reason = runPipelineJson.parse(JSON.parse(r.stdout)).stages[0]?.reason ?? '';
    assert.match(reason, /^1 expectation failed: columns\.A\.range: 1 values outside \[-∞, 2\] \(rows 3\)/);
  } finally {
    await p.cleanup();
  }
});
