import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtoReader, ProtoWriter, ProtobufError, WIRE_FIXED32, WIRE_LENGTH, WIRE_VARINT } from '../../../daemon/src/onnx/protobuf';

function readAll(bytes: Uint8Array): { field: number; wire: number; value: unknown }[] {
  const r = new ProtoReader(bytes);
  const out: { field: number; wire: number; value: unknown }[] = [];
  while (!r.eof()) {
    const tag = r.readTag();
    if (tag.wireType === WIRE_VARINT) out.push({ field: tag.field, wire: tag.wireType, value: r.readVarintBig() });
    else if (tag.wireType === WIRE_LENGTH) out.push({ field: tag.field, wire: tag.wireType, value: r.readBytes() });
    else {
      r.skip(tag);
      out.push({ field: tag.field, wire: tag.wireType, value: null });
    }
  }
  return out;
}

describe('protobuf writer/reader round trips', () => {
  test('unsigned varints across byte boundaries, as numbers and bigints', () => {
    const values = [0, 1, 127, 128, 300, 16_383, 16_384, 2 ** 31, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER];
    const w = new ProtoWriter();
    values.forEach((v, i) => w.varintField(i + 1, v));
    w.varintField(99, (1n << 64n) - 1n);
    const r = new ProtoReader(w.finish());
    for (let i = 0; i < values.length; i++) {
      const tag = r.readTag();
      assert.deepEqual([tag.field, tag.wireType], [i + 1, WIRE_VARINT]);
      assert.equal(r.readVarint(), values[i]);
    }
    assert.equal(r.readTag().field, 99);
    assert.equal(r.readVarintBig(), (1n << 64n) - 1n);
    assert.ok(r.eof());
  });

  test('known encodings: 300 is ac 02, field 1 varint tag is 08', () => {
    assert.deepEqual([...new ProtoWriter().varintField(1, 300).finish()], [0x08, 0xac, 0x02]);
    assert.deepEqual([...new ProtoWriter().stringField(2, 'hi').finish()], [0x12, 0x02, 0x68, 0x69]);
  });

  test('negative int64 takes ten bytes and reads back; int32 reads sign-extended values', () => {
    const w = new ProtoWriter().int64Field(1, -1).int64Field(2, -(2 ** 40)).int64Field(3, -7);
    const bytes = w.finish();
    assert.equal(bytes.length, 3 * 11);
    const r = new ProtoReader(bytes);
    r.readTag();
    assert.equal(r.readInt64(), -1);
    r.readTag();
    assert.equal(r.readInt64(), -(2 ** 40));
    r.readTag();
    assert.equal(r.readInt32(), -7);
  });

  test('strings (UTF-8), floats, doubles, packed and unpacked repeated scalars, nested messages', () => {
    const w = new ProtoWriter()
      .stringField(1, 'Grüße, 世界 🙂')
      .floatField(2, 1.5)
      .doubleField(3, Math.PI)
      .packedFloats(4, [0.25, -2, 3.5])
      .floatField(4, 7)
      .packedInt64s(5, [1, -2, 2 ** 40])
      .varintField(5, 9)
      .messageField(6, (m) => m.stringField(1, 'inner').messageField(2, (mm) => mm.varintField(3, 42)));
    const r = new ProtoReader(w.finish());
    r.readTag();
    assert.equal(r.readString(), 'Grüße, 世界 🙂');
    r.readTag();
    assert.equal(r.readFixed32Float(), 1.5);
    r.readTag();
    assert.equal(r.readFixed64Double(), Math.PI);
    const floats: number[] = [];
    r.readFloats(r.readTag(), floats);
    r.readFloats(r.readTag(), floats);
    assert.deepEqual(floats, [0.25, -2, 3.5, 7]);
    const ints: number[] = [];
    r.readInt64s(r.readTag(), ints);
    r.readInt64s(r.readTag(), ints);
    assert.deepEqual(ints, [1, -2, 2 ** 40, 9]);
    const tag = r.readTag();
    assert.equal(tag.wireType, WIRE_LENGTH);
    const inner = r.readMessage();
    inner.readTag();
    assert.equal(inner.readString(), 'inner');
    inner.readTag();
    const deeper = inner.readMessage();
    deeper.readTag();
    assert.equal(deeper.readVarint(), 42);
    assert.ok(deeper.eof() && inner.eof() && r.eof());
  });

});

