/**
 * A small, general ONNX model writer: nodes with typed attributes, initializers, typed graph inputs and
 * outputs, several opsets and metadata. The exporters (linear.ts, sklearn.ts) describe a graph as plain data
 * and this module serialises it; onnxruntime is what checks the result, in the tests.
 */
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
} from './onnx-types';
import { ProtoWriter } from './protobuf';

export const PRODUCER_NAME = 'mlops-workbench';
export const ML_DOMAIN = 'ai.onnx.ml';

/** Attribute values, tagged because ONNX distinguishes an int from a float and a list from a scalar. */
export type Attr =
  | { t: 'int'; v: number }
  | { t: 'float'; v: number }
  | { t: 'string'; v: string }
  | { t: 'ints'; v: ArrayLike<number> }
  | { t: 'floats'; v: ArrayLike<number> }
  | { t: 'strings'; v: readonly string[] }
  | { t: 'tensor'; v: Initializer };

export const attr = {
  int: (v: number): Attr => ({ t: 'int', v }),
  float: (v: number): Attr => ({ t: 'float', v }),
  string: (v: string): Attr => ({ t: 'string', v }),
  ints: (v: ArrayLike<number>): Attr => ({ t: 'ints', v }),
  floats: (v: ArrayLike<number>): Attr => ({ t: 'floats', v }),
  strings: (v: readonly string[]): Attr => ({ t: 'strings', v }),
  tensor: (v: Initializer): Attr => ({ t: 'tensor', v }),
};

export interface GraphNode {
  op: string;
  /** '' (default ONNX domain) unless given, e.g. `ai.onnx.ml`. */
  domain?: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, Attr>;
  name?: string;
}

/** A constant tensor. Strings go in string_data, numbers as little-endian raw_data. */
export type Initializer =
  | { name: string; type: 'float' | 'double' | 'int64'; dims: number[]; values: ArrayLike<number> }
  | { name: string; type: 'string'; dims: number[]; values: readonly string[] };

export type ElemName = 'float' | 'double' | 'int64' | 'string' | 'bool';
const ELEM: Record<ElemName, number> = {
  float: DataType.FLOAT,
  double: DataType.DOUBLE,
  int64: DataType.INT64,
  string: DataType.STRING,
  bool: DataType.BOOL,
};

/** A graph input or output: a tensor, or (for ZipMap graphs) a sequence of maps from a key type to float. */
export type ValueType =
  | { tensor: ElemName; dims: (number | string)[] }
  | { seqMap: { key: 'int64' | 'string'; value: ElemName } };

export interface GraphValue {
  name: string;
  type: ValueType;
}

export interface ModelSpec {
  graphName: string;
  nodes: GraphNode[];
  initializers?: Initializer[];
  inputs: GraphValue[];
  outputs: GraphValue[];
  /** Domain → opset version; '' is the default domain. */
  opsets: Record<string, number>;
  metadata?: Record<string, string>;
  irVersion?: number;
  producerName?: string;
  producerVersion?: string;
  docString?: string;
}

export function buildModel(spec: ModelSpec): Uint8Array {
  const w = new ProtoWriter();
  w.int64Field(ModelF.irVersion, spec.irVersion ?? 8);
  w.stringField(ModelF.producerName, spec.producerName ?? PRODUCER_NAME);
  w.stringField(ModelF.producerVersion, spec.producerVersion ?? '0.1.0');
  if (spec.docString) w.stringField(ModelF.docString, spec.docString);
  w.messageField(ModelF.graph, (g) => writeGraph(g, spec));
  for (const [domain, version] of Object.entries(spec.opsets)) {
    w.messageField(ModelF.opsetImport, (o) => o.stringField(OpsetF.domain, domain).int64Field(OpsetF.version, version));
  }
  for (const [k, v] of Object.entries(spec.metadata ?? {})) {
    w.messageField(ModelF.metadataProps, (e) => e.stringField(StringStringF.key, k).stringField(StringStringF.value, v));
  }
  return w.finish();
}

function writeGraph(g: ProtoWriter, spec: ModelSpec): void {
  spec.nodes.forEach((n, i) => g.messageField(GraphF.node, (nw) => writeNode(nw, n, i)));
  g.stringField(GraphF.name, spec.graphName);
  for (const t of spec.initializers ?? []) g.messageField(GraphF.initializer, (tw) => writeTensor(tw, t));
  for (const v of spec.inputs) g.messageField(GraphF.input, (vw) => writeGraphValue(vw, v));
  for (const v of spec.outputs) g.messageField(GraphF.output, (vw) => writeGraphValue(vw, v));
}

export function writeNode(w: ProtoWriter, n: GraphNode, index: number): void {
  for (const i of n.inputs) w.stringField(NodeF.input, i);
  for (const o of n.outputs) w.stringField(NodeF.output, o);
  w.stringField(NodeF.name, n.name ?? `${n.op.toLowerCase()}_${index}`);
  w.stringField(NodeF.opType, n.op);
  for (const [name, a] of Object.entries(n.attrs ?? {})) w.messageField(NodeF.attribute, (aw) => writeAttr(aw, name, a));
  if (n.domain) w.stringField(NodeF.domain, n.domain);
}

