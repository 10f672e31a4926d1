/**
 * Builds ONNX graphs from fitted scikit-learn parameters (schemas/src/export.ts), computing what the estimator's
 * `predict`/`predict_proba` compute:
 *
 *   features[N,F] float ─ (StandardScaler steps, in double) ─┬─ linear:  MatMul/Add in double → Softmax | Sigmoid(/sum)
 *                                                            │           → probabilities[N,C] float, ArgMax → Gather classes → label[N]
 *                                                            └─ trees:   Cast float → ai.onnx.ml TreeEnsembleClassifier → label[N], probabilities[N,C]
 *                                                                        or TreeEnsembleRegressor → prediction[N,1]
 *
 * Scaling runs in double like scikit-learn's, then trees see float32 as scikit-learn's trees do (they cast X to
 * float32). Thresholds are rounded down to float32 (floorFloat32), which keeps every `x <= threshold` decision
 * identical to scikit-learn's for float32 inputs. Classifiers output tensors only (never ZipMap).
 */
import { type SklearnEstimator, type SklearnPredictor, type SklearnScaler, type SklearnTree } from '../../../schemas/src/export';
import { ML_DOMAIN, attr, buildModel, floorFloat32, type Attr, type GraphNode, type Initializer, type ModelSpec } from './graph';

/** A parameter that cannot make a model; `path` names it inside the request body (e.g. `estimator.predictor.trees[3].feature[12]`). */
export class InvalidEstimatorError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'InvalidEstimatorError';
  }
}

export const SKLEARN_INPUT = 'features';
export const SKLEARN_OPSET = 13;
export const SKLEARN_ML_OPSET = 1;

export interface SklearnModelOptions {
  featureNames: string[];
  metadata?: Record<string, string>;
}

/** Everything a graph builder emits; the steps and the predictor append to it in order. */
interface Acc {
  nodes: GraphNode[];
  inits: Initializer[];
}

export function buildSklearnOnnx(est: SklearnEstimator, opts: SklearnModelOptions): Uint8Array {
  const f = opts.featureNames.length;
  const acc: Acc = { nodes: [], inits: [] };
  acc.nodes.push({ op: 'Cast', inputs: [SKLEARN_INPUT], outputs: ['x_double'], attrs: { to: attr.int(11) } });
  let x = 'x_double';
  est.steps.forEach((s, i) => (x = scalerNodes(acc, s, x, f, i)));
  const p = est.predictor;
  const classification = isClassifier(p);
  const outputs = predictorNodes(acc, p, x, f);
  const spec: ModelSpec = {
    graphName: `sklearn_${p.kind}`,
    nodes: acc.nodes,
    initializers: acc.inits,
    inputs: [{ name: SKLEARN_INPUT, type: { tensor: 'float', dims: ['N', f] } }],
    outputs: classification
      ? [
          { name: 'label', type: { tensor: labelType(classesOf(p)), dims: ['N'] } },
          { name: 'probabilities', type: { tensor: 'float', dims: ['N', outputs.width] } },
        ]
      : [{ name: 'prediction', type: { tensor: 'float', dims: ['N', 1] } }],
    opsets: { '': SKLEARN_OPSET, [ML_DOMAIN]: SKLEARN_ML_OPSET },
    metadata: {
      task: classification ? 'classification' : 'regression',
      feature_names: JSON.stringify(opts.featureNames),
      ...(opts.metadata ?? {}),
    },
  };
  return buildModel(spec);
}

function isClassifier(p: SklearnPredictor): p is Extract<SklearnPredictor, { classes: unknown }> {
  return 'classes' in p;
}

function classesOf(p: SklearnPredictor): (number | string)[] {
  return isClassifier(p) ? p.classes : [];
}

function labelType(classes: (number | string)[]): 'int64' | 'string' {
  return classes.every((c) => typeof c === 'number') ? 'int64' : 'string';
}

function finite(values: ArrayLike<number>, path: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new InvalidEstimatorError(`${path}[${i}]`, `${String(values[i])} is not a finite number`);
  }
}

