import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OnnxFormatError, buildLinearModelOnnx, parseOnnxModel } from '../../../daemon/src/onnx/model';
import {
  GraphF,
  MapTypeF,
  ModelF,
  NodeF,
  OpsetF,
  SequenceTypeF,
  SparseTensorF,
  StringStringF,
  TensorF,
  TensorTypeF,
  TypeF,
  ValueInfoF,
  DimensionF,
  ShapeF,
} from '../../../daemon/src/onnx/onnx-types';
import { ProtoWriter } from '../../../daemon/src/onnx/protobuf';

const classifier = buildLinearModelOnnx({
  task: 'classification',
  weights: [0.5, -1, 2],
  bias: 0.25,
  standardize: { mean: [1, 2, 3], std: [1, 2, 3] },
  featureNames: ['a', 'b', 'c'],
  metadata: { trained_by: 'test' },
});

type Dim = number | string | null;
function tensorValueInfo(w: ProtoWriter, name: string, elem: number, dims: Dim[] | null): void {
  w.stringField(ValueInfoF.name, name);
  w.messageField(ValueInfoF.type, (t) =>
    t.messageField(TypeF.tensor, (tt) => {
      tt.varintField(TensorTypeF.elemType, elem);
      if (dims) {
        tt.messageField(TensorTypeF.shape, (s) => {
          for (const d of dims) {
            s.messageField(ShapeF.dim, (dw) => {
              if (typeof d === 'number') dw.int64Field(DimensionF.dimValue, d);
              else if (typeof d === 'string') dw.stringField(DimensionF.dimParam, d);
            });
          }
        });
      }
    }),
  );
}

/** A model written the way older exporters did: initializers also listed as graph inputs. */
function handBuiltModel(extraGraph: (g: ProtoWriter) => void = () => {}): Uint8Array {
  const w = new ProtoWriter();
  w.int64Field(ModelF.irVersion, 4);
  w.stringField(ModelF.producerName, 'skl2onnx');
  w.stringField(ModelF.producerVersion, '1.2.3');
  w.stringField(ModelF.domain, 'ai.example');
  w.int64Field(ModelF.modelVersion, 3);
  w.messageField(ModelF.opsetImport, (o) => o.int64Field(OpsetF.version, 9));
  w.messageField(ModelF.opsetImport, (o) => o.stringField(OpsetF.domain, 'ai.onnx.ml').int64Field(OpsetF.version, 1));
  w.messageField(ModelF.graph, (g) => {
    g.stringField(GraphF.name, 'old_style');
    g.messageField(GraphF.node, (n) => n.stringField(NodeF.opType, 'MatMul'));
    g.messageField(GraphF.node, (n) => n.stringField(NodeF.opType, 'ZipMap').stringField(NodeF.domain, 'ai.onnx.ml'));
    g.messageField(GraphF.node, (n) => n.stringField(NodeF.opType, 'MatMul'));
    g.messageField(GraphF.initializer, (t) =>
      t.int64Field(TensorF.dims, 2).varintField(TensorF.dataType, 1).stringField(TensorF.name, 'W').packedFloats(TensorF.floatData, [1, 2]),
    );
    g.messageField(GraphF.sparseInitializer, (s) =>
      s.messageField(SparseTensorF.values, (t) => t.stringField(TensorF.name, 'S').varintField(TensorF.dataType, 1)),
    );
    g.messageField(GraphF.input, (v) => tensorValueInfo(v, 'x', 11, ['batch', 2]));
    g.messageField(GraphF.input, (v) => tensorValueInfo(v, 'W', 1, [2]));
    g.messageField(GraphF.input, (v) => tensorValueInfo(v, 'S', 1, [2]));
    g.messageField(GraphF.input, (v) => tensorValueInfo(v, 'flags', 9, [null, -1, 0]));
    g.messageField(GraphF.input, (v) => tensorValueInfo(v, 'text', 8, null));
    g.messageField(GraphF.output, (v) => tensorValueInfo(v, 'y', 7, ['batch']));
    g.messageField(GraphF.output, (v) => {
      v.stringField(ValueInfoF.name, 'probs');
      v.messageField(ValueInfoF.type, (t) =>
        t.messageField(TypeF.sequence, (s) =>
          s.messageField(SequenceTypeF.elemType, (et) =>
            et.messageField(TypeF.map, (m) =>
              m.varintField(MapTypeF.keyType, 7).messageField(MapTypeF.valueType, (vt) => vt.messageField(TypeF.tensor, (tt) => tt.varintField(TensorTypeF.elemType, 1))),
            ),
          ),
        ),
      );
    });
    extraGraph(g);
  });
  w.messageField(ModelF.metadataProps, (e) => e.stringField(StringStringF.key, 'k').stringField(StringStringF.value, 'first'));
  w.messageField(ModelF.metadataProps, (e) => e.stringField(StringStringF.key, 'k').stringField(StringStringF.value, 'last'));
  w.varintField(1000, 5); // an unknown future field is skipped
  return w.finish();
}

