/**
 * Bad input on every route of the real daemon: missing, extra and wrong-typed fields, unknown entities,
 * oversize bodies, traversal in names, missing or wrong tokens, foreign Host headers and wrong methods.
 * Each must get the right status, an error body naming the problem (the field path for 400s), and
 * leave the store exactly as it was (same event log, same rows).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorResponse } from '../../../schemas/src/errors';
import {
  configYaml,
  rawRequest,
  snapshot,
  startDaemon,
  tempProject,
  writeLinearOnnx,
  type RawResponse,
  type RunningDaemon,
  type TempProject,
} from '../../helpers';
import * as endpoints from '../../../schemas/src/endpoints';

let project: TempProject;
let daemon: RunningDaemon;
let onnxFile = '';
let garbageFile = '';

before(async () => {
  project = tempProject({ config: configYaml({ keepVersions: 100 }) });
  daemon = await startDaemon(project.root);
  onnxFile = writeLinearOnnx(join(project.root, 'm.onnx'), { features: 3 });
  garbageFile = join(project.root, 'garbage.onnx');
  writeFileSync(garbageFile, 'this is not an ONNX model, just text pretending\n'.repeat(20));
  const c = daemon.client;
  await c.register('churn', { artifact_path: onnxFile });
  await c.register('churn', { artifact_path: writeLinearOnnx(join(project.root, 'm2.onnx'), { features: 3, seed: 2 }) });
  await c.request(endpoints.setStage, { params: { name: 'churn', version: 1 }, body: { stage: 'Production' } });
  await c.request(endpoints.setAlias, { params: { name: 'churn', alias: 'champ' }, body: { version: 1 } });
  await c.register('nohist', { artifact_path: onnxFile });
});

after(async () => {
  await daemon?.stop();
  await project?.cleanup();
});

interface Case {
  name: string;
  method: string;
  path: string;
  body?: unknown;
  /** Raw body text, sent as is (for invalid JSON). */
  rawBody?: string;
  headers?: Record<string, string>;
  status: number;
  code?: string;
  /** Substrings the error message must contain (field paths, names). */
  mentions?: string[];
  /** A field path that must appear among `error.issues`. */
  issue?: string;
}

async function send(c: Pick<Case, 'method' | 'path' | 'body' | 'rawBody' | 'headers'>): Promise<RawResponse> {
  const body = c.rawBody ?? (c.body === undefined ? undefined : JSON.stringify(c.body));
  return rawRequest({
    port: daemon.info.port,
    method: c.method,
    path: `/api/v1${c.path}`,
    headers: { Authorization: `Bearer ${daemon.info.token}`, ...(c.headers ?? {}) },
    ...(body === undefined ? {} : { body }),
  });
}

function assertError(res: RawResponse, c: Omit<Case, 'method' | 'path' | 'name'>): void {
  assert.equal(res.status, c.status, `status: ${res.text}`);
  const parsed = errorResponse.safeParse(res.json);
  assert.ok(parsed.success, `the error body follows the error contract: ${res.text}`);
  const err = parsed.data.error;
  assert.equal(err.status, c.status);
  if (c.code) assert.equal(err.code, c.code, err.message);
  for (const m of c.mentions ?? []) assert.ok(err.message.includes(m), `message "${err.message}" should mention "${m}"`);
  if (c.issue) {
    const paths = (err.issues ?? []).map((i) => i.path);
    assert.ok(paths.includes(c.issue), `issues ${JSON.stringify(paths)} should include ${c.issue}`);
  }
}

/** Runs a request and checks both the answer and that the store did not change. */
async function expectRefused(c: Case): Promise<void> {
  const before = snapshot(project.root);
  const res = await send(c);
  assertError(res, c);
  assert.deepEqual(snapshot(project.root), before, 'nothing was written');
}


