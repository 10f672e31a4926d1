/**
 * ONNX graphs for serving tests, written with the project's protobuf writer: a tree ensemble
 * (ai.onnx.ml TreeEnsembleClassifier), the same with scikit-learn's ZipMap output, a model that throws
 * at run time for some inputs, and one onnxruntime cannot load. Each is a real file onnxruntime runs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  AttributeF,
  AttributeType,
  DataType,
  DimensionF,
  GraphF,
  MapTypeF,
  ModelF,
  NodeF,
  OpsetF,
  SequenceTypeF,
  ShapeF,
  StringStringF,
  TensorF,
  TensorTypeF,
  TypeF,
  ValueInfoF,
} from '../../daemon/src/onnx/onnx-types';
import { ProtoWriter } from '../../daemon/src/onnx/protobuf';

type Attr = { i: number } | { f: number } | { s: string } | { ints: number[] } | { floats: number[] } | { strings: string[] };
interface GNode {
  op: string;
  domain?: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, Attr>;
}
interface GInit {
  name: string;
  type: 'float' | 'int64';
  dims: number[];
  values: number[];
}
type GType = { tensor: number; dims: (number | string)[] } | { seqMapInt64Float: true };
interface GraphSpec {
  nodes: GNode[];
  inits?: GInit[];
  inputs: { name: string; type: GType }[];
  outputs: { name: string; type: GType }[];
  opsets: { domain: string; version: number }[];
  metadata?: Record<string, string>;
}

function writeAttr(w: ProtoWriter, name: string, a: Attr): void {
  w.stringField(AttributeF.name, name);
  if ('i' in a) w.int64Field(AttributeF.i, a.i).varintField(AttributeF.type, AttributeType.INT);
  else if ('f' in a) w.floatField(AttributeF.f, a.f).varintField(AttributeF.type, AttributeType.FLOAT);
  else if ('s' in a) w.stringField(AttributeF.s, a.s).varintField(AttributeF.type, AttributeType.STRING);
  else if ('ints' in a) w.packedInt64s(AttributeF.ints, a.ints).varintField(AttributeF.type, AttributeType.INTS);
  else if ('floats' in a) w.packedFloats(AttributeF.floats, a.floats).varintField(AttributeF.type, AttributeType.FLOATS);
  else {
    for (const s of a.strings) w.stringField(AttributeF.strings, s);
    w.varintField(AttributeF.type, AttributeType.STRINGS);
  }
}

function writeType(w: ProtoWriter, t: GType): void {
  if ('seqMapInt64Float' in t) {
    w.messageField(TypeF.sequence, (s) =>
      s.messageField(SequenceTypeF.elemType, (e) =>
        e.messageField(TypeF.map, (m) =>
          m.varintField(MapTypeF.keyType, DataType.INT64).messageField(MapTypeF.valueType, (v) =>
            v.messageField(TypeF.tensor, (tt) => tt.varintField(TensorTypeF.elemType, DataType.FLOAT)),
          ),
        ),
      ),
    );
    return;
  }
  w.messageField(TypeF.tensor, (tt) => {
    tt.varintField(TensorTypeF.elemType, t.tensor);
    tt.messageField(TensorTypeF.shape, (s) => {
      for (const d of t.dims) {
        s.messageField(ShapeF.dim, (dw) => (typeof d === 'number' ? dw.int64Field(DimensionF.dimValue, d) : dw.stringField(DimensionF.dimParam, d)));
      }
    });
  });
}

function writeInit(w: ProtoWriter, t: GInit): void {
  for (const d of t.dims) w.int64Field(TensorF.dims, d);
  w.varintField(TensorF.dataType, t.type === 'float' ? DataType.FLOAT : DataType.INT64);
  w.stringField(TensorF.name, t.name);
  const raw = new Uint8Array(t.values.length * (t.type === 'float' ? 4 : 8));
  const dv = new DataView(raw.buffer);
  t.values.forEach((v, i) => (t.type === 'float' ? dv.setFloat32(i * 4, v, true) : dv.setBigInt64(i * 8, BigInt(v), true)));
  w.bytesField(TensorF.rawData, raw);
}

export function buildGraph(g: GraphSpec): Uint8Array {
  const w = new ProtoWriter();
  w.int64Field(ModelF.irVersion, 8);
  w.stringField(ModelF.producerName, 'mlops-workbench-tests');
  w.messageField(ModelF.graph, (gw) => {
    g.nodes.forEach((n, idx) =>
      gw.messageField(GraphF.node, (nw) => {
        for (const i of n.inputs) nw.stringField(NodeF.input, i);
        for (const o of n.outputs) nw.stringField(NodeF.output, o);
        nw.stringField(NodeF.name, `${n.op.toLowerCase()}_${idx}`);
        nw.stringField(NodeF.opType, n.op);
        if (n.domain) nw.stringField(NodeF.domain, n.domain);
        for (const [k, a] of Object.entries(n.attrs ?? {})) nw.messageField(NodeF.attribute, (aw) => writeAttr(aw, k, a));
      }),
    );
    gw.stringField(GraphF.name, 'test_graph');
    for (const t of g.inits ?? []) gw.messageField(GraphF.initializer, (tw) => writeInit(tw, t));
    for (const i of g.inputs) gw.messageField(GraphF.input, (v) => v.stringField(ValueInfoF.name, i.name).messageField(ValueInfoF.type, (t) => writeType(t, i.type)));
    for (const o of g.outputs) gw.messageField(GraphF.output, (v) => v.stringField(ValueInfoF.name, o.name).messageField(ValueInfoF.type, (t) => writeType(t, o.type)));
  });
  for (const o of g.opsets) w.messageField(ModelF.opsetImport, (ow) => ow.stringField(OpsetF.domain, o.domain).int64Field(OpsetF.version, o.version));
  for (const [k, v] of Object.entries(g.metadata ?? {})) {
    w.messageField(ModelF.metadataProps, (e) => e.stringField(StringStringF.key, k).stringField(StringStringF.value, v));
  }
  return w.finish();
}

/** One decision tree node: a split `x[feature] <= threshold`, or a leaf with class weights. */
export type TreeNode = { feature: number; threshold: number; left: TreeNode; right: TreeNode } | { leaf: number[] };

