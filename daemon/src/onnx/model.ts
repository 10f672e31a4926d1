/**
 * Reads what the registry needs from an ONNX file — IR version, opsets, producer, metadata and the graph's
 * signature — without Python or an ONNX runtime. Tensor payloads (weights) are skipped, never copied, so a
 * large model parses in time proportional to its number of fields, not its size.
 */
import {
  DimensionF,
  GraphF,
  MapTypeF,
  ModelF,
  NodeF,
  OpsetF,
  OptionalTypeF,
  SequenceTypeF,
  ShapeF,
  SparseTensorF,
  StringStringF,
  TensorF,
  TensorTypeF,
  TypeF,
  ValueInfoF,
  elementTypeName,
} from './onnx-types';
import { type Signature } from '../../../schemas/src/api';
import { type FieldTag, ProtoReader, ProtobufError, WIRE_LENGTH, WIRE_VARINT } from './protobuf';

export { buildLinearModelOnnx, predictLinear, type LinearModelOptions } from './linear';
export { checkSignatureAgainstConfig } from './signature-check';

/** The file is not a readable ONNX model. The message names the field path and byte offset at fault. */
export class OnnxFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OnnxFormatError';
  }
}

/**
 * One graph input or output, as the API's `signature` carries it (schemas/src/api.ts): `type` is the lowercase ONNX
 * element type ('float', 'int64', ...) or, for non-tensor values, e.g. 'seq(map(int64,tensor(float)))'; `shape`
 * holds a number, a symbolic name or null (unnamed) per dimension, and is empty when the rank is unknown or zero.
 */
export type TensorSpec = Signature['inputs'][number];

export interface OnnxSignature {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

export interface OpsetImport {
  /** '' is the default ONNX domain (ai.onnx). */
  domain: string;
  version: number;
}

export interface OnnxModelInfo {
  irVersion: number;
  opsetImports: OpsetImport[];
  producerName: string;
  producerVersion: string;
  domain: string;
  modelVersion: number;
  docString: string;
  graphName: string;
  metadata: Record<string, string>;
  signature: OnnxSignature;
  nodeCount: number;
  /** Distinct operator types, in first-use order ("ai.onnx.ml:TreeEnsembleClassifier" outside the default domain). */
  opTypes: string[];
  initializerCount: number;
}

/** Nesting allowed in TypeProto (seq of map of seq ...); hostile files must not exhaust the stack. */
const MAX_TYPE_DEPTH = 16;

interface GraphAcc {
  name: string;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  initializers: Set<string>;
  nodeCount: number;
  opTypes: string[];
}

export function parseOnnxModel(bytes: Uint8Array): OnnxModelInfo {
  if (bytes.length === 0) throw new OnnxFormatError('not an ONNX model: the file is empty');
  const foreign = recogniseForeignFormat(bytes);
  if (foreign) throw new OnnxFormatError(`not an ONNX model: the file looks like ${foreign}`);
  const info = emptyInfo();
  const graph: GraphAcc = { name: '', inputs: [], outputs: [], initializers: new Set(), nodeCount: 0, opTypes: [] };
  let sawIr = false;
  let sawGraph = false;
  const r = new ProtoReader(bytes);
  inField('ModelProto', () => {
    while (!r.eof()) {
      const tag = r.readTag();
      switch (tag.field) {
        case ModelF.irVersion:
          info.irVersion = int(r, tag);
          sawIr = true;
          break;
        case ModelF.producerName:
          info.producerName = str(r, tag);
          break;
        case ModelF.producerVersion:
          info.producerVersion = str(r, tag);
          break;
        case ModelF.domain:
          info.domain = str(r, tag);
          break;
        case ModelF.modelVersion:
          info.modelVersion = int(r, tag);
          break;
        case ModelF.docString:
          info.docString = str(r, tag);
          break;
        case ModelF.graph:
          inField('ModelProto.graph', () => parseGraph(msg(r, tag), graph));
          sawGraph = true;
          break;
        case ModelF.opsetImport:
          info.opsetImports.push(inField(`ModelProto.opset_import[${info.opsetImports.length}]`, () => parseOpset(msg(r, tag))));
          break;
        case ModelF.metadataProps: {
          const path = `ModelProto.metadata_props[${Object.keys(info.metadata).length}]`;
          const [k, v] = inField(path, () => parseEntry(msg(r, tag)));
          info.metadata[k] = v;
          break;
        }
        default:
          r.skip(tag);
      }
    }
  });
  if (!sawIr) throw new OnnxFormatError('not an ONNX model: ModelProto.ir_version is missing');
  if (info.irVersion < 1) throw new OnnxFormatError(`not an ONNX model: ModelProto.ir_version is ${info.irVersion}`);
  if (!sawGraph) throw new OnnxFormatError('not an ONNX model: ModelProto.graph is missing');
  info.graphName = graph.name;
  info.signature = {
    inputs: graph.inputs.filter((i) => !graph.initializers.has(i.name)),
    outputs: graph.outputs,
  };
  info.nodeCount = graph.nodeCount;
  info.opTypes = graph.opTypes;
  info.initializerCount = graph.initializers.size;
  return info;
}

function emptyInfo(): OnnxModelInfo {
  return {
    irVersion: 0,
    opsetImports: [],
    producerName: '',
    producerVersion: '',
    domain: '',
    modelVersion: 0,
    docString: '',
    graphName: '',
    metadata: {},
    signature: { inputs: [], outputs: [] },
    nodeCount: 0,
    opTypes: [],
    initializerCount: 0,
  };
}

/** Names common non-ONNX files by their magic bytes, so the error says what the file probably is. */
function recogniseForeignFormat(b: Uint8Array): string | null {
  const starts = (...sig: number[]): boolean => sig.every((x, i) => b[i] === x);
  if (starts(0x50, 0x4b, 0x03, 0x04)) return 'a ZIP archive (a PyTorch .pt/.pth checkpoint or a .mlmodel package?)';
  if (starts(0x89, 0x48, 0x44, 0x46)) return 'an HDF5 file (a Keras .h5 model?)';
  if (starts(0x80) && b.length > 1 && (b[1] as number) >= 2 && (b[1] as number) <= 5) return 'a Python pickle (joblib/.pkl model?)';
  if (starts(0x50, 0x41, 0x52, 0x31)) return 'a Parquet file';
  const head = new TextDecoder().decode(b.subarray(0, 64)).trimStart();
  if (head.startsWith('{') || head.startsWith('[')) return 'JSON text';
  if (head.startsWith('ir_version')) return 'ONNX text format (save the binary protobuf instead)';
  return null;
}

/** Runs `fn`, turning low-level decoding errors into OnnxFormatErrors that name the field path. */
function inField<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ProtobufError) throw new OnnxFormatError(`not a valid ONNX model: ${path}: ${e.message}`);
    throw e;
  }
}