function expectLength(values: ArrayLike<unknown>, n: number, path: string, what: string): void {
  if (values.length !== n) throw new InvalidEstimatorError(path, `has ${values.length} values, expected ${n} (${what})`);
}

function doubleInit(acc: Acc, name: string, dims: number[], values: ArrayLike<number>): string {
  acc.inits.push({ name, type: 'double', dims, values });
  return name;
}

function scalerNodes(acc: Acc, s: SklearnScaler, x: string, f: number, i: number): string {
  const path = `estimator.steps[${i}]`;
  let out = x;
  if (s.mean) {
    expectLength(s.mean, f, `${path}.mean`, 'one per feature');
    finite(s.mean, `${path}.mean`);
    acc.nodes.push({ op: 'Sub', inputs: [out, doubleInit(acc, `scaler${i}_mean`, [f], s.mean)], outputs: [`scaler${i}_centered`] });
    out = `scaler${i}_centered`;
  }
  if (s.scale) {
    expectLength(s.scale, f, `${path}.scale`, 'one per feature');
    finite(s.scale, `${path}.scale`);
    s.scale.forEach((v, j) => {
      if (v === 0) throw new InvalidEstimatorError(`${path}.scale[${j}]`, 'is 0 (scikit-learn stores 1 for a constant feature)');
    });
    acc.nodes.push({ op: 'Div', inputs: [out, doubleInit(acc, `scaler${i}_scale`, [f], s.scale)], outputs: [`scaler${i}_scaled`] });
    out = `scaler${i}_scaled`;
  }
  return out;
}

/** Appends the predictor's nodes; returns the width of its main output (classes, or 1). */
function predictorNodes(acc: Acc, p: SklearnPredictor, x: string, f: number): { width: number } {
  switch (p.kind) {
    case 'linear_regression':
      return linearRegression(acc, p, x, f);
    case 'logistic_regression':
      return logistic(acc, p, x, f);
    default:
      acc.nodes.push({ op: 'Cast', inputs: [x], outputs: ['x_float'], attrs: { to: attr.int(1) } });
      return treeNodes(acc, p, 'x_float', f);
  }
}

function linearRegression(acc: Acc, p: Extract<SklearnPredictor, { kind: 'linear_regression' }>, x: string, f: number): { width: number } {
  expectLength(p.coef, f, 'estimator.predictor.coef', 'one per feature');
  finite(p.coef, 'estimator.predictor.coef');
  finite([p.intercept], 'estimator.predictor.intercept');
  acc.nodes.push({ op: 'MatMul', inputs: [x, doubleInit(acc, 'coef', [f, 1], p.coef)], outputs: ['linear'] });
  acc.nodes.push({ op: 'Add', inputs: ['linear', doubleInit(acc, 'intercept', [1], [p.intercept])], outputs: ['prediction_double'] });
  acc.nodes.push({ op: 'Cast', inputs: ['prediction_double'], outputs: ['prediction'], attrs: { to: attr.int(1) } });
  return { width: 1 };
}

/**
 * Two classes: scikit-learn's single score s becomes the pair [0, s], whose softmax is exactly [1-σ(s), σ(s)]
 * and whose argmax is class 1 exactly when s > 0, as `predict` decides. A binary model fitted with
 * multi_class="multinomial" takes the softmax of [-s, s] instead, as scikit-learn's predict_proba does.
 */
function binaryScores(coef: number[], intercept: number, mode: 'multinomial' | 'ovr'): [number[][], number[]] {
  return mode === 'multinomial'
    ? [[coef.map((v) => -v), coef], [-intercept, intercept]]
    : [[new Array<number>(coef.length).fill(0), coef], [0, intercept]];
}

