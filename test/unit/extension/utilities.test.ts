import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cliShim, expandHome } from '../../../extension/src/cli-shim';
import { KeyedCoalescer, age, fmtBytes } from '../../../extension/src/util/coalesce';
import { Emitter } from '../../../extension/src/util/emitter';
import { errorMessage } from '../../../extension/src/util/errors';
import { Scope } from '../../../extension/src/util/scope';
import { ApiError } from '../../../client/src/client';

describe('KeyedCoalescer', () => {
  test('a burst of requests for one key costs one extra run, other keys run independently', async () => {
    const calls: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const c = new KeyedCoalescer(() => undefined);
    const work = (k: string) => async () => {
      calls.push(k);
      if (calls.length === 1) await gate;
    };
    const first = c.request('churn', work('churn'));
    for (let i = 0; i < 10; i++) void c.request('churn', work('churn'));
    await c.request('fraud', work('fraud'));
    release();
    await first;
    assert.deepEqual(calls, ['churn', 'fraud', 'churn']);
    assert.equal(c.busy, 0);
  });
  test('errors go to the handler with their key', async () => {
    const seen: string[] = [];
    await new KeyedCoalescer((k, e) => seen.push(`${k}:${(e as Error).message}`)).request('m', async () => {
      throw new Error('boom');
    });
    assert.deepEqual(seen, ['m:boom']);
  });
});

describe('Scope and Emitter', () => {
  test('disposes in reverse order, survives a failing disposable, and disposes late additions at once', () => {
    const order: string[] = [];
    const s = new Scope();
    s.add({ dispose: () => order.push('a') });
    s.add({
      dispose: () => {
        throw new Error('bad');
      },
    });
    s.add({ dispose: () => order.push('c') });
    assert.throws(() => s.dispose(), /1 disposable\(s\) failed/);
    assert.deepEqual(order, ['c', 'a']);
    s.add({ dispose: () => order.push('late') });
    assert.deepEqual(order, ['c', 'a', 'late']);
    s.reset();
    s.add({ dispose: () => order.push('next') });
    assert.equal(s.size, 1);
  });
  test('emitter delivers until the subscription is disposed', () => {
    const e = new Emitter<number>();
    const got: number[] = [];
    const sub = e.on((n) => got.push(n));
    e.fire(1);
    sub.dispose();
    e.fire(2);
    assert.deepEqual(got, [1]);
  });
});

describe('formatting and errors', () => {
  test('age and sizes', () => {
    const now = Date.parse('2026-01-02T00:00:00Z');
    assert.equal(age('2026-01-01T23:59:30Z', now), '30s ago');
    assert.equal(age('2026-01-01T00:00:00Z', now), '1 d ago');
    assert.equal(fmtBytes(512), '512 B');
    assert.equal(fmtBytes(5 * 1024 * 1024), '5.0 MB');
  });
  test('the daemon\'s own message and field issues reach the user', () => {
    assert.equal(errorMessage(new ApiError(409, 'conflict', 'model "churn" has no Production version')), 'model "churn" has no Production version');
    assert.equal(errorMessage(new ApiError(400, 'bad_request', 'invalid body', [{ path: 'body.stage', message: 'expected one of …' }])), 'invalid body (body.stage: expected one of …)');
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    assert.match(errorMessage(refused), /daemon is not reachable/);
  });
});

describe('CLI shim', () => {
  test('POSIX shim quotes paths and forwards arguments', () => {
    const s = cliShim('linux', "/opt/my node/bin/node", "/ext/it's/dist/cli.js");
    assert.equal(s.fileName, 'mlops');
    assert.match(s.content, /^#!\/bin\/sh\n/);
    assert.match(s.content, /exec '\/opt\/my node\/bin\/node' '\/ext\/it'\\''s\/dist\/cli\.js' "\$@"\n$/);
  });
  test('Windows shim is a .cmd', () => {
    assert.equal(cliShim('win32', 'node', 'C:\\ext\\cli.js').fileName, 'mlops.cmd');
  });
  test('expands ~', () => {
    assert.equal(expandHome('~/.local/bin', '/home/ana'), '/home/ana/.local/bin');
    assert.equal(expandHome('/usr/local/bin', '/home/ana'), '/usr/local/bin');
  });
});
