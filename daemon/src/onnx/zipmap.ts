/**
 * scikit-learn classifiers converted by skl2onnx with default options end in `ai.onnx.ml` ZipMap, which turns the
 * probability tensor into a sequence of maps (one {class: probability} per row). onnxruntime-node cannot return
 * such a value, so at registration the ZipMap is removed and the tensor it wrapped becomes the graph output
 * `probabilities` [N, classes]; everything else (the label output, weights, metadata) is copied byte for byte.
 * When the rewrite does not apply (the map is consumed inside the graph) the model is refused with the fix.
 */
import { AttributeF, GraphF, ModelF, NodeF, StringStringF, ValueInfoF } from './onnx-types';
import { writeGraphValue, writeNode, ML_DOMAIN } from './graph';
import { type FieldTag, ProtoReader, ProtoWriter, ProtobufError } from './protobuf';

export const ZIPMAP_FIX =
  'convert the classifier with skl2onnx options={"zipmap": False} (e.g. to_onnx(model, X, options={"zipmap": False}) or ' +
  'convert_sklearn(..., options={id(model): {"zipmap": False}})) so that probabilities are a tensor';

/** The graph has a ZipMap that cannot be rewritten; the message says why and how to export instead. */
export class ZipMapError extends Error {
  constructor(why: string) {
    super(`the model ends in a ZipMap (a sequence of maps, which onnxruntime-node cannot return) and ${why}: ${ZIPMAP_FIX}`);
    this.name = 'ZipMapError';
  }
}

interface RawField {
  tag: FieldTag;
  /** The whole field, tag included, as it appears in the file. */
  raw: Uint8Array;
  /** The payload of a length-delimited field. */
  body?: ProtoReader;
}

interface NodeInfo {
  op: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  classCount: number;
}

export interface ZipMapRewrite {
  bytes: Uint8Array;
  /** One line per ZipMap removed: `output_probability → probabilities`. Empty when the model had none. */
  rewritten: string[];
}

/** Splits a message into its fields without decoding them, keeping each field's exact bytes. */
function fields(bytes: Uint8Array, r: ProtoReader): RawField[] {
  const out: RawField[] = [];
  while (!r.eof()) {
    const tag = r.readTag();
    const start = tag.offset;
    let body: ProtoReader | undefined;
    if (tag.wireType === 2) body = r.readMessage();
    else r.skip(tag);
    out.push({ tag, raw: bytes.subarray(start, r.offset), ...(body ? { body } : {}) });
  }
  return out;
}

function readNode(r: ProtoReader): NodeInfo {
  const n: NodeInfo = { op: '', domain: '', inputs: [], outputs: [], classCount: 0 };
  while (!r.eof()) {
    const tag = r.readTag();
    if (tag.field === NodeF.opType) n.op = r.readString();
    else if (tag.field === NodeF.domain) n.domain = r.readString();
    else if (tag.field === NodeF.input) n.inputs.push(r.readString());
    else if (tag.field === NodeF.output) n.outputs.push(r.readString());
    else if (tag.field === NodeF.attribute) n.classCount = Math.max(n.classCount, classLabelCount(r.readMessage()));
    else r.skip(tag);
  }
  return n;
}

/** Number of entries of a `classlabels_int64s`/`classlabels_strings` attribute (0 for any other attribute). */
function classLabelCount(r: ProtoReader): number {
  let name = '';
  let count = 0;
  while (!r.eof()) {
    const tag = r.readTag();
    if (tag.field === AttributeF.name) name = r.readString();
    else if (tag.field === AttributeF.strings) {
      r.skip(tag);
      count++;
    } else if (tag.field === AttributeF.ints && (name === '' || name.startsWith('classlabels_'))) {
      const values: number[] = [];
      r.readInt64s(tag, values);
      count += values.length;
    } else r.skip(tag);
  }
  return name.startsWith('classlabels_') ? count : 0;
}