function logistic(acc: Acc, p: Extract<SklearnPredictor, { kind: 'logistic_regression' }>, x: string, f: number): { width: number } {
  const k = p.classes.length;
  checkClasses(p.classes, 'estimator.predictor.classes');
  const binary = k === 2;
  expectLength(p.coef, binary ? 1 : k, 'estimator.predictor.coef', binary ? 'one row for two classes' : 'one row per class');
  expectLength(p.intercept, p.coef.length, 'estimator.predictor.intercept', 'one per coef row');
  p.coef.forEach((row, c) => {
    expectLength(row, f, `estimator.predictor.coef[${c}]`, 'one per feature');
    finite(row, `estimator.predictor.coef[${c}]`);
  });
  finite(p.intercept, 'estimator.predictor.intercept');
  const [rows, bias] = binary ? binaryScores(p.coef[0] as number[], p.intercept[0] as number, p.multi_class) : [p.coef, p.intercept];
  // W is [F, K]: column c holds class c's coefficients.
  const w = new Float64Array(f * k);
  rows.forEach((row, c) => row.forEach((v, j) => (w[j * k + c] = v)));
  acc.nodes.push({ op: 'MatMul', inputs: [x, doubleInit(acc, 'coef', [f, k], w)], outputs: ['linear'] });
  acc.nodes.push({ op: 'Add', inputs: ['linear', doubleInit(acc, 'intercept', [k], bias)], outputs: ['scores'] });
  if (binary || p.multi_class === 'multinomial') {
    acc.nodes.push({ op: 'Softmax', inputs: ['scores'], outputs: ['proba_double'], attrs: { axis: attr.int(1) } });
  } else {
    // One-vs-rest: each class's sigmoid, normalised to sum to 1 (LogisticRegression's predict_proba for ovr).
    acc.inits.push({ name: 'class_axis', type: 'int64', dims: [1], values: [1] });
    acc.nodes.push({ op: 'Sigmoid', inputs: ['scores'], outputs: ['ovr_proba'] });
    acc.nodes.push({ op: 'ReduceSum', inputs: ['ovr_proba', 'class_axis'], outputs: ['ovr_sum'], attrs: { keepdims: attr.int(1) } });
    acc.nodes.push({ op: 'Div', inputs: ['ovr_proba', 'ovr_sum'], outputs: ['proba_double'] });
  }
  acc.nodes.push({ op: 'Cast', inputs: ['proba_double'], outputs: ['probabilities'], attrs: { to: attr.int(1) } });
  labelFromArgMax(acc, 'scores', p.classes);
  return { width: k };
}

function checkClasses(classes: (number | string)[], path: string): void {
  const kinds = new Set(classes.map((c) => typeof c));
  if (kinds.size > 1) throw new InvalidEstimatorError(path, 'mixes numbers and strings; ONNX labels are all int64 or all strings');
  if (new Set(classes).size !== classes.length) throw new InvalidEstimatorError(path, 'lists a class twice');
}

function classTensor(classes: (number | string)[]): Initializer {
  return labelType(classes) === 'int64'
    ? { name: 'class_labels', type: 'int64', dims: [classes.length], values: classes as number[] }
    : { name: 'class_labels', type: 'string', dims: [classes.length], values: classes.map(String) };
}

function classLabelAttr(classes: (number | string)[]): Record<string, Attr> {
  return labelType(classes) === 'int64'
    ? { classlabels_int64s: attr.ints(classes as number[]) }
    : { classlabels_strings: attr.strings(classes.map(String)) };
}

/** The nodes_* attributes of a tree ensemble, and each leaf (tree id, node id, value row) for the weights. */
interface Flat {
  attrs: Record<string, Attr>;
  leaves: { tree: number; node: number; value: number[] }[];
}