describe('parseOnnxModel', () => {
  test('reads the linear classifier this repo writes', () => {
    const info = parseOnnxModel(classifier);
    assert.equal(info.irVersion, 8);
    assert.deepEqual(info.opsetImports, [{ domain: '', version: 13 }]);
    assert.equal(info.producerName, 'mlops-workbench');
    assert.equal(info.graphName, 'linear_classification');
    assert.deepEqual(info.signature, {
      inputs: [{ name: 'features', type: 'float', shape: ['N', 3] }],
      outputs: [
        { name: 'probability', type: 'float', shape: ['N', 1] },
        { name: 'label', type: 'int64', shape: ['N', 1] },
      ],
    });
    assert.equal(info.metadata.feature_names, '["a","b","c"]');
    assert.equal(info.metadata.trained_by, 'test');
    assert.equal(info.metadata.task, 'classification');
    assert.deepEqual(info.opTypes, ['Sub', 'Div', 'MatMul', 'Add', 'Sigmoid', 'Greater', 'Cast']);
    assert.equal(info.initializerCount, 5);
  });

  test('regression model without standardisation has one output named prediction', () => {
    const info = parseOnnxModel(buildLinearModelOnnx({ task: 'regression', weights: [1, 2], bias: 0, inputName: 'x' }));
    assert.deepEqual(info.signature.inputs, [{ name: 'x', type: 'float', shape: ['N', 2] }]);
    assert.deepEqual(info.signature.outputs, [{ name: 'prediction', type: 'float', shape: ['N', 1] }]);
    assert.deepEqual(info.opTypes, ['MatMul', 'Add']);
  });

  test('older-style model: initializer inputs excluded, dims, non-tensor types, domains, metadata', () => {
    const info = parseOnnxModel(handBuiltModel());
    assert.equal(info.irVersion, 4);
    assert.equal(info.producerName, 'skl2onnx');
    assert.equal(info.producerVersion, '1.2.3');
    assert.equal(info.domain, 'ai.example');
    assert.equal(info.modelVersion, 3);
    assert.deepEqual(info.opsetImports, [
      { domain: '', version: 9 },
      { domain: 'ai.onnx.ml', version: 1 },
    ]);
    assert.deepEqual(info.signature.inputs, [
      { name: 'x', type: 'double', shape: ['batch', 2] },
      { name: 'flags', type: 'bool', shape: [null, null, 0] },
      { name: 'text', type: 'string', shape: [] },
    ]);
    assert.deepEqual(info.signature.outputs, [
      { name: 'y', type: 'int64', shape: ['batch'] },
      { name: 'probs', type: 'seq(map(int64,tensor(float)))', shape: [] },
    ]);
    assert.deepEqual(info.opTypes, ['MatMul', 'ai.onnx.ml:ZipMap']);
    assert.equal(info.nodeCount, 3);
    assert.equal(info.metadata.k, 'last');
  });

  test('element types newer than this parser still parse, named by number', () => {
    const bytes = handBuiltModel((g) => g.messageField(GraphF.output, (v) => tensorValueInfo(v, 'future', 99, [1])));
    assert.deepEqual(parseOnnxModel(bytes).signature.outputs.at(-1), { name: 'future', type: 'type_99', shape: [1] });
  });
});

