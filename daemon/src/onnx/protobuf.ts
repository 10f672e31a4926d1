/**
 * A minimal protobuf wire-format reader and writer: just what ONNX files need (varints, 32/64-bit fixed,
 * length-delimited fields, packed repeated scalars). The reader is written for untrusted input: every read is
 * bounds-checked, every loop consumes at least one byte, lengths are checked against the remaining bytes
 * before anything is allocated, and errors carry the byte offset so a bad file gets a precise message.
 */

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LENGTH = 2;
export const WIRE_START_GROUP = 3;
export const WIRE_END_GROUP = 4;
export const WIRE_FIXED32 = 5;

/** Malformed protobuf bytes. `offset` is the absolute byte offset in the buffer where decoding failed. */
export class ProtobufError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} (at byte ${offset})`);
    this.name = 'ProtobufError';
  }
}

export interface FieldTag {
  field: number;
  wireType: number;
  /** Offset of the tag's first byte, for error messages. */
  offset: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const MAX_FIELD_NUMBER = 536_870_911; // 2^29 - 1, the protobuf limit

/** Sequential reader over one message's bytes (a view; nothing is copied). */
export class ProtoReader {
  private pos: number;
  private readonly view: DataView;

  /**
   * @param bytes the whole buffer
   * @param start first byte of this message
   * @param end one past its last byte
   */
  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
    private readonly end = bytes.length,
  ) {
    if (start < 0 || end > bytes.length || start > end) throw new ProtobufError('message bounds outside the buffer', start);
    this.pos = start;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get offset(): number {
    return this.pos;
  }

  eof(): boolean {
    return this.pos >= this.end;
  }

  readTag(): FieldTag {
    const offset = this.pos;
    const key = this.readVarint();
    const field = Math.floor(key / 8);
    const wireType = key % 8;
    if (field < 1 || field > MAX_FIELD_NUMBER) throw new ProtobufError(`invalid field number ${field}`, offset);
    if (wireType > WIRE_FIXED32) throw new ProtobufError(`invalid wire type ${wireType} for field ${field}`, offset);
    return { field, wireType, offset };
  }

  /** An unsigned varint as a number; values above 2^53 are rejected rather than silently rounded. */
  readVarint(): number {
    const v = this.readVarintBig();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ProtobufError('varint too large for a safe integer', this.pos);
    return Number(v);
  }

  readVarintBig(): bigint {
    const start = this.pos;
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtobufError('truncated varint', start);
      const b = this.bytes[this.pos++] as number;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return BigInt.asUintN(64, result);
      shift += 7n;
    }
    throw new ProtobufError('varint longer than 10 bytes', start);
  }

  /** int64 field: two's complement over 64 bits, must fit in a safe integer. */
  readInt64(): number {
    const at = this.pos;
    const v = BigInt.asIntN(64, this.readVarintBig());
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new ProtobufError(`int64 value ${v} outside the safe integer range`, at);
    }
    return Number(v);
  }

  /** int32 field: encoded sign-extended to 64 bits, so truncate to 32. */
  readInt32(): number {
    return Number(BigInt.asIntN(32, this.readVarintBig()));
  }

  readFixed32Float(): number {
    this.need(4);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  readFixed64Double(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** A length-delimited field's payload, as a view into the buffer. */
  readBytes(): Uint8Array {
    const { start, end } = this.readLengthBounds();
    return this.bytes.subarray(start, end);
  }

  readString(): string {
    const at = this.pos;
    const b = this.readBytes();
    try {
      return utf8.decode(b);
    } catch {
      throw new ProtobufError('string field is not valid UTF-8', at);
    }
  }

  /** A reader over an embedded message, advancing this reader past it. */
  readMessage(): ProtoReader {
    const { start, end } = this.readLengthBounds();
    return new ProtoReader(this.bytes, start, end);
  }

  /** Skips a field's value. Groups are deprecated and unused by ONNX, so they are refused. */
  skip(tag: FieldTag): void {
    switch (tag.wireType) {
      case WIRE_VARINT:
        this.readVarintBig();
        return;
      case WIRE_FIXED64:
        this.need(8);
        this.pos += 8;
        return;
      case WIRE_LENGTH:
        this.readLengthBounds();
        return;
      case WIRE_FIXED32:
        this.need(4);
        this.pos += 4;
        return;
      default:
        throw new ProtobufError(`unsupported wire type ${tag.wireType} (group) in field ${tag.field}`, tag.offset);
    }
  }

  /** Repeated float, packed or not (a parser must accept both encodings). */
  readFloats(tag: FieldTag, out: number[]): void {
    if (tag.wireType === WIRE_FIXED32) {
      out.push(this.readFixed32Float());
      return;
    }
    this.expectWire(tag, WIRE_LENGTH);
    const sub = this.readMessage();
    if ((sub.end - sub.pos) % 4 !== 0) throw new ProtobufError('packed float field length is not a multiple of 4', tag.offset);
    while (!sub.eof()) out.push(sub.readFixed32Float());
  }

  /** Repeated int64, packed or not. */
  readInt64s(tag: FieldTag, out: number[]): void {
    if (tag.wireType === WIRE_VARINT) {
      out.push(this.readInt64());
      return;
    }
    this.expectWire(tag, WIRE_LENGTH);
    const sub = this.readMessage();
    while (!sub.eof()) out.push(sub.readInt64());
  }

  /** Throws unless the tag has the wire type the schema says the field has. */
  expectWire(tag: FieldTag, wireType: number): void {
    if (tag.wireType !== wireType) {
      throw new ProtobufError(`field ${tag.field} has wire type ${tag.wireType}, expected ${wireType}`, tag.offset);
    }
  }

  private readLengthBounds(): { start: number; end: number } {
    const at = this.pos;
    const len = this.readVarint();
    const remaining = this.end - this.pos;
    if (len > remaining) {
      throw new ProtobufError(`length ${len} runs past the end of the message (${remaining} bytes left)`, at);
    }
    const start = this.pos;
    this.pos += len;
    return { start, end: this.pos };
  }

  private need(n: number): void {
    if (this.end - this.pos < n) throw new ProtobufError(`truncated: need ${n} bytes, ${this.end - this.pos} left`, this.pos);
  }
}

/**
 * Appends fields to a growing byte list. Embedded messages are written by a callback into a child writer,
 * whose finished length is then known; the copying this costs is fine for the small models written here.
 */
export class ProtoWriter {
  /** One growing buffer: writing byte by byte into it keeps a million-node tree ensemble free of garbage. */
  private buf = new Uint8Array(256);
  private size = 0;

  varintField(field: number, value: number | bigint): this {
    this.tag(field, WIRE_VARINT);
    this.rawVarint(value);
    return this;
  }

  /** int64/int32 fields: negative values take ten bytes (two's complement over 64 bits). */
  int64Field(field: number, value: number | bigint): this {
    const v = typeof value === 'bigint' ? value : BigInt(value);
    return this.varintField(field, BigInt.asUintN(64, v));
  }

  stringField(field: number, value: string): this {
    return this.bytesField(field, new TextEncoder().encode(value));
  }

  bytesField(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_LENGTH);
    this.rawVarint(value.length);
    this.push(value);
    return this;
  }

  floatField(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.push(b);
    return this;
  }

  doubleField(field: number, value: number): this {
    this.tag(field, WIRE_FIXED64);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, value, true);
    this.push(b);
    return this;
  }

  packedFloats(field: number, values: ArrayLike<number>): this {
    const b = new Uint8Array(values.length * 4);
    const dv = new DataView(b.buffer);
    for (let i = 0; i < values.length; i++) dv.setFloat32(i * 4, values[i] as number, true);
    return this.bytesField(field, b);
  }

  packedInt64s(field: number, values: ArrayLike<number>): this {
    const inner = new ProtoWriter();
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      // Non-negative values take the fast number path; negatives are two's complement over 64 bits.
      inner.rawVarint(v >= 0 ? v : BigInt.asUintN(64, BigInt(v)));
    }
    return this.bytesField(field, inner.finish());
  }

  /** Bytes already in wire format (a whole field copied from another message), appended as they are. */
  rawBytes(b: Uint8Array): this {
    this.push(b);
    return this;
  }

  messageField(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytesField(field, inner.finish());
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.size);
  }

  private tag(field: number, wireType: number): void {
    if (!Number.isInteger(field) || field < 1 || field > MAX_FIELD_NUMBER) throw new RangeError(`invalid field number ${field}`);
    this.rawVarint(field * 8 + wireType);
  }

  /** Unsigned varint; numbers must be non-negative safe integers, larger or negative values go as bigint. */
  rawVarint(value: number | bigint): void {
    this.reserve(10);
    if (typeof value === 'number') {
      if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`varint needs a non-negative integer, got ${value}`);
      let v = value;
      while (v >= 0x80) {
        this.buf[this.size++] = (v % 0x80) | 0x80;
        v = Math.floor(v / 0x80);
      }
      this.buf[this.size++] = v;
    } else {
      if (value < 0n || value >= 1n << 64n) throw new RangeError(`varint out of the uint64 range: ${value}`);
      let v = value;
      while (v >= 0x80n) {
        this.buf[this.size++] = Number(v & 0x7fn) | 0x80;
        v >>= 7n;
      }
      this.buf[this.size++] = Number(v);
    }
  }

  private push(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.size);
    this.size += b.length;
  }

  private reserve(n: number): void {
    if (this.size + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.size + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.size));
    this.buf = next;
  }
}