function writeAttr(w: ProtoWriter, name: string, a: Attr): void {
  w.stringField(AttributeF.name, name);
  const enc = new TextEncoder();
  switch (a.t) {
    case 'int':
      w.int64Field(AttributeF.i, a.v).varintField(AttributeF.type, AttributeType.INT);
      break;
    case 'float':
      w.floatField(AttributeF.f, a.v).varintField(AttributeF.type, AttributeType.FLOAT);
      break;
    case 'string':
      w.bytesField(AttributeF.s, enc.encode(a.v)).varintField(AttributeF.type, AttributeType.STRING);
      break;
    case 'ints':
      w.packedInt64s(AttributeF.ints, a.v).varintField(AttributeF.type, AttributeType.INTS);
      break;
    case 'floats':
      w.packedFloats(AttributeF.floats, a.v).varintField(AttributeF.type, AttributeType.FLOATS);
      break;
    case 'strings': {
      // Tree modes repeat two strings a million times: encode each distinct one once.
      const encoded = new Map<string, Uint8Array>();
      for (const s of a.v) {
        let b = encoded.get(s);
        if (!b) encoded.set(s, (b = enc.encode(s)));
        w.bytesField(AttributeF.strings, b);
      }
      w.varintField(AttributeF.type, AttributeType.STRINGS);
      break;
    }
    case 'tensor':
      w.messageField(AttributeF.t, (tw) => writeTensor(tw, a.v)).varintField(AttributeF.type, AttributeType.TENSOR);
      break;
  }
}

export function writeTensor(w: ProtoWriter, t: Initializer): void {
  for (const d of t.dims) w.int64Field(TensorF.dims, d);
  w.varintField(TensorF.dataType, ELEM[t.type]);
  w.stringField(TensorF.name, t.name);
  if (t.type === 'string') {
    const enc = new TextEncoder();
    for (const s of t.values) w.bytesField(TensorF.stringData, enc.encode(s));
    return;
  }
  const width = t.type === 'float' ? 4 : 8;
  const raw = new Uint8Array(t.values.length * width);
  const dv = new DataView(raw.buffer);
  for (let i = 0; i < t.values.length; i++) {
    const v = t.values[i] as number;
    if (t.type === 'float') dv.setFloat32(i * 4, v, true);
    else if (t.type === 'double') dv.setFloat64(i * 8, v, true);
    else dv.setBigInt64(i * 8, BigInt(v), true);
  }
  w.bytesField(TensorF.rawData, raw);
}

export function writeGraphValue(w: ProtoWriter, v: GraphValue): void {
  w.stringField(ValueInfoF.name, v.name);
  w.messageField(ValueInfoF.type, (t) => writeType(t, v.type));
}

function writeType(t: ProtoWriter, type: ValueType): void {
  if ('tensor' in type) {
    const dims = type.dims;
    t.messageField(TypeF.tensor, (tt) => {
      tt.varintField(TensorTypeF.elemType, ELEM[type.tensor]);
      tt.messageField(TensorTypeF.shape, (s) => {
        for (const d of dims) {
          s.messageField(ShapeF.dim, (dw) => {
            if (typeof d === 'number') dw.int64Field(DimensionF.dimValue, d);
            else dw.stringField(DimensionF.dimParam, d);
          });
        }
      });
    });
    return;
  }
  const { key, value } = type.seqMap;
  t.messageField(TypeF.sequence, (sq) =>
    sq.messageField(SequenceTypeF.elemType, (et) =>
      et.messageField(TypeF.map, (m) => {
        m.varintField(MapTypeF.keyType, ELEM[key]);
        m.messageField(MapTypeF.valueType, (vt) => writeType(vt, { tensor: value, dims: [] }));
      }),
    ),
  );
}

const FLOAT_BITS = new DataView(new ArrayBuffer(4));

/**
 * The largest float32 that is ≤ `x`. A tree split `x <= t` (t in float64, as scikit-learn stores it) gives the
 * same answer as `x <= floorFloat32(t)` for every float32 `x`, so float32 thresholds rounded this way never flip
 * a leaf, where rounding to nearest could.
 */
export function floorFloat32(x: number): number {
  const f = Math.fround(x);
  if (f <= x || !Number.isFinite(x)) return f;
  const buf = FLOAT_BITS;
  buf.setFloat32(0, f, true);
  const bits = buf.getUint32(0, true);
  // f > x here, so step one unit towards -infinity: down in magnitude when positive, up when negative.
  if (f === 0) buf.setUint32(0, 0x80000001, true);
  else buf.setUint32(0, f > 0 ? bits - 1 : bits + 1, true);
  return buf.getFloat32(0, true);
}
