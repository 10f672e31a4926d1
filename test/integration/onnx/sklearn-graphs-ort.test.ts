/**
 * The scikit-learn graph builder (daemon/src/onnx/sklearn.ts) under onnxruntime-node, on hand-written parameters
 * whose answers are known: split thresholds that float32 cannot represent, a boosted binary model whose leaves
 * are all positive (onnxruntime treats such two-class weights specially), string labels, scalers with parts off,
 * and parameters that cannot make a model.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { type SklearnEstimator, type SklearnTree } from '../../../schemas/src/export';
import { InvalidEstimatorError, buildSklearnOnnx } from '../../../daemon/src/onnx/sklearn';
import { floorFloat32 } from '../../../daemon/src/onnx/graph';
import { parseOnnxModel } from '../../../daemon/src/onnx/model';

async function score(est: SklearnEstimator, X: number[][]): Promise<ort.InferenceSession.OnnxValueMapType> {
  const f = X[0]?.length ?? 0;
  const bytes = buildSklearnOnnx(est, { featureNames: Array.from({ length: f }, (_, i) => `x${i}`) });
  const session = await ort.InferenceSession.create(bytes);
  try {
    return await session.run({ features: new ort.Tensor('float32', Float32Array.from(X.flat()), [X.length, f]) });
  } finally {
    await session.release();
  }
}

/** A stump on one feature (default 0): left leaf when x <= t. */
function stump(t: number, left: number[], right: number[], feature = 0): SklearnTree {
  return { feature: [feature, -2, -2], threshold: [t, -2, -2], children_left: [1, -1, -1], children_right: [2, -1, -1], value: [[0, 0].slice(0, left.length), left, right] };
}

function nextFloat32Up(f: number): number {
  if (f === 0) return 2 ** -149;
  const bits = new Uint32Array(new Float32Array([f]).buffer)[0] as number;
  return new Float32Array(new Uint32Array([f > 0 ? bits + 1 : bits - 1]).buffer)[0] as number;
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));
const values = (t: ort.Tensor | undefined): number[] => [...((t?.data ?? []) as Float32Array)];