function flattenTrees(trees: SklearnTree[], f: number, valueWidth: number, path: (t: number) => string): Flat {
  const ids = { tree: [] as number[], node: [] as number[], feature: [] as number[], value: [] as number[] };
  const modes: string[] = [];
  const truth: number[] = [];
  const falsity: number[] = [];
  const leaves: Flat['leaves'] = [];
  trees.forEach((t, ti) => {
    checkTree(t, f, valueWidth, path(ti));
    for (let n = 0; n < t.feature.length; n++) {
      const leaf = t.children_left[n] === -1;
      ids.tree.push(ti);
      ids.node.push(n);
      ids.feature.push(leaf ? 0 : (t.feature[n] as number));
      ids.value.push(leaf ? 0 : floorFloat32(t.threshold[n] as number));
      modes.push(leaf ? 'LEAF' : 'BRANCH_LEQ');
      // scikit-learn goes left when x <= threshold: the "true" branch of BRANCH_LEQ.
      truth.push(leaf ? 0 : (t.children_left[n] as number));
      falsity.push(leaf ? 0 : (t.children_right[n] as number));
      if (leaf) leaves.push({ tree: ti, node: n, value: t.value[n] as number[] });
    }
  });
  return {
    leaves,
    attrs: {
      nodes_treeids: attr.ints(ids.tree),
      nodes_nodeids: attr.ints(ids.node),
      nodes_featureids: attr.ints(ids.feature),
      nodes_values: attr.floats(ids.value),
      nodes_modes: attr.strings(modes),
      nodes_truenodeids: attr.ints(truth),
      nodes_falsenodeids: attr.ints(falsity),
    },
  };
}

/** A tree the writer can lay out: equal-length arrays, children after their parent (no cycles), features in range. */
function checkTree(t: SklearnTree, f: number, valueWidth: number, path: string): void {
  const n = t.feature.length;
  if (n === 0) throw new InvalidEstimatorError(`${path}.feature`, 'is empty');
  for (const key of ['threshold', 'children_left', 'children_right', 'value'] as const) expectLength(t[key], n, `${path}.${key}`, 'one per node');
  for (let i = 0; i < n; i++) {
    const l = t.children_left[i] as number;
    const r = t.children_right[i] as number;
    const row = t.value[i] as number[];
    expectLength(row, valueWidth, `${path}.value[${i}]`, valueWidth === 1 ? 'one output' : 'one per class');
    finite(row, `${path}.value[${i}]`);
    if (l === -1 && r === -1) continue;
    if (!(l > i && l < n && r > i && r < n)) {
      throw new InvalidEstimatorError(`${path}.children_left[${i}]`, `children ${l}/${r} must be later nodes of this tree (0..${n - 1})`);
    }
    const feat = t.feature[i] as number;
    if (feat < 0 || feat >= f) throw new InvalidEstimatorError(`${path}.feature[${i}]`, `${feat} is not a feature index (0..${f - 1})`);
    if (!Number.isFinite(t.threshold[i])) throw new InvalidEstimatorError(`${path}.threshold[${i}]`, 'is not a finite number');
  }
}

function treeNodes(acc: Acc, p: Exclude<SklearnPredictor, { kind: 'linear_regression' | 'logistic_regression' }>, x: string, f: number): { width: number } {
  const base = 'estimator.predictor';
  switch (p.kind) {
    case 'tree_ensemble_classifier': {
      checkClasses(p.classes, `${base}.classes`);
      const k = p.classes.length;
      const flat = flattenTrees(p.trees, f, k, (t) => `${base}.trees[${t}]`);
      // predict_proba averages each tree's leaf distribution (counts normalised to 1).
      const weights = flat.leaves.map((l) => {
        const total = l.value.reduce((a, b) => a + b, 0);
        return l.value.map((v) => (total > 0 ? v / total : 1 / k) / p.trees.length);
      });
      classifierNode(acc, x, flat, weights, p.classes, {});
      return { width: k };
    }
    case 'gradient_boosting_classifier':
      return gbClassifier(acc, p, x, f);
    case 'tree_ensemble_regressor': {
      const flat = flattenTrees(p.trees, f, 1, (t) => `${base}.trees[${t}]`);
      regressorNode(acc, x, flat, 1, { aggregate_function: attr.string('AVERAGE') });
      return { width: 1 };
    }
    case 'gradient_boosting_regressor': {
      finite([p.learning_rate, p.init], base);
      const flat = flattenTrees(p.stages, f, 1, (t) => `${base}.stages[${t}]`);
      regressorNode(acc, x, flat, p.learning_rate, { base_values: attr.floats([p.init]) });
      return { width: 1 };
    }
  }
}