describe('parseOnnxModel on files that are not ONNX', () => {
  const rejects = (bytes: Uint8Array, pattern: RegExp): void => {
    assert.throws(
      () => parseOnnxModel(bytes),
      (e: unknown) => e instanceof OnnxFormatError && pattern.test(e.message),
    );
  };

  test('empty file, missing ir_version, missing graph', () => {
    rejects(new Uint8Array(0), /the file is empty/);
    rejects(new ProtoWriter().messageField(ModelF.graph, (g) => g.stringField(GraphF.name, 'g')).finish(), /ir_version is missing/);
    rejects(new ProtoWriter().int64Field(ModelF.irVersion, 8).finish(), /graph is missing/);
    rejects(new ProtoWriter().int64Field(ModelF.irVersion, 0).messageField(ModelF.graph, () => {}).finish(), /ir_version is 0/);
  });

  test('common other formats are named', () => {
    rejects(Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]), /ZIP archive/);
    rejects(Uint8Array.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a]), /HDF5/);
    rejects(Uint8Array.from([0x80, 0x04, 0x95]), /pickle/);
    rejects(new TextEncoder().encode('  {"weights": [1, 2]}'), /JSON/);
    rejects(new TextEncoder().encode('ir_version: 8\ngraph {'), /text format/);
  });

  test('a wrong wire type for a known field names the message', () => {
    rejects(new ProtoWriter().stringField(ModelF.irVersion, 'eight').finish(), /ModelProto: field 1 has wire type 2, expected 0/);
  });

  test('every truncation of a real model either fails cleanly or is a valid shorter message', () => {
    let failures = 0;
    for (let len = 1; len < classifier.length; len++) {
      try {
        parseOnnxModel(classifier.subarray(0, len));
      } catch (e) {
        assert.ok(e instanceof OnnxFormatError, `prefix ${len}: ${String(e)}`);
        failures++;
      }
    }
    // Only cuts at a top-level field boundary after the graph can parse.
    assert.ok(failures >= classifier.length - 10, `${failures} of ${classifier.length - 1} truncations failed`);
    assert.throws(() => parseOnnxModel(classifier.subarray(0, classifier.length - 1)), OnnxFormatError);
  });

  test('a cut inside the graph names the field path and byte', () => {
    rejects(classifier.subarray(0, 200), /ModelProto\.graph|GraphProto|ModelProto: .*runs past the end/);
    rejects(classifier.subarray(0, 200), /at byte \d+/);
  });

  test('random bytes are rejected with OnnxFormatError, never another error, never a hang', () => {
    let state = 99;
    const rand = (): number => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state >>> 24;
    };
    for (let n = 0; n < 300; n++) {
      const bytes = Uint8Array.from({ length: 16 + ((n * 37) % 2048) }, rand);
      assert.throws(() => parseOnnxModel(bytes), OnnxFormatError, `random buffer ${n}`);
    }
  });

  test('a huge declared graph length fails without allocating', () => {
    const w = new ProtoWriter().int64Field(ModelF.irVersion, 8);
    const head = [...w.finish(), (ModelF.graph << 3) | 2, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01];
    rejects(Uint8Array.from(head), /runs past the end/);
  });

  test('deeply nested types (10,000 levels) fail on the depth limit, not the stack', () => {
    // Build seq(seq(...(float))) from the inside out, without recursion.
    let type = new ProtoWriter().messageField(TypeF.tensor, (t) => t.varintField(TensorTypeF.elemType, 1)).finish();
    for (let i = 0; i < 10_000; i++) {
      const seq = new ProtoWriter().bytesField(SequenceTypeF.elemType, type).finish();
      type = new ProtoWriter().bytesField(TypeF.sequence, seq).finish();
    }
    const bytes = new ProtoWriter()
      .int64Field(ModelF.irVersion, 8)
      .messageField(ModelF.graph, (g) => g.messageField(GraphF.input, (v) => v.stringField(ValueInfoF.name, 'x').bytesField(ValueInfoF.type, type)))
      .finish();
    rejects(bytes, /GraphProto\.input\[0\]: .*nested deeper than 16 levels/);
  });

  test('moderate nesting within the limit is fine', () => {
    let type = new ProtoWriter().messageField(TypeF.tensor, (t) => t.varintField(TensorTypeF.elemType, 7)).finish();
    for (let i = 0; i < 3; i++) {
      type = new ProtoWriter().messageField(TypeF.sequence, (s) => s.bytesField(SequenceTypeF.elemType, type)).finish();
    }
    const bytes = new ProtoWriter()
      .int64Field(ModelF.irVersion, 8)
      .messageField(ModelF.graph, (g) => g.messageField(GraphF.output, (v) => v.stringField(ValueInfoF.name, 'y').bytesField(ValueInfoF.type, type)))
      .finish();
    assert.equal(parseOnnxModel(bytes).signature.outputs[0]?.type, 'seq(seq(seq(tensor(int64))))');
  });
});

describe('buildLinearModelOnnx input validation', () => {
  test('bad parameters are refused with the field named', () => {
    assert.throws(() => buildLinearModelOnnx({ task: 'regression', weights: [], bias: 0 }), /at least one value/);
    assert.throws(() => buildLinearModelOnnx({ task: 'regression', weights: [1, Number.NaN], bias: 0 }), /weights\[1\] is NaN/);
    assert.throws(() => buildLinearModelOnnx({ task: 'regression', weights: [1], bias: Infinity }), /bias is Infinity/);
    assert.throws(
      () => buildLinearModelOnnx({ task: 'regression', weights: [1, 2], bias: 0, standardize: { mean: [0, 0], std: [1, 0] } }),
      /standardize\.std\[1\] is 0/,
    );
    assert.throws(
      () => buildLinearModelOnnx({ task: 'regression', weights: [1, 2], bias: 0, standardize: { mean: [0], std: [1] } }),
      /have 1\/1 values, expected 2/,
    );
    assert.throws(() => buildLinearModelOnnx({ task: 'regression', weights: [1, 2], bias: 0, featureNames: ['a'] }), /1 feature names for 2 weights/);
  });

  test('output is deterministic: same options, same bytes', () => {
    const opts = { task: 'classification' as const, weights: [1, 2], bias: 0.5, featureNames: ['p', 'q'] };
    assert.deepEqual(buildLinearModelOnnx(opts), buildLinearModelOnnx(opts));
  });
});
