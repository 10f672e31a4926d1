/**
 * The three doors into one core: each protocol's request body becomes a list of instances (objects
 * by feature name or rows in signature order) for `validateInstances`, and the core's outputs go back
 * in that protocol's shape. Nothing here touches onnxruntime.
 */
import { type Tensor } from 'onnxruntime-node';
import { v2InferRequest, type PredictionValue, type ServingFeature, type V2Datatype } from '../../../schemas/src/serving';
import { invalidInput } from '../../../shared/src/serving/errors';
import { type RunOutputs } from '../../../shared/src/serving/model';

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `POST /predict`: `{"instances": [...]}`, one instance object, one row array, or an array of instances. */
export function parsePredict(body: unknown): unknown[] {
  if (isObj(body)) {
    if ('instances' in body) {
      if (!Array.isArray(body['instances'])) throw invalidInput('"instances" must be an array of instances');
      return body['instances'];
    }
    return [body];
  }
  if (Array.isArray(body)) {
    const nested = body.length > 0 && body.every((x) => Array.isArray(x) || isObj(x));
    return nested ? body : [body];
  }
  throw invalidInput('expected {"instances": [...]}, one instance object, or a row array');
}

const MLFLOW_KEYS = ['dataframe_split', 'dataframe_records', 'instances', 'inputs'] as const;

/** `POST /invocations`: MLflow's scoring protocol. */
export function parseInvocations(body: unknown): unknown[] {
  if (!isObj(body)) throw invalidInput(`expected a JSON object with one of ${MLFLOW_KEYS.join(', ')}`);
  const keys = MLFLOW_KEYS.filter((k) => k in body);
  if (keys.length !== 1) {
    throw invalidInput(`expected exactly one of ${MLFLOW_KEYS.join(', ')}; got ${keys.length ? keys.join(', ') : Object.keys(body).join(', ') || 'none'}`);
  }
  const key = keys[0] as (typeof MLFLOW_KEYS)[number];
  const v = body[key];
  if (key === 'dataframe_split') return fromSplit(v);
  if (key === 'inputs' && isObj(v)) return fromColumns(v);
  if (!Array.isArray(v)) throw invalidInput(`"${key}" must be an array`);
  return v;
}

function fromSplit(v: unknown): unknown[] {
  if (!isObj(v) || !Array.isArray(v['data'])) throw invalidInput('"dataframe_split" must be {"columns": [...], "data": [[...], ...]}');
  const data = v['data'] as unknown[];
  const columns = v['columns'];
  if (columns === undefined) return data;
  if (!Array.isArray(columns) || !columns.every((c) => typeof c === 'string')) {
    throw invalidInput('"dataframe_split.columns" must be an array of column names');
  }
  return data.map((row, i) => {
    if (!Array.isArray(row) || row.length !== columns.length) {
      throw invalidInput(`instance ${i}: dataframe_split row has ${Array.isArray(row) ? row.length : 0} values for ${columns.length} columns`, { instance: i });
    }
    return Object.fromEntries(columns.map((c, j) => [c, row[j]]));
  });
}

/** `{"inputs": {"f1": [..], "f2": [..]}}`: columns of equal length. */
function fromColumns(v: Record<string, unknown>): unknown[] {
  const cols = Object.entries(v);
  let n = -1;
  for (const [name, values] of cols) {
    if (!Array.isArray(values)) throw invalidInput(`"inputs.${name}" must be an array of values`, { feature: name });
    if (n >= 0 && values.length !== n) throw invalidInput(`"inputs.${name}" has ${values.length} values, other columns ${n}`, { feature: name });
    n = values.length;
  }
  return Array.from({ length: Math.max(n, 0) }, (_, i) => Object.fromEntries(cols.map(([name, values]) => [name, (values as unknown[])[i]])));
}

/** Single output: a list of values; several: a list of records, as MLflow turns a DataFrame result. */
export function formatInvocations(outputs: RunOutputs, n: number): { predictions: unknown[] } {
  if (outputs.size === 1) return { predictions: [...outputs.values()][0]?.perRow ?? [] };
  return { predictions: records(outputs, n) };
}

export function records(outputs: RunOutputs, n: number): Record<string, PredictionValue>[] {
  const out: Record<string, PredictionValue>[] = [];
  for (let r = 0; r < n; r++) {
    const rec: Record<string, PredictionValue> = {};
    for (const [name, o] of outputs) rec[name] = o.perRow[r] as PredictionValue;
    out.push(rec);
  }
  return out;
}