function valueInfoName(r: ProtoReader): string {
  let name = '';
  while (!r.eof()) {
    const tag = r.readTag();
    if (tag.field === ValueInfoF.name) name = r.readString();
    else r.skip(tag);
  }
  return name;
}

/**
 * Rewrites every top-level ZipMap of `bytes` (see the module comment). A model without one comes back
 * unchanged (the same bytes). Throws ZipMapError when a ZipMap's output is not simply a graph output.
 */
export function rewriteZipMap(bytes: Uint8Array): ZipMapRewrite {
  try {
    return rewrite(bytes);
  } catch (e) {
    if (e instanceof ProtobufError) return { bytes, rewritten: [] }; // parseOnnxModel reports malformed files
    throw e;
  }
}

function rewrite(bytes: Uint8Array): ZipMapRewrite {
  const model = fields(bytes, new ProtoReader(bytes));
  const graphField = model.find((f) => f.tag.field === ModelF.graph);
  if (!graphField?.body) return { bytes, rewritten: [] };
  const graph = fields(bytes, graphField.body);
  const nodes = graph.filter((f) => f.tag.field === GraphF.node).map((f) => ({ f, n: readNode(f.body as ProtoReader) }));
  const zipmaps = nodes.filter(({ n }) => n.op === 'ZipMap' && n.domain === ML_DOMAIN);
  if (!zipmaps.length) return { bytes, rewritten: [] };
  const outputs = graph.filter((f) => f.tag.field === GraphF.output).map((f) => ({ f, name: valueInfoName(f.body as ProtoReader) }));
  const used = new Set(nodes.flatMap(({ n }) => [...n.inputs, ...n.outputs]));
  const replaceNode = new Map<RawField, Uint8Array | null>();
  const replaceOutput = new Map<RawField, Uint8Array>();
  const rewritten: string[] = [];
  for (const { f, n } of zipmaps) {
    const [input, output] = [n.inputs[0], n.outputs[0]];
    if (!input || !output) throw new ZipMapError('its ZipMap node has no input or output');
    const out = outputs.find((o) => o.name === output);
    if (!out) throw new ZipMapError(`its map "${output}" is used inside the graph rather than returned`);
    if (nodes.some(({ n: other }) => other.inputs.includes(output))) throw new ZipMapError(`its map "${output}" feeds another node`);
    const taken = used.has('probabilities') || outputs.some((o) => o.name === 'probabilities');
    const name = input === 'probabilities' || taken ? input : 'probabilities';
    used.add(name);
    const w = new ProtoWriter();
    if (name !== input) w.messageField(GraphF.node, (nw) => writeNode(nw, { op: 'Identity', inputs: [input], outputs: [name], name: 'zipmap_removed' }, 0));
    replaceNode.set(f, name !== input ? w.finish() : null);
    const dims: (number | string)[] = n.classCount > 0 ? ['N', n.classCount] : ['N', 'classes'];
    replaceOutput.set(out.f, new ProtoWriter().messageField(GraphF.output, (vw) => writeGraphValue(vw, { name, type: { tensor: 'float', dims } })).finish());
    rewritten.push(`${output} → ${name}`);
  }
  const g = new ProtoWriter();
  for (const f of graph) {
    const swap = replaceNode.has(f) ? replaceNode.get(f) : replaceOutput.get(f);
    if (swap === undefined) g.rawBytes(f.raw);
    else if (swap !== null) g.rawBytes(swap);
  }
  const m = new ProtoWriter();
  for (const f of model) {
    if (f === graphField) m.bytesField(ModelF.graph, g.finish());
    else m.rawBytes(f.raw);
  }
  m.messageField(ModelF.metadataProps, (e) => e.stringField(StringStringF.key, 'zipmap_rewritten').stringField(StringStringF.value, rewritten.join('; ')));
  return { bytes: m.finish(), rewritten };
}
