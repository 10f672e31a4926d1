/** The HTTP layer in-process: Host check, router matching, and the server's own contract checks. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { z } from 'zod';
import { Router, serve } from '../../../daemon/src/http/router';
import { defineEndpoint } from '../../../schemas/src/endpoint';
import { createApiServer } from '../../../daemon/src/http/server';
import { isLoopbackHost } from '../../../daemon/src/http/wire';
import { silentLogger } from '../../../daemon/src/util/logger';
import { rawRequest } from '../../helpers/http';

describe('isLoopbackHost', () => {
  const cases: [string | undefined, boolean][] = [
    ['127.0.0.1', true],
    ['127.0.0.1:8080', true],
    ['localhost', true],
    ['LOCALHOST:1', true],
    ['[::1]:9', true],
    [undefined, false],
    ['', false],
    ['evil.example', false],
    ['localhost.evil.example', false],
    ['127.0.0.1.nip.io', false],
    ['127.0.0.1@evil.example', false],
    ['localhost:80:80', false],
    ['[::2]:9', false],
    ['0.0.0.0', false],
  ];
  for (const [host, ok] of cases) test(`${JSON.stringify(host)} → ${ok}`, () => assert.equal(isLoopbackHost(host), ok));
});

const ok = z.object({ ok: z.literal(true) });
const thing = z.object({ name: z.string().regex(/^[a-z]+$/) });
const routes = [
  serve(defineEndpoint({ method: 'GET', path: '/things/:name', params: thing, response: ok }), () => ({ ok: true as const })),
  serve(defineEndpoint({ method: 'DELETE', path: '/things/:name', params: thing, response: ok }), () => ({ ok: true as const })),
  serve(defineEndpoint({ method: 'POST', path: '/echo', body: z.object({ n: z.number().int() }).strict(), response: z.object({ n: z.number() }) }), ({ body }) => ({ n: body.n })),
  serve(defineEndpoint({ method: 'GET', path: '/broken', response: ok }), () => ({ ok: 'yes' }) as unknown as { ok: true }),
  serve(defineEndpoint({ method: 'GET', path: '/throws', response: ok }), () => {
    throw new Error('boom');
  }),
];

describe('Router', () => {
  const router = new Router(routes);
  test('matches, decodes parameters, and lists allowed methods when only the path matches', () => {
    const m = router.match('GET', '/api/v1/things/a%20b');
    assert.deepEqual(m.params, { name: 'a b' });
    const wrong = router.match('PUT', '/api/v1/things/x');
    assert.equal(wrong.route, undefined);
    assert.deepEqual(wrong.allowed.sort(), ['DELETE', 'GET']);
    assert.deepEqual(router.match('GET', '/api/v1/nothing').allowed, []);
  });
  test('a parameter never spans a slash, and regex characters in paths are literal', () => {
    assert.equal(router.match('GET', '/api/v1/things/a/b').route, undefined);
    assert.equal(router.match('POST', '/api/v1/echoX').route, undefined);
  });
});

describe('createApiServer', () => {
  let server: Server;
  let port = 0;
  const token = 'a'.repeat(64);
  before(async () => {
    server = createApiServer({ router: new Router(routes), token, log: silentLogger });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));
  const call = (method: string, path: string, body?: string) =>
    rawRequest({ port, method, path: `/api/v1${path}`, headers: { Authorization: `Bearer ${token}` }, ...(body === undefined ? {} : { body }) });
  const error = (j: unknown) => (j as { error: { code: string; message: string; issues?: { path: string }[] } }).error;

  test('a response that breaks its contract becomes a 500, never an off-contract body', async () => {
    const r = await call('GET', '/broken');
    assert.equal(r.status, 500);
    assert.equal(error(r.json).code, 'invalid_response');
  });

  test('a handler that throws gives a 500 with a message, and the server keeps serving', async () => {
    const r = await call('GET', '/throws');
    assert.equal(r.status, 500);
    assert.match(error(r.json).message, /boom/);
    assert.equal((await call('GET', '/things/abc')).status, 200);
  });

  test('400s name the field path: params, body, and unknown keys', async () => {
    const p = await call('GET', '/things/ABC');
    assert.equal(p.status, 400);
    assert.deepEqual(error(p.json).issues?.map((i) => i.path), ['path.name']);
    const b = await call('POST', '/echo', JSON.stringify({ n: 1.5 }));
    assert.deepEqual(error(b.json).issues?.map((i) => i.path), ['body.n']);
    const x = await call('POST', '/echo', JSON.stringify({ n: 1, m: 2 }));
    assert.equal(x.status, 400);
    assert.match(error(x.json).message, /"m"/);
  });

  test('a body exactly at the limit is read; one byte more is 413', async () => {
    const pad = (size: number): string => {
      const head = '{"n":1}';
      return head + ' '.repeat(size - head.length);
    };
    assert.equal((await call('POST', '/echo', pad(1 << 20))).status, 200);
    assert.equal((await call('POST', '/echo', pad((1 << 20) + 1))).status, 413);
  });
});