describe('protobuf skipping and writer guards', () => {
  test('skip() passes over every supported wire type', () => {
    const w = new ProtoWriter().varintField(1, 5).doubleField(2, 1).stringField(3, 'x').floatField(4, 1).varintField(5, 77);
    const fields = readAll(w.finish());
    assert.deepEqual(
      fields.map((f) => f.field),
      [1, 2, 3, 4, 5],
    );
    assert.equal(fields[4]?.value, 77n);
    assert.equal(fields[3]?.wire, WIRE_FIXED32);
  });

  test('writer refuses invalid field numbers and negative plain varints', () => {
    assert.throws(() => new ProtoWriter().varintField(0, 1), /invalid field number 0/);
    assert.throws(() => new ProtoWriter().varintField(2 ** 29, 1), /invalid field number/);
    assert.throws(() => new ProtoWriter().varintField(1, -1), /non-negative integer/);
    assert.throws(() => new ProtoWriter().varintField(1, 1.5), /non-negative integer/);
  });
});

describe('protobuf reader on hostile input', () => {
  const fails = (bytes: number[], pattern: RegExp, read: (r: ProtoReader) => void = readAllFrom): void => {
    assert.throws(
      () => read(new ProtoReader(Uint8Array.from(bytes))),
      (e: unknown) => e instanceof ProtobufError && pattern.test(e.message),
    );
  };
  function readAllFrom(r: ProtoReader): void {
    while (!r.eof()) r.skip(r.readTag());
  }

  test('truncated varint, overlong varint', () => {
    fails([0x08, 0x80, 0x80], /truncated varint/);
    fails([0x08, ...new Array<number>(11).fill(0xff), 0x01], /longer than 10 bytes/);
  });

  test('length running past the end, including absurd lengths, allocates nothing and fails', () => {
    fails([0x0a, 0x05, 0x01], /length 5 runs past the end/);
    // 2^49: a hostile length must not be trusted for allocation.
    fails([0x0a, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], /runs past the end/);
  });

  test('truncated fixed32/fixed64', () => {
    fails([0x0d, 0x00, 0x00], /truncated: need 4 bytes/);
    fails([0x09, 0x00], /truncated: need 8 bytes/);
  });

  test('field number 0, groups and invalid wire types are rejected', () => {
    fails([0x00, 0x00], /invalid field number 0/);
    fails([0x0b], /group/);
    fails([0x0e], /invalid wire type 6/);
    fails([0x0f], /invalid wire type 7/);
  });

  test('invalid UTF-8 in a string field', () => {
    fails([0x0a, 0x02, 0xc3, 0x28], /not valid UTF-8/, (r) => {
      r.readTag();
      r.readString();
    });
  });

  test('packed floats whose length is not a multiple of 4', () => {
    fails([0x22, 0x03, 0, 0, 0], /multiple of 4/, (r) => r.readFloats(r.readTag(), []));
  });

  test('int64 beyond the safe integer range is an error, not a rounded number', () => {
    const bytes = new ProtoWriter().varintField(1, 1n << 60n).finish();
    fails([...bytes], /outside the safe integer range/, (r) => {
      r.readTag();
      r.readInt64();
    });
  });

  test('errors report the byte offset', () => {
    try {
      readAllFrom(new ProtoReader(Uint8Array.from([0x08, 0x01, 0x12, 0x09, 0x00])));
      assert.fail('expected an error');
    } catch (e) {
      assert.ok(e instanceof ProtobufError);
      assert.equal(e.offset, 3);
      assert.match(e.message, /at byte 3/);
    }
  });

  test('random bytes never hang and only ever raise ProtobufError', () => {
    let state = 12345;
    const rand = (): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state >>> 24;
    };
    let errors = 0;
    for (let n = 0; n < 500; n++) {
      const bytes = Uint8Array.from({ length: 1 + (n % 64) }, rand);
      try {
        readAll(bytes);
      } catch (e) {
        assert.ok(e instanceof ProtobufError, `unexpected ${String(e)}`);
        errors++;
      }
    }
    assert.ok(errors > 250, `only ${errors} of 500 random buffers were rejected`);
  });
});
