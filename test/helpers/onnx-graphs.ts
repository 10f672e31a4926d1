/**
 * ONNX graphs for serving tests, written with the project's ONNX writer (daemon/src/onnx/graph.ts): a tree ensemble
 * (ai.onnx.ml TreeEnsembleClassifier), the same with scikit-learn's ZipMap output, a model that throws
 * at run time for some inputs, and one onnxruntime cannot load. Each is a real file onnxruntime runs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataType } from '../../daemon/src/onnx/onnx-types';
import { ML_DOMAIN, attr, buildModel, type GraphNode, type GraphValue } from '../../daemon/src/onnx/graph';

const PRODUCER = 'mlops-workbench-tests';

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
  const nodes: GraphNode[] = [
    {
      op: 'TreeEnsembleClassifier',
      domain: ML_DOMAIN,
      inputs: ['features'],
      outputs: ['label', opts.zipmap ? 'probability_tensor' : 'probabilities'],
      attrs: {
        nodes_treeids: attr.ints(f.treeids),
        nodes_nodeids: attr.ints(f.nodeids),
        nodes_featureids: attr.ints(f.featureids),
        nodes_values: attr.floats(f.values),
        nodes_modes: attr.strings(f.modes),
        nodes_truenodeids: attr.ints(f.trueids),
        nodes_falsenodeids: attr.ints(f.falseids),
        class_treeids: attr.ints(f.classTree),
        class_nodeids: attr.ints(f.classNode),
        class_ids: attr.ints(f.classIds),
        class_weights: attr.floats(f.classWeights),
        classlabels_int64s: attr.ints(labels),
        post_transform: attr.string('NONE'),
      },
    },
  ];
  if (opts.zipmap) nodes.push({ op: 'ZipMap', domain: ML_DOMAIN, inputs: ['probability_tensor'], outputs: ['probabilities'], attrs: { classlabels_int64s: attr.ints(labels) } });
  const probabilities: GraphValue = {
    name: 'probabilities',
    type: opts.zipmap ? { seqMap: { key: 'int64', value: 'float' } } : { tensor: 'float', dims: ['N', opts.classes] },
  };
  return buildModel({
    graphName: 'test_graph',
    producerName: PRODUCER,
    nodes,
    inputs: [{ name: 'features', type: { tensor: 'float', dims: ['N', opts.features] } }],
    outputs: [{ name: 'label', type: { tensor: 'int64', dims: ['N'] } }, probabilities],
    opsets: { '': 13, [ML_DOMAIN]: 1 },
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
  return buildModel({
    graphName: 'test_graph',
    producerName: PRODUCER,
    nodes: [
      { op: 'Cast', inputs: ['features'], outputs: ['idx'], attrs: { to: attr.int(DataType.INT64) } },
      { op: 'Gather', inputs: ['table', 'idx'], outputs: ['prediction'], attrs: { axis: attr.int(0) } },
    ],
    initializers: [{ name: 'table', type: 'float', dims: [3], values: [0.1, 0.2, 0.3] }],
    inputs: [{ name: 'features', type: { tensor: 'float', dims: ['N', features] } }],
    outputs: [{ name: 'prediction', type: { tensor: 'float', dims: ['N', features] } }],
    opsets: { '': 13 },
  });
}

/** Parses as ONNX (so the registry takes it) but uses an operator no runtime has. */
export function unloadableOnnx(features: number): Uint8Array {
  return buildModel({
    graphName: 'test_graph',
    producerName: PRODUCER,
    nodes: [{ op: 'NoSuchOperator', inputs: ['features'], outputs: ['prediction'] }],
    inputs: [{ name: 'features', type: { tensor: 'float', dims: ['N', features] } }],
    outputs: [{ name: 'prediction', type: { tensor: 'float', dims: ['N', 1] } }],
    opsets: { '': 13 },
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
  return buildModel({
    graphName: 'test_graph',
    producerName: PRODUCER,
    nodes: [
      { op: 'LabelEncoder', domain: ML_DOMAIN, inputs: ['plan'], outputs: ['plan_code'], attrs: { keys_strings: attr.strings(plans), values_int64s: attr.ints(plans.map((_, i) => i)), default_int64: attr.int(-1) } },
      { op: 'Cast', inputs: ['plan_code'], outputs: ['plan_f'], attrs: { to: attr.int(DataType.FLOAT) } },
      { op: 'Concat', inputs: ['age', 'plan_f'], outputs: ['x'], attrs: { axis: attr.int(1) } },
      { op: 'MatMul', inputs: ['x', 'w'], outputs: ['prediction'] },
    ],
    initializers: [{ name: 'w', type: 'float', dims: [2, 1], values: [0.5, 10] }],
    inputs: [
      { name: 'age', type: { tensor: 'float', dims: ['N', 1] } },
      { name: 'plan', type: { tensor: 'string', dims: ['N', 1] } },
    ],
    outputs: [{ name: 'prediction', type: { tensor: 'float', dims: ['N', 1] } }],
    opsets: { '': 13, [ML_DOMAIN]: 2 },
  });
}