/** Every route with a request that would succeed (and write, for changes) if the guards let it through. */
function everyRoute(): Pick<Case, 'method' | 'path' | 'body'>[] {
  return [
    { method: 'GET', path: '/status' },
    { method: 'POST', path: '/daemon/stop' },
    { method: 'GET', path: '/events/log' },
    { method: 'GET', path: '/events' },
    { method: 'GET', path: '/models' },
    { method: 'GET', path: '/models/churn' },
    { method: 'POST', path: '/models/churn/versions', body: { artifact_sha256: 'a'.repeat(64) } },
    { method: 'GET', path: '/models/churn/versions/1' },
    { method: 'POST', path: '/models/churn/versions/2/stage', body: { stage: 'Staging' } },
    { method: 'PUT', path: '/models/churn/aliases/champ', body: { version: 2 } },
    { method: 'DELETE', path: '/models/churn/aliases/champ' },
    { method: 'POST', path: '/models/churn/rollback', body: {} },
  ];
}

describe('authentication and Host checks on every route', () => {
  test('no token, a wrong token, another scheme: 401; a foreign Host: 403', async () => {
    for (const r of everyRoute()) {
      const label = `${r.method} ${r.path}`;
      const noToken = { ...r, headers: { Authorization: '' } };
      await expectRefused({ ...noToken, name: label, status: 401, code: 'unauthorized', mentions: ['token'] });
      const wrong = { ...r, headers: { Authorization: `Bearer ${'0'.repeat(64)}` } };
      await expectRefused({ ...wrong, name: label, status: 401, code: 'unauthorized' });
      const basic = { ...r, headers: { Authorization: `Basic ${Buffer.from(`x:${daemon.info.token}`).toString('base64')}` } };
      await expectRefused({ ...basic, name: label, status: 401, code: 'unauthorized' });
      for (const host of ['evil.example', `localhost.evil.example:${daemon.info.port}`, `127.0.0.1.nip.io:${daemon.info.port}`]) {
        await expectRefused({ ...r, name: label, headers: { Host: host }, status: 403, code: 'forbidden_host', mentions: [host] });
      }
    }
  });

  test('the loopback names are accepted as Host', async () => {
    for (const host of [`127.0.0.1:${daemon.info.port}`, `localhost:${daemon.info.port}`, `[::1]:${daemon.info.port}`, 'localhost']) {
      const res = await send({ method: 'GET', path: '/status', headers: { Host: host } });
      assert.equal(res.status, 200, `Host ${host}: ${res.text}`);
    }
  });
});

describe('wrong methods and unknown routes', () => {
  const cases: [string, string, string][] = [
    ['DELETE', '/status', 'GET'],
    ['GET', '/daemon/stop', 'POST'],
    ['POST', '/events/log', 'GET'],
    ['POST', '/events', 'GET'],
    ['PUT', '/models', 'GET'],
    ['POST', '/models/churn', 'GET'],
    ['GET', '/models/churn/versions', 'POST'],
    ['DELETE', '/models/churn/versions/1', 'GET'],
    ['GET', '/models/churn/versions/1/stage', 'POST'],
    ['GET', '/models/churn/aliases/champ', 'PUT'],
    ['GET', '/models/churn/rollback', 'POST'],
  ];
  for (const [method, path, allowed] of cases) {
    test(`${method} ${path}: 405 naming ${allowed}`, async () => {
      const before = snapshot(project.root);
      const res = await send({ method, path });
      assertError(res, { status: 405, code: 'method_not_allowed', mentions: [allowed] });
      assert.ok(String(res.headers['allow']).includes(allowed), `Allow header: ${String(res.headers['allow'])}`);
      assert.deepEqual(snapshot(project.root), before);
    });
  }
  test('unknown paths: 404', async () => {
    await expectRefused({ name: 'nope', method: 'GET', path: '/nope', status: 404, code: 'no_route', mentions: ['/api/v1/nope'] });
    const res = await rawRequest({ port: daemon.info.port, method: 'GET', path: '/status', headers: { Authorization: `Bearer ${daemon.info.token}` } });
    assert.equal(res.status, 404);
  });
});

