/** `mlops/convertNotebook` as the language server answers it: a dry run proposes, a real one writes. */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { initPython } from '../../../language-server/src/python';
import { convertRequest } from '../../../language-server/src/convert-request';

before(async () => {
  await initPython();
});

test('a dry run answers the plan and writes nothing; then the real request writes the scripts and merges mlops.yaml', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-convert-lsp-'));
  try {
    writeFileSync(join(dir, 'mlops.yaml'), 'version: 1\nproject:\n  name: lsp\n');
    copyFileSync(join(__dirname, '..', '..', 'fixtures', 'notebooks', 'rebind.ipynb'), join(dir, 'rebind.ipynb'));
    const uri = pathToFileURL(join(dir, 'rebind.ipynb')).href;
    const dry = convertRequest({ uri, dry_run: true });
    assert.deepEqual(dry.plan?.stages.map((s) => s.name), ['first', 'second', 'third']);
    assert.deepEqual(dry.written, []);
    assert.equal(existsSync(join(dir, 'pipeline')), false);
    const done = convertRequest({ uri, dry_run: false });
    assert.equal(done.error, undefined);
    assert.equal(done.config, pathToFileURL(join(dir, 'mlops.yaml')).href);
    assert.ok(done.written.includes('pipeline/01_first.py'));
    assert.deepEqual(Object.keys(parse(readFileSync(join(dir, 'mlops.yaml'), 'utf8')).pipeline.stages), ['first', 'second', 'third']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bad request or a missing file is answered with an error, not thrown', () => {
  assert.match(convertRequest({ uri: 3 }).error ?? '', /bad mlops\/convertNotebook request/);
  assert.match(convertRequest({ uri: 'file:///nonexistent/x.ipynb', dry_run: true }).error ?? '', /no such notebook/);
});