interface FlatTrees {
  treeids: number[];
  nodeids: number[];
  featureids: number[];
  values: number[];
  modes: string[];
  trueids: number[];
  falseids: number[];
  classTree: number[];
  classNode: number[];
  classIds: number[];
  classWeights: number[];
}

function pushNode(f: FlatTrees, feature: number, value: number, mode: string): void {
  f.featureids.push(feature);
  f.values.push(value);
  f.modes.push(mode);
  f.trueids.push(0);
  f.falseids.push(0);
}

function flatten(trees: TreeNode[]): FlatTrees {
  const f: FlatTrees = { treeids: [], nodeids: [], featureids: [], values: [], modes: [], trueids: [], falseids: [], classTree: [], classNode: [], classIds: [], classWeights: [] };
  trees.forEach((root, t) => {
    let next = 0;
    const visit = (n: TreeNode): number => {
      const id = next++;
      const at = f.nodeids.length;
      f.treeids.push(t);
      f.nodeids.push(id);
      if ('leaf' in n) {
        pushNode(f, 0, 0, 'LEAF');
        n.leaf.forEach((wgt, c) => {
          f.classTree.push(t);
          f.classNode.push(id);
          f.classIds.push(c);
          f.classWeights.push(wgt);
        });
        return id;
      }
      pushNode(f, n.feature, n.threshold, 'BRANCH_LEQ');
      f.trueids[at] = visit(n.left);
      f.falseids[at] = visit(n.right);
      return id;
    };
    visit(root);
  });
  return f;
}

/** Evaluates the ensemble as onnxruntime does (post_transform NONE: summed leaf weights, label = argmax). */
export function predictTrees(trees: TreeNode[], row: number[], classes: number): { label: number; probabilities: number[] } {
  const p = new Array<number>(classes).fill(0);
  for (const root of trees) {
    let n = root;
    while (!('leaf' in n)) n = Math.fround(row[n.feature] as number) <= Math.fround(n.threshold) ? n.left : n.right;
    n.leaf.forEach((w, c) => (p[c] = (p[c] as number) + w));
  }
  const label = p.indexOf(Math.max(...p));
  return { label, probabilities: p };
}

/**
 * A random-forest-like classifier over `features` float inputs: `trees` averaged trees (leaf weights
 * already divided by the tree count), outputs `label` int64 [N] and `probabilities` float [N, classes];
 * with `zipmap` the probabilities go through ZipMap as scikit-learn exports them by default.
 */
export function treeEnsembleOnnx(opts: { trees: TreeNode[]; features: number; classes: number; zipmap?: boolean; featureNames?: string[] }): Uint8Array {
  const f = flatten(opts.trees);
  const labels = Array.from({ length: opts.classes }, (_, i) => i);
  const nodes: GNode[] = [
    {
      op: 'TreeEnsembleClassifier',
      domain: 'ai.onnx.ml',
      inputs: ['features'],
      outputs: ['label', opts.zipmap ? 'probability_tensor' : 'probabilities'],
      attrs: {
        nodes_treeids: { ints: f.treeids },
        nodes_nodeids: { ints: f.nodeids },
        nodes_featureids: { ints: f.featureids },
        nodes_values: { floats: f.values },
        nodes_modes: { strings: f.modes },
        nodes_truenodeids: { ints: f.trueids },
        nodes_falsenodeids: { ints: f.falseids },
        class_treeids: { ints: f.classTree },
        class_nodeids: { ints: f.classNode },
        class_ids: { ints: f.classIds },
        class_weights: { floats: f.classWeights },
        classlabels_int64s: { ints: labels },
        post_transform: { s: 'NONE' },
      },
    },
  ];
  if (opts.zipmap) nodes.push({ op: 'ZipMap', domain: 'ai.onnx.ml', inputs: ['probability_tensor'], outputs: ['probabilities'], attrs: { classlabels_int64s: { ints: labels } } });
  return buildGraph({
    nodes,
    inputs: [{ name: 'features', type: { tensor: DataType.FLOAT, dims: ['N', opts.features] } }],
    outputs: [
      { name: 'label', type: { tensor: DataType.INT64, dims: ['N'] } },
      { name: 'probabilities', type: opts.zipmap ? { seqMapInt64Float: true } : { tensor: DataType.FLOAT, dims: ['N', opts.classes] } },
    ],
    opsets: [
      { domain: '', version: 13 },
      { domain: 'ai.onnx.ml', version: 1 },
    ],
    metadata: opts.featureNames ? { feature_names: JSON.stringify(opts.featureNames) } : {},
  });
}