const queryCases: Case[] = [
  { name: 'limit 0', method: 'GET', path: '/models?limit=0', status: 400, issue: 'query.limit', mentions: ['query.limit'] },
  { name: 'limit not a number', method: 'GET', path: '/models?limit=abc', status: 400, issue: 'query.limit' },
  { name: 'limit too large', method: 'GET', path: '/models?limit=5000', status: 400, issue: 'query.limit' },
  { name: 'limit fractional', method: 'GET', path: '/models/churn?limit=1.5', status: 400, issue: 'query.limit' },
  { name: 'unknown query key', method: 'GET', path: '/models?bogus=1', status: 400, mentions: ['bogus'] },
  { name: 'events after not a number', method: 'GET', path: '/events/log?after=x', status: 400, issue: 'query.after' },
  { name: 'events limit 0', method: 'GET', path: '/events/log?limit=0', status: 400, issue: 'query.limit' },
  { name: 'events unknown key', method: 'GET', path: '/events/log?extra=1', status: 400, mentions: ['extra'] },
  { name: 'stream after negative', method: 'GET', path: '/events?after=-5', status: 400, issue: 'query.after' },
  { name: 'stream unknown key', method: 'GET', path: '/events?bogus=1', status: 400, mentions: ['bogus'] },
  { name: 'alias delete unknown key', method: 'DELETE', path: '/models/churn/aliases/champ?bogus=1', status: 400, mentions: ['bogus'] },
  { name: 'a body on a GET', method: 'GET', path: '/models', body: { limit: 3 }, status: 400, mentions: ['body'] },
  { name: 'a body on stop', method: 'POST', path: '/daemon/stop', body: { now: true }, status: 400, mentions: ['body'] },
];

const registerCases: Case[] = [
  { name: 'missing artifact_sha256', method: 'POST', path: '/models/churn/versions', body: {}, status: 400, issue: 'body.artifact_sha256', mentions: ['body.artifact_sha256'] },
  { name: 'artifact_sha256 wrong type', method: 'POST', path: '/models/churn/versions', body: { artifact_sha256: 5 }, status: 400, issue: 'body.artifact_sha256' },
  { name: 'a path instead of uploaded content', method: 'POST', path: '/models/churn/versions', body: { artifact_path: '/etc/passwd' }, status: 400, mentions: ['artifact_path'] },
  { name: 'extra field', method: 'POST', path: '/models/churn/versions', body: { artifact_sha256: 'a'.repeat(64), stage: 'Production' }, status: 400, mentions: ['stage'] },
  { name: 'tags not an object', method: 'POST', path: '/models/churn/versions', body: { artifact_sha256: 'a'.repeat(64), tags: 'a=b' }, status: 400, issue: 'body.tags' },
  { name: 'metric not a number', method: 'POST', path: '/models/churn/versions', body: { artifact_sha256: 'a'.repeat(64), metrics: { auc: 'high' } }, status: 400, issue: 'body.metrics.auc' },
  { name: 'description wrong type', method: 'POST', path: '/models/churn/versions', body: { artifact_sha256: 'a'.repeat(64), description: 3 }, status: 400, issue: 'body.description' },
  { name: 'body is an array', method: 'POST', path: '/models/churn/versions', body: [], status: 400, mentions: ['body'] },
  { name: 'invalid JSON', method: 'POST', path: '/models/churn/versions', rawBody: '{"artifact_path": ', status: 400, code: 'bad_json', mentions: ['JSON'] },
  { name: 'not a hash', method: 'POST', path: '/models/churn/versions', body: { artifact_sha256: 'm.onnx' }, status: 400, issue: 'body.artifact_sha256' },
  { name: 'never uploaded', method: 'POST', path: '/models/churn/versions', body: { artifact_sha256: '0'.repeat(64) }, status: 400, mentions: ['body.artifact_sha256', 'upload'] },
  { name: 'name with traversal', method: 'POST', path: '/models/..%2F..%2Fetc/versions', body: { artifact_sha256: 'a'.repeat(64) }, status: 400, issue: 'path.name', mentions: ['path.name'] },
];

