/**
 * One loaded model version: an onnxruntime session (one per version), the tensors it is fed, and its
 * outputs turned back into plain JSON values per instance. Input and output names, types and shapes
 * come from onnxruntime's own metadata, not from our protobuf reader.
 */
import * as ort from 'onnxruntime-node';
import { type FeatureValue, type PredictionValue, type ServingFeature, type ServingModelSpec } from '../../../schemas/src/serving';
import { ServingError } from './errors';
import { neutralRow, type Rows } from './validate';

type TensorType = ort.Tensor.Type;

export interface OutputSpec {
  name: string;
  type: TensorType;
  /** Dimensions after the batch one, as onnxruntime reports them (symbolic ones as strings). */
  shape: (number | string)[];
}

/** Outputs of one run: per output, one value per instance. */
/** `rowShape` is the tensor's shape after the batch dimension, as the graph produced it. */
export type RunOutputs = Map<string, { type: TensorType; perRow: PredictionValue[]; rowShape: number[] }>;

/** The model cannot be served as is: the message says what to do about it. */
export class ModelLoadError extends Error {}

const ZIPMAP_FIX =
  'it is a ZipMap (sequence of maps) output, which onnxruntime-node cannot return. Export the classifier with ZipMap off ' +
  '(skl2onnx: options={id(model): {"zipmap": False}}) or register it through `mlops.log_model`, which rewrites it';

export class LoadedModel {
  inflight = 0;
  private constructor(
    readonly spec: ServingModelSpec,
    readonly session: ort.InferenceSession,
    readonly features: ServingFeature[],
    readonly inputs: { name: string; type: TensorType }[],
    readonly outputs: OutputSpec[],
  ) {}

  static async load(spec: ServingModelSpec, threads: number): Promise<LoadedModel> {
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(spec.artifact_path, {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
      });
    } catch (e) {
      throw new ModelLoadError(`onnxruntime cannot load version ${spec.version} (${spec.artifact_path}): ${msg(e)}`);
    }
    try {
      const outputs = session.outputMetadata.map((m) => {
        if (!m.isTensor) throw new ModelLoadError(`output "${m.name}": ${ZIPMAP_FIX}`);
        return { name: m.name, type: m.type, shape: m.shape.slice(1) };
      });
      const inputs = session.inputMetadata.map((m) => {
        if (!m.isTensor) throw new ModelLoadError(`input "${m.name}" is not a tensor; only tensor inputs can be served`);
        return { name: m.name, type: m.type };
      });
      const model = new LoadedModel(spec, session, spec.features, inputs, outputs);
      model.checkInputs();
      return model;
    } catch (e) {
      await session.release().catch(() => undefined);
      throw e;
    }
  }

  private checkInputs(): void {
    const mode = this.spec.input_mode;
    if (mode === 'tensor' && this.inputs.length !== 1) {
      throw new ModelLoadError(`input_mode "tensor" needs one graph input; the graph has ${this.inputs.length} (${this.inputs.map((i) => i.name).join(', ')})`);
    }
    if (mode === 'columns') {
      const missing = this.features.filter((f) => !this.inputs.some((i) => i.name === f.name));
      if (missing.length) throw new ModelLoadError(`input_mode "columns": the graph has no input named ${missing.map((f) => `"${f.name}"`).join(', ')}`);
    }
  }

  /** Runs one batch; a failure inside onnxruntime is a 500 naming the error. */
  async run(rows: Rows): Promise<RunOutputs> {
    const feeds: Record<string, ort.Tensor> = {};
    if (this.spec.input_mode === 'tensor') {
      const input = this.inputs[0] as { name: string; type: TensorType };
      feeds[input.name] = tensorOf(input.type, rows.length, this.features.length, (r, c) => rows[r]?.[c] as FeatureValue);
    } else {
      this.features.forEach((f, c) => {
        const input = this.inputs.find((i) => i.name === f.name) as { name: string; type: TensorType };
        feeds[input.name] = tensorOf(input.type, rows.length, 1, (r) => rows[r]?.[c] as FeatureValue);
      });
    }
    let result: ort.InferenceSession.OnnxValueMapType;
    try {
      result = await this.session.run(feeds);
    } catch (e) {
      throw new ServingError(500, 'model_error', `the model failed at run time: ${msg(e)}`);
    }
    return splitOutputs(result, this.outputs, rows.length);
  }

  /** One run on a neutral row, so the first real request does not pay for lazy initialisation. */
  async warmUp(): Promise<void> {
    await this.run([neutralRow(this.features)]);
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

function msg(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function tensorOf(type: TensorType, n: number, width: number, at: (r: number, c: number) => FeatureValue): ort.Tensor {
  const size = n * width;
  const dims = [n, width];
  const fill = <T extends { [i: number]: number | bigint }>(arr: T, conv: (v: FeatureValue) => number | bigint): T => {
    for (let r = 0; r < n; r++) for (let c = 0; c < width; c++) arr[r * width + c] = conv(at(r, c));
    return arr;
  };
  switch (type) {
    case 'float32':
      return new ort.Tensor('float32', fill(new Float32Array(size), Number), dims);
    case 'float64':
      return new ort.Tensor('float64', fill(new Float64Array(size), Number), dims);
    case 'int32':
      return new ort.Tensor('int32', fill(new Int32Array(size), Number), dims);
    case 'int64':
      return new ort.Tensor('int64', fill(new BigInt64Array(size), (v) => BigInt(Number(v))), dims);
    case 'bool':
      return new ort.Tensor('bool', fill(new Uint8Array(size), (v) => (v === true ? 1 : 0)), dims);
    case 'string': {
      const arr: string[] = new Array<string>(size);
      for (let r = 0; r < n; r++) for (let c = 0; c < width; c++) arr[r * width + c] = String(at(r, c));
      return new ort.Tensor('string', arr, dims);
    }
    default:
      throw new ServingError(500, 'unsupported_input', `graph input type ${type} cannot be fed from JSON`);
  }
}

/** JSON has no int64: BigInt values become numbers (exact up to 2^53, which class labels never reach). */
function plain(v: unknown, type: TensorType): number | string | boolean {
  if (typeof v === 'bigint') return Number(v);
  if (type === 'bool') return v === 1 || v === true;
  return v as number | string;
}

function splitOutputs(result: ort.InferenceSession.OnnxValueMapType, specs: OutputSpec[], n: number): RunOutputs {
  const out: RunOutputs = new Map();
  for (const spec of specs) {
    const t = result[spec.name];
    if (!t) continue;
    const dims = t.dims.map(Number);
    const rowShape = dims.slice(1);
    const width = rowShape.reduce((a, b) => a * b, 1);
    if (dims[0] !== n) throw new ServingError(500, 'model_error', `output "${spec.name}" has ${dims[0]} rows for ${n} instances`);
    const data = t.data as ArrayLike<unknown>;
    const perRow: PredictionValue[] = new Array<PredictionValue>(n);
    for (let r = 0; r < n; r++) {
      if (width === 1 && rowShape.length <= 1) perRow[r] = plain(data[r], t.type);
      else {
        const row: (number | string | boolean)[] = new Array<number | string | boolean>(width);
        for (let k = 0; k < width; k++) row[k] = plain(data[r * width + k], t.type);
        perRow[r] = row;
      }
    }
    out.set(spec.name, { type: t.type, perRow, rowShape });
  }
  return out;
}