describe('scikit-learn graphs under onnxruntime-node', () => {
  test('floorFloat32 is the largest float32 not above the value', () => {
    for (const x of [0.1, -0.1, 1 / 3, -1 / 3, 1e-40, -1e-40, 123456.789, 2.5, 0, 7e-46, -7e-46]) {
      const f = floorFloat32(x);
      assert.equal(Math.fround(f), f, `${x}: a float32`);
      assert.ok(f <= x, `${x}: ${f} is above`);
      assert.ok(nextFloat32Up(f) > x || f === x, `${x}: the float32 after ${f} is not above the value`);
    }
  });

  test('a threshold between two float32 values decides as scikit-learn does on both of them', async () => {
    // scikit-learn splits halfway between neighbouring values, a double no float32 equals; rounding it to the
    // nearest float32 (here: up, onto the upper value) would send the upper value left. Rounding down never does.
    const lo = Math.fround(0.1);
    const hi = nextFloat32Up(lo);
    const t = (lo + hi) / 2;
    assert.equal(Math.fround(t), hi, 'round-to-nearest would land on the upper value');
    const est: SklearnEstimator = { steps: [], predictor: { kind: 'tree_ensemble_regressor', trees: [stump(t, [-1], [1])] } };
    const out = await score(est, [[lo], [hi]]);
    assert.deepEqual(values(out.prediction as ort.Tensor), [-1, 1]);
  });

  test('a two-class booster whose leaves are all positive still gets sigmoid probabilities and argmax labels', async () => {
    const tree = stump(0, [0], [0]);
    tree.value = [[0], [0.5], [2]];
    const est: SklearnEstimator = {
      steps: [],
      predictor: { kind: 'gradient_boosting_classifier', learning_rate: 0.1, init: [-0.3], stages: [[tree], [tree]], classes: [3, 7] },
    };
    const out = await score(est, [[-1], [1]]);
    const p = values(out.probabilities as ort.Tensor);
    const raw = [-0.3 + 2 * 0.1 * 0.5, -0.3 + 2 * 0.1 * 2];
    raw.forEach((z, i) => {
      assert.ok(Math.abs((p[2 * i + 1] as number) - sigmoid(z)) < 1e-6, `row ${i}: ${p[2 * i + 1]} vs ${sigmoid(z)}`);
      assert.ok(Math.abs((p[2 * i] as number) - (1 - sigmoid(z))) < 1e-6);
    });
    assert.deepEqual([...(out.label as ort.Tensor).data], [3n, 7n]);
  });

  test('string classes of a forest come back as strings; ties go to the first class as numpy argmax does', async () => {
    const est: SklearnEstimator = {
      steps: [],
      predictor: { kind: 'tree_ensemble_classifier', trees: [stump(0, [4, 0], [0, 2]), stump(0, [0, 3], [1, 1], 1)], classes: ['churned', 'stayed'] },
    };
    const out = await score(est, [[-1, -1], [-1, 5], [5, 5]]);
    assert.deepEqual(values(out.probabilities as ort.Tensor), [0.5, 0.5, 0.75, 0.25, 0.25, 0.75]);
    assert.deepEqual([...(out.label as ort.Tensor).data], ['churned', 'churned', 'stayed']);
  });

  test('scalers with centring or scaling off, then a linear regression, all in double', async () => {
    const est: SklearnEstimator = {
      steps: [
        { kind: 'standard_scaler', mean: null, scale: [2, 4] },
        { kind: 'standard_scaler', mean: [1, -1], scale: null },
      ],
      predictor: { kind: 'linear_regression', coef: [3, -1], intercept: 0.5 },
    };
    const out = await score(est, [[4, 8], [0, 0]]);
    // (4/2 - 1)·3 - (8/4 + 1) + 0.5 = 0.5; (0 - 1)·3 - (0 + 1) + 0.5 = -3.5
    assert.deepEqual(values(out.prediction as ort.Tensor), [0.5, -3.5]);
  });

  test('metadata carries feature_names and the task; outputs are tensors only', () => {
    const bytes = buildSklearnOnnx(
      { steps: [], predictor: { kind: 'logistic_regression', coef: [[1, 2]], intercept: [0], classes: [0, 1], multi_class: 'ovr' } },
      { featureNames: ['a', 'b'], metadata: { source: 'scikit-learn' } },
    );
    const info = parseOnnxModel(bytes);
    assert.equal(info.metadata['feature_names'], '["a","b"]');
    assert.equal(info.metadata['task'], 'classification');
    assert.deepEqual(
      info.signature.outputs.map((o) => [o.name, o.type]),
      [['label', 'int64'], ['probabilities', 'float']],
    );
    assert.deepEqual(info.signature.inputs, [{ name: 'features', type: 'float', shape: ['N', 2] }]);
  });

  test('parameters that cannot make a model are refused naming their path', refusesBadParameters);
});

function refusesBadParameters(): void {
  const bad: [SklearnEstimator, RegExp][] = [
    [{ steps: [], predictor: { kind: 'linear_regression', coef: [1], intercept: 0 } }, /estimator\.predictor\.coef: has 1 values, expected 2/],
    [{ steps: [{ kind: 'standard_scaler', mean: null, scale: [1, 0] }], predictor: { kind: 'linear_regression', coef: [1, 1], intercept: 0 } }, /steps\[0\]\.scale\[1\]: is 0/],
    [{ steps: [], predictor: { kind: 'logistic_regression', coef: [[1, 1]], intercept: [0], classes: [0, 'a'], multi_class: 'ovr' } }, /classes: mixes numbers and strings/],
    [{ steps: [], predictor: { kind: 'tree_ensemble_regressor', trees: [{ ...stump(0, [1], [2]), feature: [5, -2, -2], value: [[0], [1], [2]] }] } }, /trees\[0\]\.feature\[0\]: 5 is not a feature index/],
    [{ steps: [], predictor: { kind: 'gradient_boosting_classifier', learning_rate: 0.1, init: [0, 0], stages: [[stump(0, [1], [2])]], classes: [0, 1] } }, /init: has 2 values, expected 1/],
  ];
  for (const [est, message] of bad) {
    assert.throws(() => buildSklearnOnnx(est, { featureNames: ['a', 'b'] }), (e: unknown) => e instanceof InvalidEstimatorError && message.test(e.message));
  }
}