const entityCases: Case[] = [
  { name: 'unknown model', method: 'GET', path: '/models/ghost', status: 404, code: 'not_found', mentions: ['ghost'] },
  { name: 'unknown version', method: 'GET', path: '/models/churn/versions/99', status: 404, mentions: ['99', 'churn'] },
  { name: 'version not a number', method: 'GET', path: '/models/churn/versions/abc', status: 400, issue: 'path.version' },
  { name: 'version zero', method: 'GET', path: '/models/churn/versions/0', status: 400, issue: 'path.version' },
  { name: 'version fractional', method: 'GET', path: '/models/churn/versions/1.5', status: 400, issue: 'path.version' },
  { name: 'name with encoded slash', method: 'GET', path: '/models/a%2Fb', status: 400, issue: 'path.name' },
  { name: 'name with encoded traversal', method: 'GET', path: '/models/..%2Fx', status: 400, issue: 'path.name' },
  { name: 'name with backslash traversal', method: 'GET', path: '/models/..%5Cx', status: 400, issue: 'path.name' },
  { name: 'name starting with a dot', method: 'GET', path: '/models/.hidden', status: 400, issue: 'path.name' },
  { name: 'dot-dot segments are not a route', method: 'GET', path: '/models/%2e%2e', status: 404 },
  { name: 'dot-dot register is not a route', method: 'POST', path: '/models/../versions', body: { artifact_sha256: 'a'.repeat(64) }, status: 404 },
];

const stageCases: Case[] = [
  { name: 'missing stage', method: 'POST', path: '/models/churn/versions/2/stage', body: {}, status: 400, issue: 'body.stage' },
  { name: 'unknown stage', method: 'POST', path: '/models/churn/versions/2/stage', body: { stage: 'Prod' }, status: 400, issue: 'body.stage', mentions: ['body.stage'] },
  { name: 'reason wrong type', method: 'POST', path: '/models/churn/versions/2/stage', body: { stage: 'Staging', reason: 5 }, status: 400, issue: 'body.reason' },
  { name: 'extra field', method: 'POST', path: '/models/churn/versions/2/stage', body: { stage: 'Staging', archive: true }, status: 400, mentions: ['archive'] },
  { name: 'force wrong type', method: 'POST', path: '/models/churn/versions/2/stage', body: { stage: 'Production', force: 'yes' }, status: 400, issue: 'body.force' },
  { name: 'unknown model', method: 'POST', path: '/models/ghost/versions/1/stage', body: { stage: 'Staging' }, status: 404, mentions: ['ghost'] },
  { name: 'unknown version', method: 'POST', path: '/models/churn/versions/99/stage', body: { stage: 'Staging' }, status: 404, mentions: ['99'] },
];

/**
 * Routes that declare no query schema must still refuse unknown query keys ("every body and query checked
 * by its zod schema").
 */
const unexpectedQueryCases: Case[] = [
  { name: 'unexpected query on a change', method: 'POST', path: '/models/churn/versions/2/stage?bogus=1', body: { stage: 'Staging' }, status: 400, mentions: ['bogus'] },
  { name: 'unexpected query on rollback', method: 'POST', path: '/models/churn/rollback?to=1', body: {}, status: 400, mentions: ['to'] },
  { name: 'unexpected query on status', method: 'GET', path: '/status?bogus=1', status: 400, mentions: ['bogus'] },
];

