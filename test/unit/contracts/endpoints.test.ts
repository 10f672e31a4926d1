/**
 * Every endpoint is declared once in schemas/ and the daemon serves exactly the declared ones;
 * no product file outside schemas/ spells an endpoint's path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DaemonApp } from '../../../daemon/src/app';
import { silentLogger } from '../../../daemon/src/util/logger';
import { isEndpoint, pathParams, type Endpoint } from '../../../schemas/src/endpoint';
import { tempProject } from '../../helpers';

const root = join(__dirname, '..', '..', '..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? tsFiles(p) : name.endsWith('.ts') ? [p] : [];
  });
}

/** Every endpoint exported by any module under schemas/src, wherever it is declared. */
async function declaredEndpoints(): Promise<Map<Endpoint, string>> {
  const found = new Map<Endpoint, string>();
  for (const file of tsFiles(join(root, 'schemas', 'src'))) {
    const mod = (await import(file)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(mod)) {
      if (isEndpoint(value) && !found.has(value)) found.set(value, `${relative(root, file)}:${name}`);
    }
  }
  return found;
}

const key = (e: Endpoint): string => `${e.method} ${e.path}`;

test('every route the daemon serves is declared in schemas/, and every declared endpoint is served', async () => {
  const declared = await declaredEndpoints();
  assert.ok(declared.size >= 30, `expected the existing endpoints to be declared, found ${declared.size}`);
  const p = tempProject();
  mkdirSync(join(p.root, '.mlops'), { recursive: true });
  const app = new DaemonApp({ root: p.root, token: 'x'.repeat(64), log: silentLogger });
  try {
    const served = app.routes().map((r) => r.endpoint);
    for (const ep of served) assert.ok(declared.has(ep), `${key(ep)} is served but not declared in schemas/src`);
    const servedSet = new Set(served);
    for (const [ep, where] of declared) assert.ok(servedSet.has(ep), `${key(ep)} (${where}) is declared but not served`);
    assert.equal(new Set(served.map(key)).size, served.length, 'two routes share a method and path');
  } finally {
    await app.close();
    await p.cleanup();
  }
});

test('declarations are well formed: unique method and path, path parameters match the params schema', async () => {
  const declared = [...(await declaredEndpoints()).keys()];
  assert.equal(new Set(declared.map(key)).size, declared.length, 'two declarations share a method and path');
  for (const ep of declared) {
    assert.match(ep.path, /^\/[a-z0-9/:_-]*$/, `${key(ep)}: a path is lowercase below the API prefix`);
    const shape = (ep.params as { shape?: Record<string, unknown> } | undefined)?.shape ?? {};
    assert.deepEqual(Object.keys(shape).sort(), pathParams(ep.path).sort(), `${key(ep)}: params schema and :names disagree`);
  }
});

test('no product file outside schemas/ spells an endpoint path', async () => {
  const declared = [...(await declaredEndpoints()).keys()];
  // The literal start of each path, up to its first parameter: '/models', '/runs/compare', '/gc' ...
  const heads = [...new Set(declared.map((e) => e.path.split('/:')[0] ?? e.path))].filter((h) => h.length > 1);
  const escaped = heads.map((h) => h.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|');
  const spelled = new RegExp(`["'\`](?:/api/v1)?(?:${escaped})(?:/|["'\`?$])`);
  for (const sample of ["c.call('GET', '/runs/compare')", 'path: `/api/v1/models/${name}`', "'/gc'"]) assert.match(sample, spelled);
  const files = execFileSync('git', ['ls-files', '*.ts'], { cwd: root, encoding: 'utf8' })
    .split('\n')
    .filter((f) => f && !/^(test|bench|scripts|examples|schemas)\//.test(f) && !f.endsWith('.test.ts'));
  const offenders = files.filter((f) => {
    try {
      return readFileSync(join(root, f), 'utf8').split('\n').some((line) => spelled.test(line));
    } catch {
      return false;
    }
  });
  assert.deepEqual(offenders, [], `declare endpoints in schemas/src/endpoints/ and call them with request(endpoint, input)`);
});
