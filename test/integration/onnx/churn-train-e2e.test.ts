/**
 * The churn example end to end, as the demo runs it: the folder is copied to a temp dir and the repo's scripts
 * run with that dir as cwd. The ONNX model must load in onnxruntime, match mlops.yaml, and reproduce the
 * accuracy that train.ts reported.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { parse } from 'yaml';
import { checkSignatureAgainstConfig, parseOnnxModel } from '../../../daemon/src/onnx/model';
import { mlopsConfigSchema } from '../../../schemas/src/mlops-yaml';
import { readNumericCsv } from '../../../examples/churn/lib/csv';

const root = join(__dirname, '..', '..', '..');
const example = join(root, 'examples', 'churn');
const tsx = join(root, 'node_modules', '.bin', 'tsx');

function runScript(cwd: string, script: string, args: string[], env: NodeJS.ProcessEnv = {}): { code: number; out: string; err: string } {
  const r = spawnSync(tsx, [join(example, script), ...args], {
    cwd,
    env: { ...process.env, MLOPS_PARAMS: '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

describe('examples/churn: generate-data.ts + train.ts in a copied project folder', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'churn-e2e-'));
    cpSync(example, dir, { recursive: true });
    const gen = runScript(dir, 'generate-data.ts', ['--rows', '900', '--seed', '3']);
    assert.equal(gen.code, 0, gen.err);
    assert.match(gen.out, /wrote data\/train\.csv \(720 rows\) and data\/holdout\.csv \(180 rows\); 20 features/);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('generation is byte-identical for the same seed', () => {
    const again = runScript(dir, 'generate-data.ts', ['--rows', '900', '--seed', '3', '--out', 'data2']);
    assert.equal(again.code, 0, again.err);
    assert.equal(readFileSync(join(dir, 'data2', 'train.csv'), 'utf8'), readFileSync(join(dir, 'data', 'train.csv'), 'utf8'));
  });

  test('train.ts with MLOPS_PARAMS writes a loadable model whose signature matches mlops.yaml', async () => {
    const paramsFile = join(dir, 'params.json');
    writeFileSync(paramsFile, JSON.stringify({ train: { learning_rate: 0.2, epochs: 120, l2: 0.01, seed: 1 } }));
    const tr = runScript(dir, 'train.ts', ['--out', 'runs/a'], { MLOPS_PARAMS: paramsFile });
    assert.equal(tr.code, 0, tr.err);
    assert.match(tr.out, /params from MLOPS_PARAMS .*"epochs":120/);
    assert.match(tr.out, /holdout \(180 rows\): accuracy/);

    const bytes = readFileSync(join(dir, 'runs', 'a', 'model.onnx'));
    const info = parseOnnxModel(bytes);
    const config = mlopsConfigSchema.parse(parse(readFileSync(join(dir, 'mlops.yaml'), 'utf8')));
    assert.ok(config.models.churn);
    assert.deepEqual(checkSignatureAgainstConfig(info.signature, config.models.churn), []);
    assert.deepEqual(JSON.parse(info.metadata.feature_names ?? '[]'), config.models.churn.signature.inputs.map((f) => f.name));
    assert.equal(JSON.parse(info.metadata.params ?? '{}').epochs, 120);

    const metrics = JSON.parse(readFileSync(join(dir, 'runs', 'a', 'metrics.json'), 'utf8')) as Record<string, number>;
    for (const k of ['accuracy', 'auc', 'log_loss']) assert.equal(typeof metrics[k], 'number', k);
    assert.ok((metrics.auc ?? 0) > 0.7, `auc ${metrics.auc}`);

    // Recompute holdout accuracy with onnxruntime's labels: the ONNX graph must be the trained model.
    const holdout = readNumericCsv(join(dir, 'data', 'holdout.csv'));
    const width = holdout.header.length;
    const f = width - 1;
    const x = new Float32Array(holdout.rows * f);
    for (let i = 0; i < holdout.rows; i++) for (let j = 0; j < f; j++) x[i * f + j] = holdout.values[i * width + j] as number;
    const session = await ort.InferenceSession.create(bytes);
    try {
      const out = await session.run({ features: new ort.Tensor('float32', x, [holdout.rows, f]) });
      const labels = (out.label as ort.Tensor).data as BigInt64Array;
      let correct = 0;
      for (let i = 0; i < holdout.rows; i++) if (Number(labels[i]) === holdout.values[i * width + f]) correct++;
      // float32 vs float64 may flip a probability sitting on 0.5: allow one row.
      assert.ok(Math.abs(correct / holdout.rows - (metrics.accuracy ?? -1)) <= 1 / holdout.rows + 1e-12);
    } finally {
      await session.release();
    }
  });

  test('without MLOPS_PARAMS the params come from ./mlops.yaml, and other params give another model', () => {
    const tr = runScript(dir, 'train.ts', ['--out', 'runs/b']);
    assert.equal(tr.code, 0, tr.err);
    assert.match(tr.out, /params from mlops\.yaml: .*"epochs":300/);
    assert.ok(existsSync(join(dir, 'runs', 'b', 'metrics.json')));
    const again = runScript(dir, 'train.ts', ['--out', 'runs/c']);
    assert.deepEqual(readFileSync(join(dir, 'runs', 'c', 'model.onnx')), readFileSync(join(dir, 'runs', 'b', 'model.onnx')));
    assert.equal(again.code, 0);
    if (existsSync(join(dir, 'runs', 'a', 'model.onnx'))) {
      assert.notDeepEqual(readFileSync(join(dir, 'runs', 'a', 'model.onnx')), readFileSync(join(dir, 'runs', 'b', 'model.onnx')));
    }
  });

  test('missing data and bad flags fail with a clear message and exit code 1', () => {
    const noData = runScript(dir, 'train.ts', ['--data', 'nowhere']);
    assert.equal(noData.code, 1);
    assert.match(noData.err, /train: nowhere\/train\.csv: cannot read the data file \(ENOENT\); run generate-data\.ts first/);
    const badFlag = runScript(dir, 'generate-data.ts', ['--rowz', '5']);
    assert.equal(badFlag.code, 1);
    assert.match(badFlag.err, /unknown argument "--rowz"/);
  });
});
