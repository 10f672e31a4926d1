/** pack/unpack (daemon/src/http/pack.ts): what the body worker sends back is the value it validated. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pack, unpack } from '../../../daemon/src/http/pack';

const clone = <T>(v: T): T => structuredClone(v);

test('long arrays of numbers (with nulls) and of strings round-trip; short and mixed ones stay as they are', async () => {
  const n = 5000;
  const value = {
    keys: Array.from({ length: n }, (_, i) => `k${i % 7}`),
    steps: Array.from({ length: n }, (_, i) => i),
    values: Array.from({ length: n }, (_, i) => (i % 11 === 0 ? null : Math.sin(i) * 1e300)),
    nested: { rows: [Array.from({ length: n }, (_, i) => -i / 3), ['a', 'b']], mixed: Array.from({ length: n }, (_, i) => (i % 2 ? 'x' : i)) },
    short: [1, null, 'x'],
    empty: [],
  };
  const { packed, transfer } = pack(clone(value));
  assert.equal(packed.arrays.length, 4, 'keys, steps, values and nested.rows[0] packed; mixed left alone');
  assert.equal(transfer.length, 4);
  const copy = structuredClone(packed, { transfer });
  assert.deepEqual(await unpack(copy), value);
});

test('a top-level array and a value without long arrays round-trip', async () => {
  const top = Array.from({ length: 2000 }, (_, i) => i * 0.5);
  assert.deepEqual(await unpack(pack(clone(top)).packed), top);
  const small = { a: 1, b: ['x'], c: { d: null } };
  const p = pack(clone(small)).packed;
  assert.equal(p.arrays.length, 0);
  assert.deepEqual(await unpack(p), small);
});