const aliasCases: Case[] = [
  { name: 'alias starting with a digit', method: 'PUT', path: '/models/churn/aliases/1bad', body: { version: 1 }, status: 400, issue: 'path.alias' },
  { name: 'alias with encoded slash', method: 'PUT', path: '/models/churn/aliases/a%2F..', body: { version: 1 }, status: 400, issue: 'path.alias' },
  { name: 'missing version', method: 'PUT', path: '/models/churn/aliases/champ', body: {}, status: 400, issue: 'body.version' },
  { name: 'version as a string', method: 'PUT', path: '/models/churn/aliases/champ', body: { version: '2' }, status: 400, issue: 'body.version' },
  { name: 'negative version', method: 'PUT', path: '/models/churn/aliases/champ', body: { version: -2 }, status: 400, issue: 'body.version' },
  { name: 'unknown version', method: 'PUT', path: '/models/churn/aliases/champ', body: { version: 99 }, status: 404, mentions: ['99'] },
  { name: 'unknown model', method: 'PUT', path: '/models/ghost/aliases/champ', body: { version: 1 }, status: 404, mentions: ['ghost'] },
  { name: 'remove unknown alias', method: 'DELETE', path: '/models/churn/aliases/nobody', status: 404, mentions: ['nobody'] },
  { name: 'remove alias of unknown model', method: 'DELETE', path: '/models/ghost/aliases/champ', status: 404, mentions: ['ghost'] },
];

const rollbackCases: Case[] = [
  { name: 'extra field', method: 'POST', path: '/models/churn/rollback', body: { to: 1 }, status: 400, mentions: ['to'] },
  { name: 'reason wrong type', method: 'POST', path: '/models/churn/rollback', body: { reason: [] }, status: 400, issue: 'body.reason' },
  { name: 'unknown model', method: 'POST', path: '/models/ghost/rollback', body: {}, status: 404, mentions: ['ghost'] },
  { name: 'no Production version', method: 'POST', path: '/models/nohist/rollback', body: {}, status: 409, code: 'conflict', mentions: ['nohist', 'no Production version'] },
  { name: 'no earlier Production version', method: 'POST', path: '/models/churn/rollback', body: {}, status: 409, code: 'conflict', mentions: ['churn', 'no earlier Production version'] },
];

for (const [group, cases] of [
  ['query and body shape', queryCases],
  ['POST /models/:name/versions', registerCases],
  ['models, versions and names', entityCases],
  ['POST /models/:name/versions/:version/stage', stageCases],
  ['aliases', aliasCases],
  ['POST /models/:name/rollback', rollbackCases],
  ['server: routes without a query schema refuse unknown query keys', unexpectedQueryCases],
] as const) {
  describe(group, () => {
    for (const c of cases) test(`${c.method} ${c.path}: ${c.name} → ${c.status}`, () => expectRefused(c));
  });
}

describe('artifacts and body size', () => {
  test('uploaded garbage is refused with 422 saying it is not ONNX', async () => {
    const up = await daemon.client.upload(garbageFile);
    await expectRefused({
      name: 'garbage',
      method: 'POST',
      path: '/models/churn/versions',
      body: { artifact_sha256: up.sha256 },
      status: 422,
      code: 'invalid_artifact',
      mentions: ['ONNX'],
    });
  });

  test('an oversize body is refused with 413, with or without Content-Length', async () => {
    const big = JSON.stringify({ artifact_path: onnxFile, description: 'x'.repeat(2 * 1024 * 1024) });
    for (const chunked of [false, true]) {
      const before = snapshot(project.root);
      const res = await rawRequest({
        port: daemon.info.port,
        method: 'POST',
        path: '/api/v1/models/churn/versions',
        headers: { Authorization: `Bearer ${daemon.info.token}` },
        body: big,
        chunked,
      });
      assertError(res, { status: 413, code: 'body_too_large', mentions: ['bytes'] });
      assert.deepEqual(snapshot(project.root), before, 'nothing was written');
    }
    const stage = JSON.stringify({ stage: 'Staging', reason: 'r'.repeat(1_500_000) });
    await expectRefused({ name: 'big reason', method: 'POST', path: '/models/churn/versions/2/stage', rawBody: stage, status: 413 });
  });

  test('the daemon still serves after all of this', async () => {
    const st = await daemon.client.request(endpoints.getStatus);
    assert.equal(st.pid, daemon.pid);
    assert.equal(st.counts.models, 2);
  });
});
