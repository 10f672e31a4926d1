import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mlopsConfigSchema, mlopsJsonSchema } from '../../../schemas/src/mlops-yaml';

test('schemas/mlops.schema.json is what the zod schema generates (run `npm run build` when this fails)', () => {
  const committed = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'schemas', 'mlops.schema.json'), 'utf8')) as unknown;
  assert.deepEqual(committed, mlopsJsonSchema());
});

test('the generated JSON Schema refuses unknown top-level keys and documents fields', () => {
  const s = mlopsJsonSchema() as { additionalProperties?: boolean; properties: Record<string, { description?: string }> };
  assert.equal(s.additionalProperties, false);
  assert.match(s.properties['retention']?.description ?? '', /model versions/);
});

test('mlops.yaml: defaults fill in, unknown keys are errors naming the path', () => {
  const ok = mlopsConfigSchema.parse({ project: { name: 'p' } });
  assert.equal(ok.retention.keep_versions, 10);
  assert.equal(ok.python.interpreter, 'python3');
  const bad = mlopsConfigSchema.safeParse({ project: { name: 'p' }, retention: { keep: 3 } });
  assert.equal(bad.success, false);
  assert.deepEqual(bad.error?.issues[0]?.path, ['retention']);
  assert.match(bad.error?.issues[0]?.message ?? '', /keep/);
});

test('dataset paths must stay inside the project; feature ranges must be ordered', () => {
  const withPath = (p: string) => mlopsConfigSchema.safeParse({ project: { name: 'p' }, data: { d: { paths: [p] } } });
  for (const bad of ['/home/ana/train.csv', '~/train.csv', 'C:\\data\\x.csv', '../x.csv', 'data/../../x']) {
    const r = withPath(bad);
    assert.equal(r.success, false, bad);
    assert.deepEqual(r.error?.issues[0]?.path, ['data', 'd', 'paths', 0]);
  }
  for (const ok of ['data/*.csv', './data/x.csv', 'data/**/part-?.parquet']) assert.equal(withPath(ok).success, true, ok);
  const r = mlopsConfigSchema.safeParse({
    project: { name: 'p' },
    models: { m: { task: 'regression', signature: { inputs: [{ name: 'a', range: [5, 1] }] } } },
  });
  assert.match(r.error?.issues[0]?.message ?? '', /min ≤ max/);
});

test('docs/CONFIG.md is generated from the schema and up to date (run `npm run docs` when this fails)', async () => {
  const { renderConfigDocs } = await import('../../../scripts/config-docs');
  const committed = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'CONFIG.md'), 'utf8');
  assert.equal(committed, renderConfigDocs());
  assert.match(committed, /\| `retention\.keep_versions` \| integer \(≥ 1\) \|/);
});