/** Deterministic random trees of the given depth over `features` inputs in [0, 1). */
export function randomTrees(count: number, depth: number, features: number, classes: number, seed = 7): TreeNode[] {
  let s = seed;
  const rnd = (): number => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const grow = (d: number): TreeNode => {
    if (d === 0) {
      const w = Array.from({ length: classes }, () => rnd() + 0.01);
      const sum = w.reduce((a, b) => a + b, 0);
      return { leaf: w.map((x) => x / sum / count) };
    }
    return { feature: Math.floor(rnd() * features), threshold: Math.round(rnd() * 1000) / 1000, left: grow(d - 1), right: grow(d - 1) };
  };
  return Array.from({ length: count }, () => grow(depth));
}

/**
 * `prediction = Gather([0.1, 0.2, 0.3], int64(features))`: fine for feature values 0..2, an
 * out-of-bounds error inside onnxruntime for anything larger: a model that throws at run time.
 */
export function throwingOnnx(features: number): Uint8Array {
  return buildGraph({
    nodes: [
      { op: 'Cast', inputs: ['features'], outputs: ['idx'], attrs: { to: { i: DataType.INT64 } } },
      { op: 'Gather', inputs: ['table', 'idx'], outputs: ['prediction'], attrs: { axis: { i: 0 } } },
    ],
    inits: [{ name: 'table', type: 'float', dims: [3], values: [0.1, 0.2, 0.3] }],
    inputs: [{ name: 'features', type: { tensor: DataType.FLOAT, dims: ['N', features] } }],
    outputs: [{ name: 'prediction', type: { tensor: DataType.FLOAT, dims: ['N', features] } }],
    opsets: [{ domain: '', version: 13 }],
  });
}

/** Parses as ONNX (so the registry takes it) but uses an operator no runtime has. */
export function unloadableOnnx(features: number): Uint8Array {
  return buildGraph({
    nodes: [{ op: 'NoSuchOperator', inputs: ['features'], outputs: ['prediction'] }],
    inputs: [{ name: 'features', type: { tensor: DataType.FLOAT, dims: ['N', features] } }],
    outputs: [{ name: 'prediction', type: { tensor: DataType.FLOAT, dims: ['N', 1] } }],
    opsets: [{ domain: '', version: 13 }],
  });
}

export function writeBytes(file: string, bytes: Uint8Array): string {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, bytes);
  return file;
}

/**
 * A columns-mode regression: `plan` (string, one of `plans`) through LabelEncoder, next to `age`
 * (float): prediction = 0.5 * age + 10 * code(plan). One ONNX input per feature, as KServe's columns expect.
 */
export function columnsOnnx(plans: string[]): Uint8Array {
  return buildGraph({
    nodes: [
      { op: 'LabelEncoder', domain: 'ai.onnx.ml', inputs: ['plan'], outputs: ['plan_code'], attrs: { keys_strings: { strings: plans }, values_int64s: { ints: plans.map((_, i) => i) }, default_int64: { i: -1 } } },
      { op: 'Cast', inputs: ['plan_code'], outputs: ['plan_f'], attrs: { to: { i: DataType.FLOAT } } },
      { op: 'Concat', inputs: ['age', 'plan_f'], outputs: ['x'], attrs: { axis: { i: 1 } } },
      { op: 'MatMul', inputs: ['x', 'w'], outputs: ['prediction'] },
    ],
    inits: [{ name: 'w', type: 'float', dims: [2, 1], values: [0.5, 10] }],
    inputs: [
      { name: 'age', type: { tensor: DataType.FLOAT, dims: ['N', 1] } },
      { name: 'plan', type: { tensor: DataType.STRING, dims: ['N', 1] } },
    ],
    outputs: [{ name: 'prediction', type: { tensor: DataType.FLOAT, dims: ['N', 1] } }],
    opsets: [
      { domain: '', version: 13 },
      { domain: 'ai.onnx.ml', version: 2 },
    ],
  });
}