function str(r: ProtoReader, tag: FieldTag): string {
  r.expectWire(tag, WIRE_LENGTH);
  return r.readString();
}

function int(r: ProtoReader, tag: FieldTag): number {
  r.expectWire(tag, WIRE_VARINT);
  return r.readInt64();
}

function msg(r: ProtoReader, tag: FieldTag): ProtoReader {
  r.expectWire(tag, WIRE_LENGTH);
  return r.readMessage();
}

function parseOpset(r: ProtoReader): OpsetImport {
  const out: OpsetImport = { domain: '', version: 0 };
  while (!r.eof()) {
    const tag = r.readTag();
    if (tag.field === OpsetF.domain) out.domain = str(r, tag);
    else if (tag.field === OpsetF.version) out.version = int(r, tag);
    else r.skip(tag);
  }
  return out;
}

function parseEntry(r: ProtoReader): [string, string] {
  let key = '';
  let value = '';
  while (!r.eof()) {
    const tag = r.readTag();
    if (tag.field === StringStringF.key) key = str(r, tag);
    else if (tag.field === StringStringF.value) value = str(r, tag);
    else r.skip(tag);
  }
  return [key, value];
}

/** Repeated occurrences of GraphProto merge, as protobuf requires for embedded messages. */
function parseGraph(r: ProtoReader, g: GraphAcc): void {
  while (!r.eof()) {
    const tag = r.readTag();
    switch (tag.field) {
      case GraphF.name:
        g.name = str(r, tag);
        break;
      case GraphF.input:
        g.inputs.push(inField(`GraphProto.input[${g.inputs.length}]`, () => parseValueInfo(msg(r, tag))));
        break;
      case GraphF.output:
        g.outputs.push(inField(`GraphProto.output[${g.outputs.length}]`, () => parseValueInfo(msg(r, tag))));
        break;
      case GraphF.initializer:
        g.initializers.add(inField(`GraphProto.initializer[${g.initializers.size}]`, () => tensorName(msg(r, tag))));
        break;
      case GraphF.sparseInitializer:
        g.initializers.add(inField('GraphProto.sparse_initializer', () => sparseTensorName(msg(r, tag))));
        break;
      case GraphF.node: {
        const op = inField(`GraphProto.node[${g.nodeCount}]`, () => parseNodeOp(msg(r, tag)));
        g.nodeCount++;
        if (!g.opTypes.includes(op)) g.opTypes.push(op);
        break;
      }
      default:
        r.skip(tag);
    }
  }
}

/** Only the name of an initializer matters here; its data fields are skipped without copying. */
function tensorName(r: ProtoReader): string {
  let name = '';
  while (!r.eof()) {
    const tag = r.readTag();
    if (tag.field === TensorF.name) name = str(r, tag);
    else r.skip(tag);
  }
  return name;
}

