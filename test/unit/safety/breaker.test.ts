/** The circuit breaker's transitions, on an injected clock: throws, error rate, latency, probes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CircuitBreaker } from '../../../daemon/src/serving/breaker';

function breaker(over: Partial<ConstructorParameters<typeof CircuitBreaker>[0]> = {}) {
  let now = 0;
  const moves: string[] = [];
  const b = new CircuitBreaker({ window: 10, min_requests: 5, cooldown_ms: 1000, error_rate_max: 0.2, p95_ms: 100, ...over }, (s, r) => moves.push(`${s}: ${r}`), () => now);
  return { b, moves, tick: (ms: number) => (now += ms) };
}

test('a throw opens it; during the cool-down everything falls back; one probe at a time; success closes', () => {
  const { b, moves, tick } = breaker();
  assert.equal(b.admit(), 'model');
  b.failure('out of bounds', 'model');
  assert.equal(b.state, 'open');
  assert.equal(b.admit(), 'fallback');
  tick(1000);
  assert.equal(b.admit(), 'probe');
  assert.equal(b.state, 'half_open');
  assert.equal(b.admit(), 'fallback', 'only one probe in flight');
  b.success(5, 'probe');
  assert.equal(b.state, 'closed');
  assert.deepEqual(moves, ['open: the model threw: out of bounds', 'half_open: probing the model after a 1000 ms cool-down', 'closed: the probe succeeded in 5.0 ms']);
});

test('a failed or slow probe opens it again for another cool-down; a probe refused before the model is released', () => {
  const { b, tick } = breaker();
  b.failure('x', 'model');
  tick(1000);
  assert.equal(b.admit(), 'probe');
  b.release('probe');
  assert.equal(b.admit(), 'probe', 'a refused probe lets the next request probe');
  b.success(250, 'probe');
  assert.equal(b.state, 'open');
  assert.match(b.reason, /probe took 250\.0 ms, over the 100 ms threshold/);
  assert.equal(b.admit(), 'fallback');
  tick(1000);
  assert.equal(b.admit(), 'probe');
  b.failure('still broken', 'probe');
  assert.equal(b.state, 'open');
});

test('p95 latency over the window opens it, but only after min_requests', () => {
  const { b } = breaker();
  for (let i = 0; i < 4; i++) b.success(500, 'model');
  assert.equal(b.state, 'closed', 'fewer than min_requests');
  b.success(500, 'model');
  assert.equal(b.state, 'open');
  assert.match(b.reason, /p95 latency 500\.0 ms over the last 5 requests exceeds 100 ms/);
});

test('fast answers keep it closed; a new version closes an open breaker', () => {
  const { b } = breaker();
  for (let i = 0; i < 100; i++) b.success(3, 'model');
  assert.equal(b.state, 'closed');
  b.loadFailed('no such operator');
  assert.equal(b.state, 'open');
  b.reset('version 2 loaded');
  assert.deepEqual([b.state, b.reason], ['closed', 'version 2 loaded']);
});
