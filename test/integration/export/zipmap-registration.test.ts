/**
 * Registering a ZipMap classifier (skl2onnx's default layout) through a real daemon: the stored artifact is the
 * rewritten graph, whose signature lists the `probabilities` tensor and which onnxruntime-node runs; a ZipMap
 * that cannot be rewritten is refused with the zipmap=False fix, and nothing is stored.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { ApiError } from '../../../client/src/client';
import * as endpoints from '../../../schemas/src/endpoints';
import { consumedZipMapOnnx, skl2onnxZipMapClassifier, startDaemon, tempProject, type RunningDaemon, type TempProject } from '../../helpers';

let project: TempProject;
let daemon: RunningDaemon;

describe('ZipMap models at registration', () => {
  before(async () => {
    project = tempProject({ prefix: 'mlops-zipmap-' });
    daemon = await startDaemon(project.root);
  });
  after(async () => {
    await daemon?.stop();
    await project?.cleanup();
  });

  test('a skl2onnx ZipMap classifier is stored rewritten: probabilities tensor in the signature, runs in onnxruntime', async () => {
    const model = skl2onnxZipMapClassifier({ coef: [[0.5, -1, 2]], intercept: [0.1], classes: [0, 1] });
    const file = join(project.root, 'zipmap.onnx');
    writeFileSync(file, model.bytes);
    const r = await daemon.client.request(endpoints.registerVersion, { params: { name: 'zipped' }, body: { artifact_path: file } });
    const outputs = r.version.signature.outputs.map((o) => [o.name, o.type]);
    assert.deepEqual(outputs, [['output_label', 'int64'], ['probabilities', 'float']]);
    const sha = r.version.artifact_sha256;
    const stored = readFileSync(join(project.stateDir, 'objects', sha.slice(0, 2), sha.slice(2)));
    const session = await ort.InferenceSession.create(stored);
    try {
      const rows = [[1, 2, 3], [-4, 0.5, -1]];
      const out = await session.run({ float_input: new ort.Tensor('float32', Float32Array.from(rows.flat()), [2, 3]) });
      const p = out.probabilities as ort.Tensor;
      rows.forEach((row, i) => {
        const e = model.predict(row);
        assert.ok(Math.abs((p.data[2 * i + 1] as number) - (e[1] as number)) < 1e-5, `row ${i}`);
      });
    } finally {
      await session.release();
    }
  });

  test('a ZipMap whose maps are used inside the graph is refused (422) with the fix, nothing registered', async () => {
    const bytes = consumedZipMapOnnx();
    const file = join(project.root, 'consumed.onnx');
    writeFileSync(file, bytes);
    await assert.rejects(daemon.client.request(endpoints.registerVersion, { params: { name: 'consumed' }, body: { artifact_path: file } }), (e: unknown) => {
      assert.ok(e instanceof ApiError);
      assert.equal(e.status, 422);
      assert.match(e.message, /consumed\.onnx: the model ends in a ZipMap/);
      assert.match(e.message, /options=\{"zipmap": False\}/);
      return true;
    });
    const models = await daemon.client.allModels();
    assert.ok(!models.some((m) => m.name === 'consumed'));
  });
});
