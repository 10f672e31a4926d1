/** Models written by buildLinearModelOnnx, run by the real onnxruntime, must agree with the TypeScript maths. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { buildLinearModelOnnx, parseOnnxModel, predictLinear, type LinearModelOptions } from '../../../daemon/src/onnx/model';
import { Rng } from '../../../examples/churn/lib/random';

function randomRows(rng: Rng, n: number, f: number): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: f }, () => rng.normal(3, 5)));
}

async function run(bytes: Uint8Array, rows: number[][]): Promise<ort.InferenceSession.OnnxValueMapType> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const f = rows[0]?.length ?? 0;
    const input = new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, f]);
    return await session.run({ [session.inputNames[0] as string]: input });
  } finally {
    await session.release();
  }
}

describe('buildLinearModelOnnx under onnxruntime-node', () => {
  test('classification with folded standardisation: probabilities within 1e-5, labels exact', async () => {
    const rng = new Rng(2024);
    const f = 20;
    const opts: LinearModelOptions = {
      task: 'classification',
      weights: Array.from({ length: f }, () => rng.normal(0, 0.3)),
      bias: -0.4,
      standardize: {
        mean: Array.from({ length: f }, () => rng.normal(3, 1)),
        std: Array.from({ length: f }, () => rng.uniform(0.5, 6)),
      },
      featureNames: Array.from({ length: f }, (_, i) => `f${i}`),
    };
    const rows = randomRows(rng, 257, f);
    const out = await run(buildLinearModelOnnx(opts), rows);
    const expected = predictLinear(opts, rows);
    const prob = out.probability as ort.Tensor;
    const label = out.label as ort.Tensor;
    assert.deepEqual(prob.dims, [257, 1]);
    assert.equal(prob.type, 'float32');
    assert.equal(label.type, 'int64');
    const p = prob.data as Float32Array;
    const l = label.data as BigInt64Array;
    let positives = 0;
    for (let i = 0; i < rows.length; i++) {
      assert.ok(Math.abs((p[i] as number) - (expected[i] as number)) < 1e-5, `row ${i}: ${p[i]} vs ${expected[i]}`);
      assert.equal(l[i], (p[i] as number) > 0.5 ? 1n : 0n, `label row ${i}`);
      positives += Number(l[i]);
    }
    assert.ok(positives > 20 && positives < 237, `both classes appear (${positives} positives)`);
  });

  test('regression without standardisation and a custom input name', async () => {
    const rng = new Rng(7);
    const opts: LinearModelOptions = { task: 'regression', weights: [1.5, -2, 0.25], bias: 10, inputName: 'x' };
    const rows = randomRows(rng, 50, 3);
    const out = await run(buildLinearModelOnnx(opts), rows);
    const expected = predictLinear(opts, rows);
    const pred = out.prediction as ort.Tensor;
    assert.deepEqual(pred.dims, [50, 1]);
    (pred.data as Float32Array).forEach((v, i) => {
      const e = expected[i] as number;
      assert.ok(Math.abs(v - e) <= 1e-5 * Math.max(1, Math.abs(e)), `row ${i}: ${v} vs ${e}`);
    });
  });

  test('a custom threshold moves the label cut-off', async () => {
    const opts: LinearModelOptions = { task: 'classification', weights: [1], bias: 0, threshold: 0.9 };
    const out = await run(buildLinearModelOnnx(opts), [[0], [2], [3]]); // sigmoid: 0.5, 0.88, 0.95
    assert.deepEqual([...(out.label as ort.Tensor).data], [0n, 0n, 1n]);
  });

  test('parsed signature agrees with what onnxruntime reports', async () => {
    const bytes = buildLinearModelOnnx({ task: 'classification', weights: [1, 2, 3, 4], bias: 0 });
    const info = parseOnnxModel(bytes);
    const session = await ort.InferenceSession.create(bytes);
    try {
      assert.deepEqual(
        info.signature.inputs.map((i) => i.name),
        [...session.inputNames],
      );
      assert.deepEqual(
        info.signature.outputs.map((o) => o.name),
        [...session.outputNames],
      );
    } finally {
      await session.release();
    }
  });
});