/** Raw score = init + learning_rate · Σ leaf values; then sigmoid (two classes, one tree per stage) or softmax. */
function gbClassifier(acc: Acc, p: Extract<SklearnPredictor, { kind: 'gradient_boosting_classifier' }>, x: string, f: number): { width: number } {
  const base = 'estimator.predictor';
  checkClasses(p.classes, `${base}.classes`);
  finite([p.learning_rate], `${base}.learning_rate`);
  finite(p.init, `${base}.init`);
  const k = p.classes.length;
  const perStage = k === 2 ? 1 : k;
  expectLength(p.init, perStage, `${base}.init`, k === 2 ? 'one raw score for two classes' : 'one per class');
  p.stages.forEach((s, i) => expectLength(s, perStage, `${base}.stages[${i}]`, k === 2 ? 'one tree per stage for two classes' : 'one tree per class'));
  const trees = p.stages.flat();
  const flat = flattenTrees(trees, f, 1, (t) => `${base}.stages[${Math.floor(t / perStage)}][${t % perStage}]`);
  const weights = flat.leaves.map((l) => {
    const row = new Array<number>(perStage).fill(0);
    row[l.tree % perStage] = (l.value[0] as number) * p.learning_rate;
    return row;
  });
  classifierNode(acc, x, flat, weights, p.classes, {
    base_values: attr.floats(p.init),
    post_transform: attr.string(k === 2 ? 'LOGISTIC' : 'SOFTMAX'),
  });
  return { width: k };
}

/** TreeEnsembleClassifier with one weight per leaf and class column (a binary booster has one column: class 1's score). */
function classifierNode(acc: Acc, x: string, flat: Flat, weights: number[][], classes: (number | string)[], extra: Record<string, Attr>): void {
  const cls = { tree: [] as number[], node: [] as number[], id: [] as number[], w: [] as number[] };
  flat.leaves.forEach((l, i) =>
    (weights[i] as number[]).forEach((w, c) => {
      cls.tree.push(l.tree);
      cls.node.push(l.node);
      cls.id.push(c);
      cls.w.push(w);
    }),
  );
  acc.nodes.push({
    op: 'TreeEnsembleClassifier',
    domain: ML_DOMAIN,
    inputs: [x],
    outputs: ['tree_label', 'probabilities'],
    attrs: {
      ...flat.attrs,
      class_treeids: attr.ints(cls.tree),
      class_nodeids: attr.ints(cls.node),
      class_ids: attr.ints(cls.id),
      class_weights: attr.floats(cls.w),
      ...classLabelAttr(classes),
      ...extra,
    },
  });
  labelFromArgMax(acc, 'probabilities', classes);
}

/**
 * label = classes[argmax], the first of equal maxima, as scikit-learn's `predict` decides. onnxruntime's own
 * two-class label compares the class-1 score with 0 once a weight is 0, which disagrees with argmax.
 */
function labelFromArgMax(acc: Acc, scores: string, classes: (number | string)[]): void {
  acc.nodes.push({ op: 'ArgMax', inputs: [scores], outputs: ['class_index'], attrs: { axis: attr.int(1), keepdims: attr.int(0) } });
  acc.inits.push(classTensor(classes));
  acc.nodes.push({ op: 'Gather', inputs: ['class_labels', 'class_index'], outputs: ['label'], attrs: { axis: attr.int(0) } });
}

function regressorNode(acc: Acc, x: string, flat: Flat, scale: number, extra: Record<string, Attr>): void {
  acc.nodes.push({
    op: 'TreeEnsembleRegressor',
    domain: ML_DOMAIN,
    inputs: [x],
    outputs: ['prediction'],
    attrs: {
      ...flat.attrs,
      n_targets: attr.int(1),
      target_treeids: attr.ints(flat.leaves.map((l) => l.tree)),
      target_nodeids: attr.ints(flat.leaves.map((l) => l.node)),
      target_ids: attr.ints(flat.leaves.map(() => 0)),
      target_weights: attr.floats(flat.leaves.map((l) => (l.value[0] as number) * scale)),
      ...extra,
    },
  });
}
