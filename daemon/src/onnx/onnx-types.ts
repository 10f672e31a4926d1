/**
 * ONNX protobuf field numbers and enums, as declared in onnx/onnx.proto (proto2, package onnx).
 * Only the messages the registry reads and the linear-model writer emits are listed.
 */

export const ModelF = {
  irVersion: 1,
  producerName: 2,
  producerVersion: 3,
  domain: 4,
  modelVersion: 5,
  docString: 6,
  graph: 7,
  opsetImport: 8,
  metadataProps: 14,
} as const;

export const GraphF = {
  node: 1,
  name: 2,
  initializer: 5,
  docString: 10,
  input: 11,
  output: 12,
  valueInfo: 13,
  sparseInitializer: 15,
} as const;

export const NodeF = { input: 1, output: 2, name: 3, opType: 4, attribute: 5, docString: 6, domain: 7 } as const;

export const AttributeF = { name: 1, f: 2, i: 3, s: 4, t: 5, g: 6, floats: 7, ints: 8, strings: 9, type: 20 } as const;

/** AttributeProto.AttributeType */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

export const TensorF = {
  dims: 1,
  dataType: 2,
  floatData: 4,
  int32Data: 5,
  stringData: 6,
  int64Data: 7,
  name: 8,
  rawData: 9,
  doubleData: 10,
} as const;

export const SparseTensorF = { values: 1, indices: 2, dims: 3 } as const;
export const ValueInfoF = { name: 1, type: 2, docString: 3 } as const;
export const TypeF = { tensor: 1, sequence: 4, map: 5, denotation: 6, sparseTensor: 8, optional: 9 } as const;
/** TypeProto.Tensor and TypeProto.SparseTensor share these numbers. */
export const TensorTypeF = { elemType: 1, shape: 2 } as const;
export const SequenceTypeF = { elemType: 1 } as const;
export const MapTypeF = { keyType: 1, valueType: 2 } as const;
export const OptionalTypeF = { elemType: 1 } as const;
export const ShapeF = { dim: 1 } as const;
export const DimensionF = { dimValue: 1, dimParam: 2, denotation: 3 } as const;
export const OpsetF = { domain: 1, version: 2 } as const;
export const StringStringF = { key: 1, value: 2 } as const;

/** TensorProto.DataType values, indexed by their number. */
const ELEMENT_TYPE_NAMES: readonly string[] = [
  'undefined',
  'float',
  'uint8',
  'int8',
  'uint16',
  'int16',
  'int32',
  'int64',
  'string',
  'bool',
  'float16',
  'double',
  'uint32',
  'uint64',
  'complex64',
  'complex128',
  'bfloat16',
  'float8e4m3fn',
  'float8e4m3fnuz',
  'float8e5m2',
  'float8e5m2fnuz',
  'uint4',
  'int4',
  'float4e2m1',
  'float8e8m0',
  'uint2',
  'int2',
];

export const DataType = { FLOAT: 1, INT32: 6, INT64: 7, STRING: 8, BOOL: 9, DOUBLE: 11 } as const;

/** Lowercase ONNX name of an element type number; unknown numbers (a newer ONNX) read as `type_<n>`. */
export function elementTypeName(n: number): string {
  return ELEMENT_TYPE_NAMES[n] ?? `type_${n}`;
}
