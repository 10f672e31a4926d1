/**
 * ZipMap graphs laid out as skl2onnx writes them (LinearClassifier → Normalizer → ZipMap), built by our writer:
 * onnxruntime-node cannot return their sequence-of-maps output; after rewriteZipMap it returns the probability
 * tensor the ZipMap wrapped, equal to the classifier's maths, and the label output is untouched.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { parseOnnxModel } from '../../../daemon/src/onnx/model';
import { ML_DOMAIN, buildModel } from '../../../daemon/src/onnx/graph';
import { ZipMapError, rewriteZipMap } from '../../../daemon/src/onnx/zipmap';
import { Rng } from '../../../examples/churn/lib/random';
import { consumedZipMapOnnx, skl2onnxZipMapClassifier } from '../../helpers/onnx';

function rows(rng: Rng, n: number, f: number): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: f }, () => Math.fround(rng.normal(0, 2))));
}

async function runRewritten(bytes: Uint8Array, data: number[][]): Promise<ort.InferenceSession.OnnxValueMapType> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const f = data[0]?.length ?? 0;
    return await session.run({ float_input: new ort.Tensor('float32', Float32Array.from(data.flat()), [data.length, f]) });
  } finally {
    await session.release();
  }
}

describe('ZipMap rewrite under onnxruntime-node', () => {
  test('binary int64 classes: the map output cannot be returned; rewritten, probabilities equal the maths to 1e-5', async () => {
    const rng = new Rng(11);
    const f = 6;
    const model = skl2onnxZipMapClassifier({ coef: [Array.from({ length: f }, () => rng.normal(0, 1))], intercept: [0.3], classes: [0, 1] });
    const data = rows(rng, 500, f);
    const before = parseOnnxModel(model.bytes);
    assert.deepEqual(before.signature.outputs.map((o) => o.type), ['int64', 'seq(map(int64,tensor(float)))']);
    // Why the rewrite exists: onnxruntime-node refuses to hand back a sequence of maps.
    await assert.rejects(runRewritten(model.bytes, data));

    const { bytes, rewritten } = rewriteZipMap(model.bytes);
    assert.deepEqual(rewritten, ['output_probability → probabilities']);
    const info = parseOnnxModel(bytes);
    assert.deepEqual(info.signature.outputs[0], before.signature.outputs[0], 'the label output is untouched');
    assert.deepEqual(info.signature.outputs[1], { name: 'probabilities', type: 'float', shape: ['N', 2] });
    assert.equal(info.metadata['zipmap_rewritten'], 'output_probability → probabilities');
    assert.ok(!info.opTypes.includes(`${ML_DOMAIN}:ZipMap`));
    assert.equal(info.producerName, 'skl2onnx', 'everything but the ZipMap is copied as it was');

    const out = await runRewritten(bytes, data);
    const p = out.probabilities as ort.Tensor;
    const label = out.output_label as ort.Tensor;
    assert.deepEqual(p.dims, [500, 2]);
    assert.equal(label.type, 'int64');
    data.forEach((row, i) => {
      const e = model.predict(row);
      for (let c = 0; c < 2; c++) assert.ok(Math.abs((p.data[2 * i + c] as number) - (e[c] as number)) < 1e-5, `row ${i} class ${c}`);
      assert.equal(label.data[i], (e[1] as number) > 0.5 ? 1n : 0n, `label row ${i}`);
    });
  });

  test('three string classes (softmax): probabilities and labels survive the rewrite', async () => {
    const rng = new Rng(12);
    const f = 4;
    const classes = ['bronze', 'gold', 'silver'];
    const model = skl2onnxZipMapClassifier({
      coef: classes.map(() => Array.from({ length: f }, () => rng.normal(0, 1))),
      intercept: [0.1, -0.2, 0.05],
      classes,
    });
    const data = rows(rng, 300, f);
    const { bytes } = rewriteZipMap(model.bytes);
    const out = await runRewritten(bytes, data);
    const p = out.probabilities as ort.Tensor;
    assert.deepEqual(p.dims, [300, 3]);
    const label = out.output_label as ort.Tensor;
    data.forEach((row, i) => {
      const e = model.predict(row);
      e.forEach((v, c) => assert.ok(Math.abs((p.data[3 * i + c] as number) - v) < 1e-5, `row ${i} class ${c}`));
      assert.equal(label.data[i], classes[e.indexOf(Math.max(...e))]);
    });
  });

  test('a model without ZipMap comes back as the same bytes', () => {
    const bytes = buildModel({
      graphName: 'plain',
      opsets: { '': 13 },
      inputs: [{ name: 'x', type: { tensor: 'float', dims: ['N', 2] } }],
      outputs: [{ name: 'y', type: { tensor: 'float', dims: ['N', 2] } }],
      nodes: [{ op: 'Identity', inputs: ['x'], outputs: ['y'] }],
    });
    const r = rewriteZipMap(bytes);
    assert.equal(r.bytes, bytes);
    assert.deepEqual(r.rewritten, []);
  });

  test('a ZipMap whose map feeds another node is refused with the zipmap=False fix', () => {
    const bytes = consumedZipMapOnnx();
    assert.throws(() => rewriteZipMap(bytes), (e: unknown) => {
      assert.ok(e instanceof ZipMapError);
      assert.match(e.message, /"maps" is used inside the graph/);
      assert.match(e.message, /options=\{"zipmap": False\}/);
      return true;
    });
  });
});
