/**
 * Writes a linear model (logistic or least-squares regression) as a real ONNX file that onnxruntime runs:
 *
 *   features[N,F] → (Sub mean → Div std) → MatMul W[F,1] → Add b → Sigmoid → probability[N,1]
 *                                                                        └→ Greater 0.5 → Cast int64 → label[N,1]
 *
 * Standardisation is folded into the graph so callers feed raw feature values. Regression ends at the Add,
 * whose output is `prediction`[N,1].
 */
import {
  AttributeF,
  AttributeType,
  DataType,
  DimensionF,
  GraphF,
  ModelF,
  NodeF,
  OpsetF,
  ShapeF,
  StringStringF,
  TensorF,
  TensorTypeF,
  TypeF,
  ValueInfoF,
} from './onnx-types';
import { ProtoWriter } from './protobuf';

export interface LinearModelOptions {
  task: 'classification' | 'regression';
  /** One weight per feature, applied to standardised values when `standardize` is given. */
  weights: ArrayLike<number>;
  bias: number;
  /** Per-feature mean and standard deviation used in training; folded into the graph. */
  standardize?: { mean: ArrayLike<number>; std: ArrayLike<number> };
  /** Feature names in column order; stored in metadata_props as a JSON array under `feature_names`. */
  featureNames?: string[];
  /** Extra metadata_props (training info, params, dataset hash...). */
  metadata?: Record<string, string>;
  /** Name of the 2-D float input; default `features`. */
  inputName?: string;
  /** Probability above which `label` is 1; default 0.5. */
  threshold?: number;
  graphName?: string;
  producerVersion?: string;
  docString?: string;
}

export const LINEAR_IR_VERSION = 8;
export const LINEAR_OPSET = 13;
export const PRODUCER_NAME = 'mlops-workbench';

function validate(opts: LinearModelOptions): number {
  const f = opts.weights.length;
  if (f < 1) throw new RangeError('linear model: weights must hold at least one value');
  const finite = (arr: ArrayLike<number>, what: string): void => {
    for (let i = 0; i < arr.length; i++) {
      if (!Number.isFinite(arr[i])) throw new RangeError(`linear model: ${what}[${i}] is ${arr[i]}, expected a finite number`);
    }
  };
  finite(opts.weights, 'weights');
  if (!Number.isFinite(opts.bias)) throw new RangeError(`linear model: bias is ${opts.bias}, expected a finite number`);
  if (opts.standardize) {
    const { mean, std } = opts.standardize;
    if (mean.length !== f || std.length !== f) {
      throw new RangeError(`linear model: standardize.mean/std have ${mean.length}/${std.length} values, expected ${f}`);
    }
    finite(mean, 'standardize.mean');
    finite(std, 'standardize.std');
    for (let i = 0; i < f; i++) {
      if (std[i] === 0) throw new RangeError(`linear model: standardize.std[${i}] is 0 (use 1 for a constant feature)`);
    }
  }
  if (opts.featureNames && opts.featureNames.length !== f) {
    throw new RangeError(`linear model: ${opts.featureNames.length} feature names for ${f} weights`);
  }
  return f;
}

export function buildLinearModelOnnx(opts: LinearModelOptions): Uint8Array {
  const f = validate(opts);
  const metadata: Record<string, string> = { task: opts.task, ...(opts.metadata ?? {}) };
  if (opts.featureNames) metadata.feature_names = JSON.stringify(opts.featureNames);
  const w = new ProtoWriter();
  w.int64Field(ModelF.irVersion, LINEAR_IR_VERSION);
  w.stringField(ModelF.producerName, PRODUCER_NAME);
  w.stringField(ModelF.producerVersion, opts.producerVersion ?? '0.1.0');
  if (opts.docString) w.stringField(ModelF.docString, opts.docString);
  w.messageField(ModelF.graph, (g) => writeGraph(g, opts, f));
  w.messageField(ModelF.opsetImport, (o) => o.stringField(OpsetF.domain, '').int64Field(OpsetF.version, LINEAR_OPSET));
  for (const [k, v] of Object.entries(metadata)) {
    w.messageField(ModelF.metadataProps, (e) => e.stringField(StringStringF.key, k).stringField(StringStringF.value, v));
  }
  return w.finish();
}

interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  /** Integer attributes (Cast's `to`). */
  ints?: Record<string, number>;
}

