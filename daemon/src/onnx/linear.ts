/**
 * Writes a linear model (logistic or least-squares regression) as a real ONNX file that onnxruntime runs:
 *
 *   features[N,F] → (Sub mean → Div std) → MatMul W[F,1] → Add b → Sigmoid → probability[N,1]
 *                                                                        └→ Greater 0.5 → Cast int64 → label[N,1]
 *
 * Standardisation is folded into the graph so callers feed raw feature values. Regression ends at the Add,
 * whose output is `prediction`[N,1].
 */
import { attr, buildModel, type GraphNode, type Initializer } from './graph';

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
  const classification = opts.task === 'classification';
  const input = opts.inputName ?? 'features';
  return buildModel({
    irVersion: LINEAR_IR_VERSION,
    producerVersion: opts.producerVersion ?? '0.1.0',
    ...(opts.docString ? { docString: opts.docString } : {}),
    graphName: opts.graphName ?? `linear_${opts.task}`,
    nodes: linearNodes(opts, input),
    initializers: linearInitializers(opts, f),
    inputs: [{ name: input, type: { tensor: 'float', dims: ['N', f] } }],
    outputs: classification
      ? [
          { name: 'probability', type: { tensor: 'float', dims: ['N', 1] } },
          { name: 'label', type: { tensor: 'int64', dims: ['N', 1] } },
        ]
      : [{ name: 'prediction', type: { tensor: 'float', dims: ['N', 1] } }],
    opsets: { '': LINEAR_OPSET },
    metadata,
  });
}

function linearNodes(opts: LinearModelOptions, input: string): GraphNode[] {
  const nodes: GraphNode[] = [];
  let x = input;
  if (opts.standardize) {
    nodes.push({ op: 'Sub', inputs: [x, 'feature_mean'], outputs: ['centered'] });
    nodes.push({ op: 'Div', inputs: ['centered', 'feature_std'], outputs: ['standardized'] });
    x = 'standardized';
  }
  const classification = opts.task === 'classification';
  nodes.push({ op: 'MatMul', inputs: [x, 'weights'], outputs: ['linear'] });
  nodes.push({ op: 'Add', inputs: ['linear', 'bias'], outputs: [classification ? 'logit' : 'prediction'] });
  if (classification) {
    nodes.push({ op: 'Sigmoid', inputs: ['logit'], outputs: ['probability'] });
    nodes.push({ op: 'Greater', inputs: ['probability', 'threshold'], outputs: ['is_positive'] });
    nodes.push({ op: 'Cast', inputs: ['is_positive'], outputs: ['label'], attrs: { to: attr.int(7) } });
  }
  return nodes;
}

function linearInitializers(opts: LinearModelOptions, f: number): Initializer[] {
  const t = (name: string, dims: number[], values: ArrayLike<number>): Initializer => ({ name, type: 'float', dims, values });
  const out: Initializer[] = [];
  if (opts.standardize) out.push(t('feature_mean', [f], opts.standardize.mean), t('feature_std', [f], opts.standardize.std));
  out.push(t('weights', [f, 1], opts.weights), t('bias', [1], [opts.bias]));
  if (opts.task === 'classification') out.push(t('threshold', [], [opts.threshold ?? 0.5]));
  return out;
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