// ---------- Open Inference Protocol v2 ----------

const ORT_TO_V2: Partial<Record<Tensor.Type, V2Datatype>> = {
  float32: 'FP32',
  float64: 'FP64',
  int32: 'INT32',
  int64: 'INT64',
  bool: 'BOOL',
  string: 'BYTES',
};

export function v2Datatype(t: Tensor.Type): V2Datatype {
  const d = ORT_TO_V2[t];
  if (!d) throw new Error(`no Open Inference Protocol datatype for ${t}`);
  return d;
}

export interface V2Graph {
  inputMode: 'tensor' | 'columns';
  inputs: { name: string; type: Tensor.Type }[];
  features: ServingFeature[];
}

function flatten(data: unknown[]): unknown[] {
  return data.some(Array.isArray) ? (data as unknown[]).flat(Infinity) : data;
}

/** Turns typed v2 input tensors into row instances; tensors are named as the ONNX graph's inputs. */
export function parseV2(body: unknown, graph: V2Graph): { instances: unknown[]; id: string | undefined; outputs: string[] | undefined } {
  const parsed = v2InferRequest.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalidInput(`infer request ${issue ? `${issue.path.join('.') || '(body)'}: ${issue.message}` : 'is invalid'}`);
  }
  const req = parsed.data;
  const known = new Set(graph.inputs.map((i) => i.name));
  for (const t of req.inputs) {
    if (!known.has(t.name)) throw invalidInput(`input tensor "${t.name}" is not an input of the model (inputs: ${[...known].join(', ')})`, { feature: t.name });
  }
  const tensor = (name: string): { shape: number[]; data: unknown[] } => {
    const t = req.inputs.find((x) => x.name === name);
    if (!t) throw invalidInput(`input tensor "${name}" is missing`, { feature: name });
    const want = v2Datatype((graph.inputs.find((i) => i.name === name) as { type: Tensor.Type }).type);
    if (t.datatype !== want) throw invalidInput(`input tensor "${name}": datatype ${t.datatype}, the model takes ${want}`, { feature: name });
    const data = flatten(t.data);
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (data.length !== size) throw invalidInput(`input tensor "${name}": shape [${t.shape.join(', ')}] holds ${size} values, data has ${data.length}`, { feature: name });
    return { shape: t.shape, data };
  };
  const outputs = req.outputs?.map((o) => o.name);
  if (graph.inputMode === 'tensor') {
    const name = (graph.inputs[0] as { name: string }).name;
    const { shape, data } = tensor(name);
    const width = graph.features.length;
    if (shape.length !== 2 || shape[1] !== width) {
      throw invalidInput(`input tensor "${name}": shape [${shape.join(', ')}], expected [N, ${width}]`, { feature: name });
    }
    const n = shape[0] as number;
    return { instances: Array.from({ length: n }, (_, r) => data.slice(r * width, (r + 1) * width)), id: req.id, outputs };
  }
  const cols = graph.features.map((f) => tensor(f.name));
  const n = cols[0]?.data.length ?? 0;
  graph.features.forEach((f, j) => {
    const c = cols[j] as { shape: number[]; data: unknown[] };
    if (c.data.length !== n || (c.shape.length === 2 && c.shape[1] !== 1) || c.shape.length > 2) {
      throw invalidInput(`input tensor "${f.name}": shape [${c.shape.join(', ')}], expected [${n}] or [${n}, 1]`, { feature: f.name });
    }
  });
  return { instances: Array.from({ length: n }, (_, r) => cols.map((c) => c.data[r])), id: req.id, outputs };
}

export function formatV2(outputs: RunOutputs, n: number, wanted: string[] | undefined) {
  if (wanted) {
    const missing = wanted.filter((w) => !outputs.has(w));
    if (missing.length) throw invalidInput(`requested output "${missing[0]}" is not an output of the model (outputs: ${[...outputs.keys()].join(', ')})`);
  }
  return [...outputs]
    .filter(([name]) => !wanted || wanted.includes(name))
    .map(([name, o]) => ({
      name,
      shape: [n, ...o.rowShape],
      datatype: v2Datatype(o.type),
      data: o.perRow.flat(),
    }));
}
