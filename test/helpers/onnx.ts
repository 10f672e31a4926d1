/** Real ONNX fixtures: small linear models written by the project's own ONNX writer. */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { buildLinearModelOnnx } from '../../daemon/src/onnx/model';
import { ML_DOMAIN, attr, buildModel, type Attr } from '../../daemon/src/onnx/graph';

export interface FixtureOptions {
  /** Feature names (stored in the file's metadata) or just a count. */
  features: string[] | number;
  /** Varies the weights so each seed gives different bytes (a different sha256). */
  seed?: number;
  task?: 'classification' | 'regression';
  inputName?: string;
}

export function linearOnnx(opts: FixtureOptions): Uint8Array {
  const names = typeof opts.features === 'number' ? undefined : opts.features;
  const count = typeof opts.features === 'number' ? opts.features : opts.features.length;
  const seed = opts.seed ?? 1;
  const weights = Array.from({ length: count }, (_, i) => ((seed * 31 + i * 7) % 17) / 10 - 0.8);
  return buildLinearModelOnnx({
    task: opts.task ?? 'classification',
    weights,
    bias: seed / 1000,
    ...(names ? { featureNames: names } : {}),
    ...(opts.inputName ? { inputName: opts.inputName } : {}),
  });
}

/** Writes a linear model to `file` (absolute) and returns the path. */
export function writeLinearOnnx(file: string, opts: FixtureOptions): string {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, linearOnnx(opts));
  return file;
}

/**
 * A logistic-regression classifier laid out exactly as skl2onnx converts one with default options (zipmap on):
 * input `float_input` → ai.onnx.ml LinearClassifier (coefficients [-w, w] for two classes, LOGISTIC) → Normalizer
 * L1 → ZipMap → `output_probability` (a sequence of maps), and the label Cast to int64 (Identity for strings) →
 * `output_label`. `predict` gives what the graph computes, in double.
 */
export function skl2onnxZipMapClassifier(opts: { coef: number[][]; intercept: number[]; classes: (number | string)[] }): {
  bytes: Uint8Array;
  predict(row: number[]): number[];
} {
  const { coef, intercept, classes } = opts;
  const f = (coef[0] as number[]).length;
  const binary = classes.length === 2;
  const strings = classes.some((c) => typeof c === 'string');
  const rows = binary ? [(coef[0] as number[]).map((v) => -v), coef[0] as number[]] : coef;
  const bias = binary ? [-(intercept[0] as number), intercept[0] as number] : intercept;
  const labelsAttr: Record<string, Attr> = strings ? { classlabels_strings: attr.strings(classes.map(String)) } : { classlabels_ints: attr.ints(classes as number[]) };
  const zipAttr: Record<string, Attr> = strings ? { classlabels_strings: attr.strings(classes.map(String)) } : { classlabels_int64s: attr.ints(classes as number[]) };
  const bytes = buildModel({
    graphName: 'ONNX(LogisticRegression)',
    producerName: 'skl2onnx',
    producerVersion: '1.16.0',
    opsets: { '': 9, [ML_DOMAIN]: 1 },
    inputs: [{ name: 'float_input', type: { tensor: 'float', dims: ['N', f] } }],
    outputs: [
      { name: 'output_label', type: { tensor: strings ? 'string' : 'int64', dims: ['N'] } },
      { name: 'output_probability', type: { seqMap: { key: strings ? 'string' : 'int64', value: 'float' } } },
    ],
    nodes: [
      {
        op: 'LinearClassifier',
        domain: ML_DOMAIN,
        name: 'LinearClassifier',
        inputs: ['float_input'],
        outputs: ['label', 'probability_tensor'],
        attrs: {
          coefficients: attr.floats(rows.flat()),
          intercepts: attr.floats(bias),
          multi_class: attr.int(binary ? 0 : 1),
          post_transform: attr.string(binary ? 'LOGISTIC' : 'SOFTMAX'),
          ...labelsAttr,
        },
      },
      { op: 'Normalizer', domain: ML_DOMAIN, name: 'Normalizer', inputs: ['probability_tensor'], outputs: ['probabilities'], attrs: { norm: attr.string('L1') } },
      strings
        ? { op: 'Identity', name: 'Identity', inputs: ['label'], outputs: ['output_label'] }
        : { op: 'Cast', name: 'Cast', inputs: ['label'], outputs: ['output_label'], attrs: { to: attr.int(7) } },
      { op: 'ZipMap', domain: ML_DOMAIN, name: 'ZipMap', inputs: ['probabilities'], outputs: ['output_probability'], attrs: zipAttr },
    ],
  });
  const predict = (row: number[]): number[] => {
    const scores = rows.map((w, c) => w.reduce((a, v, j) => a + v * (row[j] as number), bias[c] as number));
    const t = binary ? scores.map((s) => 1 / (1 + Math.exp(-s))) : scores.map((s) => Math.exp(s - Math.max(...scores)));
    const sum = t.reduce((a, b) => a + b, 0);
    return t.map((v) => v / sum);
  };
  return { bytes, predict };
}

/** A ZipMap whose maps feed another node, so the registration rewrite cannot apply. */
export function consumedZipMapOnnx(): Uint8Array {
  return buildModel({
    graphName: 'zipmap-consumed',
    opsets: { '': 13, [ML_DOMAIN]: 1 },
    inputs: [{ name: 'p', type: { tensor: 'float', dims: ['N', 2] } }],
    outputs: [{ name: 'copy', type: { seqMap: { key: 'int64', value: 'float' } } }],
    nodes: [
      { op: 'ZipMap', domain: ML_DOMAIN, inputs: ['p'], outputs: ['maps'], attrs: { classlabels_int64s: attr.ints([0, 1]) } },
      { op: 'Identity', inputs: ['maps'], outputs: ['copy'] },
    ],
  });
}
