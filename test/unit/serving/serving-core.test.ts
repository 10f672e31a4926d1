/**
 * The serving core without processes: the row CSV reader against csv-parse (the reference), the
 * signature check's messages, the protocol parsers, and /metrics text checked by promtool.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { CsvRowParser, readCsvRows } from '../../../shared/src/serving/csv-rows';
import { ServingMetrics } from '../../../daemon/src/serving/metrics';
import { parseInvocations, parsePredict } from '../../../daemon/src/serving/protocols';
import { validateInstances, valueProblem } from '../../../shared/src/serving/validate';
import { ServingError } from '../../../shared/src/serving/errors';

function rowsOf(text: string, chunk: number): string[][] {
  const rows: string[][] = [];
  const p = new CsvRowParser((r) => rows.push(r));
  for (let i = 0; i < text.length; i += chunk) p.push(text.slice(i, i + chunk));
  p.end();
  return rows;
}

test('CSV rows equal csv-parse on quoting, doubled quotes, CRLF, embedded newlines and a missing final newline, at any chunking', () => {
  const cases = [
    'a,b,c\n1,2,3\n',
    'a,b\r\n"x,y","he said ""hi"""\r\n,\r\n',
    'name,note\n"multi\nline",2\n"",""\nlast,row',
    'x\n\n1\n\n2\n',
  ];
  let seed = 3;
  const fields = ['plain', 'with,comma', 'quote"inside', 'line\nbreak', '', ' spaced ', 'crlf\r\nin'];
  const lines = Array.from({ length: 300 }, () => Array.from({ length: 4 }, () => fields[(seed = (seed * 7 + 3) % 101) % fields.length] as string));
  cases.push(lines.map((l) => l.map((f) => (/[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',')).join('\r\n') + '\r\n');
  for (const text of cases) {
    const expected = parse(text, { relax_column_count: true, skip_empty_lines: true }) as string[][];
    for (const chunk of [1, 3, 7, 1 << 20]) assert.deepEqual(rowsOf(text, chunk), expected, `chunk ${chunk}: ${JSON.stringify(text.slice(0, 40))}`);
  }
});

test('readCsvRows drops a UTF-8 byte-order mark', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'csv-rows-'));
  writeFileSync(join(dir, 'a.csv'), '\ufeffage,b\n1,2\n');
  const rows: string[][] = [];
  await readCsvRows(join(dir, 'a.csv'), (r) => rows.push(r));
  assert.deepEqual(rows, [['age', 'b'], ['1', '2']]);
});

const features = [
  { name: 'age', type: 'float' as const },
  { name: 'n', type: 'int64' as const },
  { name: 'plan', type: 'string' as const, categories: ['a', 'b'] },
  { name: 'flag', type: 'bool' as const },
];

test('the signature check names the instance and feature, and says what was expected', () => {
  const at = (instances: unknown[]): ServingError => {
    try {
      validateInstances(instances, features);
    } catch (e) {
      if (e instanceof ServingError) return e;
    }
    throw new Error('no error');
  };
  const ok = { age: 1.5, n: 2, plan: 'a', flag: true };
  assert.deepEqual(validateInstances([ok, [2, 3, 'b', false]], features), [[1.5, 2, 'a', true], [2, 3, 'b', false]]);
  assert.deepEqual(at([ok, { ...ok, n: 2.5 }]).where, { instance: 1, feature: 'n' });
  assert.match(at([{ ...ok, n: 2.5 }]).message, /expected an integer, got number 2.5/);
  assert.match(at([{ ...ok, plan: 'c' }]).message, /"c" is not one of the declared categories \("a", "b"\)/);
  assert.match(at([{ ...ok, flag: 1 }]).message, /expected true or false/);
  assert.match(at([{ ...ok, age: 1e400 }]).message, /expected a finite number/);
  assert.equal(valueProblem({ name: 'x', type: 'int32' }, 2 ** 31), '2147483648 is outside the int32 range');
});

test('protocol parsers: predict shapes and MLflow formats', () => {
  assert.deepEqual(parsePredict({ instances: [[1]] }), [[1]]);
  assert.deepEqual(parsePredict({ a: 1 }), [{ a: 1 }]);
  assert.deepEqual(parsePredict([1, 2]), [[1, 2]]);
  assert.deepEqual(parsePredict([[1], [2]]), [[1], [2]]);
  assert.deepEqual(parseInvocations({ dataframe_split: { columns: ['a', 'b'], data: [[1, 2]] } }), [{ a: 1, b: 2 }]);
  assert.deepEqual(parseInvocations({ dataframe_split: { data: [[1, 2]] } }), [[1, 2]]);
  assert.deepEqual(parseInvocations({ inputs: { a: [1, 2], b: [3, 4] } }), [{ a: 1, b: 3 }, { a: 2, b: 4 }]);
  assert.throws(() => parseInvocations({ inputs: { a: [1, 2], b: [3] } }), /"inputs.b" has 1 values, other columns 2/);
  assert.throws(() => parseInvocations({ dataframe_split: { columns: ['a'], data: [[1, 2]] } }), /instance 0: dataframe_split row has 2 values for 1 columns/);
});

test('/metrics text passes promtool, label values escaped', (t) => {
  const m = new ServingMetrics('a"b\\c');
  m.observe('/predict', 200, 0.0007, true);
  m.observe('/predict', 400, 0.002, true);
  m.observe('/metrics', 200, 0.001, false);
  m.observeLoad(3, 0.12);
  m.observeBatch(5);
  m.served = { model: 'churn', version: 3 };
  const text = m.render();
  assert.match(text, /mlops_serving_request_duration_seconds_bucket\{deployment="a\\"b\\\\c",route="\/predict",le="0.001"\} 1/);
  assert.match(text, /mlops_serving_request_duration_seconds_count\{deployment="a\\"b\\\\c",route="\/predict"\} 2/);
  const st = m.stats();
  assert.deepEqual([st.requests, st.errors, st.rps], [2, 0, 0.2]);
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (r.error) return t.skip('promtool is not installed (Debian package prometheus)');
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('the language server flags two deployments on one fixed port, and stage with alias', async () => {
  const { MlopsYamlDocument } = await import('../../../language-server/src/core/mlops-yaml');
  const text = 'version: 1\nproject:\n  name: p\nmodels:\n  m:\n    task: regression\n    signature:\n      inputs: [{name: a}]\ndeployments:\n  a:\n    model: m\n    port: 8080\n  b:\n    model: m\n    port: 8080\n    stage: Production\n    alias: champ\n';
  const msgs = new MlopsYamlDocument().validate(text).map((d) => `${d.code}: ${d.message}`);
  assert.ok(msgs.some((m) => /^port-conflict: deployments\.b\.port: port 8080 is already used by deployments\.a/.test(m)), msgs.join('\n'));
  assert.ok(msgs.some((m) => /deployments\.b\.alias: a deployment follows one of stage, alias or version/.test(m)), msgs.join('\n'));
});

test('a ZipMap output that was not rewritten is refused at load with the fix spelled out', async () => {
  const { LoadedModel } = await import('../../../shared/src/serving/model');
  const { randomTrees, treeEnsembleOnnx } = await import('../../helpers/onnx-graphs');
  const file = join(mkdtempSync(join(tmpdir(), 'zipmap-')), 'zip.onnx');
  writeFileSync(file, treeEnsembleOnnx({ trees: randomTrees(2, 2, 2, 2), features: 2, classes: 2, zipmap: true }));
  const spec = { model: 'm', version: 1, artifact_path: file, artifact_sha256: 'x', task: null, input_mode: 'tensor' as const, features: [{ name: 'a', type: 'float' as const }, { name: 'b', type: 'float' as const }] };
  await assert.rejects(LoadedModel.load(spec, 1), /output "probabilities": it is a ZipMap .*"zipmap": False/);
});
