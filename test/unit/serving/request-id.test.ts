/**
 * Request ids made by the serving process: UUIDv7 (RFC 9562), time-ordered so monitoring's index of
 * them grows at its end. Checked against the RFC's layout, for order, uniqueness and the request id
 * pattern the daemon accepts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REQUEST_ID_PATTERN } from '../../../schemas/src/monitoring';
import { uuidV7 } from '../../../daemon/src/serving/request-id';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('a UUIDv7 carries its millisecond, version 7 and the RFC variant', () => {
  const now = Date.UTC(2026, 11, 4, 17, 40, 0, 123);
  const id = uuidV7(now);
  assert.match(id, V7);
  assert.match(id, REQUEST_ID_PATTERN);
  assert.equal(parseInt(id.slice(0, 8) + id.slice(9, 13), 16), now, 'the first 48 bits are the Unix time in ms');
});

test('ids sort in the order they were made, within a millisecond too, and do not repeat', () => {
  const ids: string[] = [];
  const start = Date.now();
  for (let i = 0; i < 20_000; i++) ids.push(uuidV7(start + Math.floor(i / 1000)));
  assert.deepEqual([...ids].sort(), ids, 'lexical order is creation order (1,000 per millisecond)');
  assert.equal(new Set(ids).size, ids.length);
  assert.ok(ids.every((id) => V7.test(id)));
  const random = new Set(ids.map((id) => id.slice(19)));
  assert.ok(random.size > 19_990, 'the last 62 bits are random');
});
