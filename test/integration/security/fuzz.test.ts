/**
 * A bounded fuzz and attack run on every `npm test` (loopback only; fixed counts, a time budget):
 * mutated requests against every declared endpoint and mutated ONNX files through upload and
 * registration. The daemon must answer every one with a declared 4xx/2xx, never a 500, and live on.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as endpoints from '../../../schemas/src/endpoints';
import { type Endpoint } from '../../../schemas/src/endpoint';
import { rawRequest, startDaemon, tempProject, writeLinearOnnx } from '../../helpers/index';

const REQUESTS = 2000;
const ONNX_FILES = 200;
const BUDGET_MS = 60_000;

/** A small deterministic generator, so a failure can be replayed from its seed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const NASTY: unknown[] = [null, -1, 1e308, '', '../..', '/etc/passwd', '\u0000', 'x'.repeat(5000), [], {}, { __proto__: 1 }, true, '%2e%2e', '\u001b[2J'];

function mutate(r: () => number, v: unknown, depth = 0): unknown {
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)] as T;
  if (depth > 3 || r() < 0.3) return pick(NASTY);
  if (Array.isArray(v)) return v.map((x) => mutate(r, x, depth + 1));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [r() < 0.1 ? pick(['__proto__', 'constructor', '', k + '!']) : k, mutate(r, x, depth + 1)]));
  return pick(NASTY);
}

function pathFor(r: () => number, ep: Endpoint): string {
  const seg = ['churn', '1', '..', '%2F', 'x'.repeat(300), 'a%20b', '0', '-1', '%00', 'raw'];
  return '/api/v1' + ep.path.split('/').map((s) => (s.startsWith(':') ? seg[Math.floor(r() * seg.length)] : s)).join('/');
}

const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

test(`fuzz: ${REQUESTS} mutated requests and ${ONNX_FILES} mutated ONNX files, no 500 and the daemon lives`, async () => {
  const p = tempProject({ prefix: 'mlops-fuzz-', config: 'version: 1\nproject:\n  name: fuzz\ndata:\n  raw:\n    paths: [data]\n' });
  cleanups.push(() => p.cleanup());
  const d = await startDaemon(p.root);
  cleanups.push(() => d.stop());
  const eps = (Object.values(endpoints) as unknown[]).filter((e): e is Endpoint => typeof e === 'object' && e !== null && 'path' in e && 'kind' in e);
  const skip = new Set(['/daemon/stop', '/events']);
  const r = rng(11);
  const start = Date.now();
  const failures: string[] = [];
  let sent = 0;
  for (; sent < REQUESTS && Date.now() - start < BUDGET_MS / 2; sent++) {
    const ep = eps[Math.floor(r() * eps.length)] as Endpoint;
    if (skip.has(ep.path)) continue;
    const body = JSON.stringify(mutate(r, { version: 1, reason: 'x', experiment: 'e', params: { a: 1 }, keys: ['k'], steps: [0], timestamps: [0], values: [1] }));
    const res = await rawRequest({ port: d.info.port, method: ep.method, path: pathFor(r, ep), headers: { Authorization: `${r() < 0.5 ? 'Bearer' : 'bearer'} ${d.info.token}` }, body: ep.method === 'GET' ? undefined : body });
    if (res.status >= 500) failures.push(`${ep.method} ${ep.path} ${body.slice(0, 200)} → ${res.status} ${res.text.slice(0, 200)}`);
  }
  const model = readFileSync(writeLinearOnnx(join(p.root, 'm.onnx'), { features: 3 }));
  let onnx = 0;
  for (; onnx < ONNX_FILES && Date.now() - start < BUDGET_MS; onnx++) {
    const bytes = Buffer.from(model);
    for (let k = 0; k < 1 + Math.floor(r() * 8); k++) bytes[Math.floor(r() * bytes.length)] = Math.floor(r() * 256);
    const file = join(p.root, 'mutated.onnx');
    writeFileSync(file, r() < 0.1 ? bytes.subarray(0, Math.floor(r() * bytes.length)) : bytes);
    try {
      await d.client.register('fuzzed', { artifact_path: file });
    } catch (e) {
      const status = (e as { status?: number }).status ?? 0;
      if (status >= 500 || status === 0) failures.push(`onnx #${onnx}: ${String(e)}`);
    }
  }
  assert.deepEqual(failures, []);
  assert.ok(sent >= 500 && onnx >= 50, `ran ${sent} requests and ${onnx} ONNX files within the budget`);
  assert.equal((await d.client.request(endpoints.getStatus)).pid, d.pid, 'the daemon still serves');
});