function sparseTensorName(r: ProtoReader): string {
  let name = '';
  while (!r.eof()) {
    const tag = r.readTag();
    if (tag.field === SparseTensorF.values) name = tensorName(msg(r, tag));
    else r.skip(tag);
  }
  return name;
}

function parseNodeOp(r: ProtoReader): string {
  let op = '';
  let domain = '';
  while (!r.eof()) {
    const tag = r.readTag();
    if (tag.field === NodeF.opType) op = str(r, tag);
    else if (tag.field === NodeF.domain) domain = str(r, tag);
    else r.skip(tag);
  }
  return domain && domain !== 'ai.onnx' ? `${domain}:${op}` : op;
}

function parseValueInfo(r: ProtoReader): TensorSpec {
  const spec: TensorSpec = { name: '', type: 'unknown', shape: [] };
  while (!r.eof()) {
    const tag = r.readTag();
    if (tag.field === ValueInfoF.name) spec.name = str(r, tag);
    else if (tag.field === ValueInfoF.type) {
      const t = parseType(msg(r, tag), 0);
      spec.type = t.type;
      spec.shape = t.shape;
    } else r.skip(tag);
  }
  return spec;
}

interface TypeInfo {
  type: string;
  shape: (number | string | null)[];
}

function parseType(r: ProtoReader, depth: number): TypeInfo {
  if (depth > MAX_TYPE_DEPTH) throw new ProtobufError(`type nested deeper than ${MAX_TYPE_DEPTH} levels`, r.offset);
  let out: TypeInfo = { type: 'unknown', shape: [] };
  while (!r.eof()) {
    const tag = r.readTag();
    switch (tag.field) {
      case TypeF.tensor:
        out = parseTensorType(msg(r, tag));
        break;
      case TypeF.sparseTensor:
        out = { type: `sparse_tensor(${parseTensorType(msg(r, tag)).type})`, shape: [] };
        break;
      case TypeF.sequence:
        out = { type: `seq(${nestedType(parseSingleElem(msg(r, tag), SequenceTypeF.elemType, depth))})`, shape: [] };
        break;
      case TypeF.optional:
        out = { type: `optional(${nestedType(parseSingleElem(msg(r, tag), OptionalTypeF.elemType, depth))})`, shape: [] };
        break;
      case TypeF.map:
        out = { type: parseMapType(msg(r, tag), depth), shape: [] };
        break;
      default:
        r.skip(tag);
    }
  }
  return out;
}

/** Inside seq/map/optional, tensors are written `tensor(float)` as the ONNX docs do. */
function nestedType(t: TypeInfo): string {
  const composite = /^[a-z_]+\(/.test(t.type);
  return composite || t.type === 'unknown' ? t.type : `tensor(${t.type})`;
}

function parseSingleElem(r: ProtoReader, field: number, depth: number): TypeInfo {
  let out: TypeInfo = { type: 'unknown', shape: [] };
  while (!r.eof()) {
    const tag = r.readTag();
    if (tag.field === field) out = parseType(msg(r, tag), depth + 1);
    else r.skip(tag);
  }
  return out;
}

function parseMapType(r: ProtoReader, depth: number): string {
  let key = 'unknown';
  let value: TypeInfo = { type: 'unknown', shape: [] };
  while (!r.eof()) {
    const tag = r.readTag();
    if (tag.field === MapTypeF.keyType) key = elementTypeName(int(r, tag));
    else if (tag.field === MapTypeF.valueType) value = parseType(msg(r, tag), depth + 1);
    else r.skip(tag);
  }
  return `map(${key},${nestedType(value)})`;
}

function parseTensorType(r: ProtoReader): TypeInfo {
  const out: TypeInfo = { type: 'unknown', shape: [] };
  while (!r.eof()) {
    const tag = r.readTag();
    if (tag.field === TensorTypeF.elemType) out.type = elementTypeName(int(r, tag));
    else if (tag.field === TensorTypeF.shape) out.shape = parseShape(msg(r, tag));
    else r.skip(tag);
  }
  return out;
}

function parseShape(r: ProtoReader): (number | string | null)[] {
  const dims: (number | string | null)[] = [];
  while (!r.eof()) {
    const tag = r.readTag();
    if (tag.field !== ShapeF.dim) {
      r.skip(tag);
      continue;
    }
    const d = msg(r, tag);
    let dim: number | string | null = null;
    while (!d.eof()) {
      const t = d.readTag();
      if (t.field === DimensionF.dimValue) {
        const v = int(d, t);
        // Some exporters write -1 for "any size"; that is an unnamed dimension.
        dim = v >= 0 ? v : null;
      } else if (t.field === DimensionF.dimParam) dim = str(d, t);
      else d.skip(t);
    }
    dims.push(dim);
  }
  return dims;
}