function writeGraph(g: ProtoWriter, opts: LinearModelOptions, f: number): void {
  const input = opts.inputName ?? 'features';
  const nodes: NodeSpec[] = [];
  let x = input;
  if (opts.standardize) {
    nodes.push({ op: 'Sub', inputs: [x, 'feature_mean'], outputs: ['centered'] });
    nodes.push({ op: 'Div', inputs: ['centered', 'feature_std'], outputs: ['standardized'] });
    x = 'standardized';
  }
  const classification = opts.task === 'classification';
  const linearOut = classification ? 'logit' : 'prediction';
  nodes.push({ op: 'MatMul', inputs: [x, 'weights'], outputs: ['linear'] });
  nodes.push({ op: 'Add', inputs: ['linear', 'bias'], outputs: [linearOut] });
  if (classification) {
    nodes.push({ op: 'Sigmoid', inputs: ['logit'], outputs: ['probability'] });
    nodes.push({ op: 'Greater', inputs: ['probability', 'threshold'], outputs: ['is_positive'] });
    nodes.push({ op: 'Cast', inputs: ['is_positive'], outputs: ['label'], ints: { to: DataType.INT64 } });
  }
  nodes.forEach((n, i) => g.messageField(GraphF.node, (nw) => writeNode(nw, n, i)));
  g.stringField(GraphF.name, opts.graphName ?? `linear_${opts.task}`);
  if (opts.standardize) {
    g.messageField(GraphF.initializer, (t) => writeFloatTensor(t, 'feature_mean', [f], opts.standardize?.mean ?? []));
    g.messageField(GraphF.initializer, (t) => writeFloatTensor(t, 'feature_std', [f], opts.standardize?.std ?? []));
  }
  g.messageField(GraphF.initializer, (t) => writeFloatTensor(t, 'weights', [f, 1], opts.weights));
  g.messageField(GraphF.initializer, (t) => writeFloatTensor(t, 'bias', [1], [opts.bias]));
  if (classification) g.messageField(GraphF.initializer, (t) => writeFloatTensor(t, 'threshold', [], [opts.threshold ?? 0.5]));
  g.messageField(GraphF.input, (v) => writeValueInfo(v, input, DataType.FLOAT, ['N', f]));
  if (classification) {
    g.messageField(GraphF.output, (v) => writeValueInfo(v, 'probability', DataType.FLOAT, ['N', 1]));
    g.messageField(GraphF.output, (v) => writeValueInfo(v, 'label', DataType.INT64, ['N', 1]));
  } else {
    g.messageField(GraphF.output, (v) => writeValueInfo(v, 'prediction', DataType.FLOAT, ['N', 1]));
  }
}

function writeNode(w: ProtoWriter, n: NodeSpec, index: number): void {
  for (const i of n.inputs) w.stringField(NodeF.input, i);
  for (const o of n.outputs) w.stringField(NodeF.output, o);
  w.stringField(NodeF.name, `${n.op.toLowerCase()}_${index}`);
  w.stringField(NodeF.opType, n.op);
  for (const [name, value] of Object.entries(n.ints ?? {})) {
    w.messageField(NodeF.attribute, (a) =>
      a.stringField(AttributeF.name, name).int64Field(AttributeF.i, value).varintField(AttributeF.type, AttributeType.INT),
    );
  }
}

/** Float32 little-endian in raw_data, the compact encoding exporters use. */
function writeFloatTensor(w: ProtoWriter, name: string, dims: number[], values: ArrayLike<number>): void {
  for (const d of dims) w.int64Field(TensorF.dims, d);
  w.varintField(TensorF.dataType, DataType.FLOAT);
  w.stringField(TensorF.name, name);
  const raw = new Uint8Array(values.length * 4);
  const dv = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) dv.setFloat32(i * 4, values[i] as number, true);
  w.bytesField(TensorF.rawData, raw);
}

function writeValueInfo(w: ProtoWriter, name: string, elemType: number, dims: (number | string)[]): void {
  w.stringField(ValueInfoF.name, name);
  w.messageField(ValueInfoF.type, (t) =>
    t.messageField(TypeF.tensor, (tt) => {
      tt.varintField(TensorTypeF.elemType, elemType);
      tt.messageField(TensorTypeF.shape, (s) => {
        for (const d of dims) {
          s.messageField(ShapeF.dim, (dw) => {
            if (typeof d === 'number') dw.int64Field(DimensionF.dimValue, d);
            else dw.stringField(DimensionF.dimParam, d);
          });
        }
      });
    }),
  );
}

/**
 * What the ONNX graph computes, in float64 over float32-rounded parameters: probabilities for classification,
 * predictions for regression. `rows` holds one array of F raw feature values per row.
 */
export function predictLinear(opts: LinearModelOptions, rows: ArrayLike<number>[]): Float64Array {
  const f = validate(opts);
  const r32 = Math.fround;
  const out = new Float64Array(rows.length);
  rows.forEach((row, n) => {
    if (row.length !== f) throw new RangeError(`predictLinear: row ${n} has ${row.length} values, expected ${f}`);
    let z = 0;
    for (let j = 0; j < f; j++) {
      let x = r32(row[j] as number);
      if (opts.standardize) {
        x = r32(r32(x - r32(opts.standardize.mean[j] as number)) / r32(opts.standardize.std[j] as number));
      }
      z += x * r32(opts.weights[j] as number);
    }
    z += r32(opts.bias);
    out[n] = opts.task === 'classification' ? 1 / (1 + Math.exp(-z)) : z;
  });
  return out;
}
