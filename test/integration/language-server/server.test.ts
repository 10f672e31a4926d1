/**
 * The real server process over LSP stdio: diagnostics for the version they were computed for,
 * completion, hover, symbols, quick fixes, hostile input, and `mlops lsp --stdio`.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient } from './lsp-client';

const root = join(__dirname, '..', '..', '..');
const serverJs = join(root, 'dist', 'language-server.js');
const cliJs = join(root, 'dist', 'cli.js');
let ws: string;
let uri: string;

const DOC = `version: 1
project:
  name: demo
params:
  train:
    lr: 0.1
models:
  churn:
    task: classification
    signature:
      inputs:
        - name: a
pipeline:
  stages:
    prep:
      cmd: python prep.py
      deps: [data/raw.csv, data/missing.csv]
      outs: [data/clean.csv]
    train:
      cmd: python train.py
      deps: [data/clean.csv]
      params: [train.lr]
deployments:
  web:
    model: churn
monitoring:
  latency:
    p95_ms: fast
`;

before(() => {
  if (!existsSync(serverJs)) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'build.ts')], { cwd: root, stdio: 'inherit' });
    assert.equal(r.status, 0, 'build failed');
  }
  ws = mkdtempSync(join(tmpdir(), 'mlops-ls-'));
  mkdirSync(join(ws, 'data'));
  writeFileSync(join(ws, 'data', 'raw.csv'), 'a\n1\n');
  writeFileSync(join(ws, 'mlops.yaml'), DOC);
  uri = pathToFileURL(join(ws, 'mlops.yaml')).href;
});

after(() => rmSync(ws, { recursive: true, force: true }));

async function started(cmd: string[]): Promise<LspClient> {
  const client = new LspClient(process.execPath, cmd, { cwd: ws });
  await client.initialize(pathToFileURL(ws).href);
  return client;
}

test('publishes exact diagnostics for the opened version, with files resolved in the workspace', async () => {
  const c = await started([serverJs, '--stdio']);
  try {
    const got = c.diagnostics(uri);
    await c.open(uri, DOC, 7);
    const p = await got;
    assert.equal(p.version, 7);
    const brief = p.diagnostics.map((d) => `${d.range.start.line}:${d.range.start.character}-${d.range.end.character} ${d.code} ${d.source}`).sort();
    assert.deepEqual(brief, ['16:27-43 unknown-dep mlops', '27:12-16 invalid-type mlops']);
    const msg = p.diagnostics.find((d) => d.code === 'invalid-type')?.message;
    assert.equal(msg, 'monitoring.latency.p95_ms: expected a positive number, got "fast"');
  } finally {
    await c.stop();
  }
});

test('edits re-validate; a burst of edits ends with diagnostics of the last version only', async () => {
  const c = await started([serverJs, '--stdio']);
  try {
    const first = c.diagnostics(uri);
    await c.open(uri, DOC, 1);
    await first;
    const fixed = c.diagnostics(uri, (p) => p.version === 2);
    await c.edit(uri, 2, { start: { line: 27, character: 12 }, end: { line: 27, character: 16 } }, '250');
    assert.deepEqual((await fixed).diagnostics.map((d) => d.code), ['unknown-dep']);
    const last = c.diagnostics(uri, (p) => p.version === 5);
    for (let v = 3; v <= 5; v++) await c.edit(uri, v, { start: { line: 27, character: 12 }, end: { line: 27, character: 15 } }, v === 5 ? 'oops' : `${v}00`);
    const p = await last;
    assert.equal(p.diagnostics.find((d) => d.code === 'invalid-type')?.message, 'monitoring.latency.p95_ms: expected a positive number, got "oops"');
    const versions = c.published.filter((x) => x.uri === uri).map((x) => x.version ?? -1);
    assert.deepEqual(versions, [...versions].sort((a, b) => a - b), 'versions published out of order');
  } finally {
    await c.stop();
  }
});

test('completion, hover, symbols and quick fixes over LSP', async () => {
  const c = await started([serverJs, '--stdio']);
  try {
    const text = DOC.replace('    model: churn', '    model: chrun\n    stage: Prod');
    const got = c.diagnostics(uri);
    await c.open(uri, text, 1);
    const p = await got;
    const stage = p.diagnostics.find((d) => d.code === 'invalid-value');
    assert.ok(stage, 'expected an invalid-value diagnostic');
    const actions = await c.request<{ title: string; edit: { changes: Record<string, { newText: string }[]> } }[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: stage.range,
      context: { diagnostics: [stage] },
    });
    assert.deepEqual(actions.map((a) => [a.title, a.edit.changes[uri]?.[0]?.newText]), [['Change to "Production"', 'Production']]);
    const items = await c.request<{ label: string }[]>('textDocument/completion', { textDocument: { uri }, position: { line: 24, character: 11 } });
    assert.deepEqual(items.map((i) => i.label), ['churn']);
    const hover = await c.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri }, position: { line: 2, character: 3 } });
    assert.match(hover.contents.value, /project\.name.*\n\nProject name, shown in the editor and CLI\./);
    const symbols = await c.request<{ name: string }[]>('textDocument/documentSymbol', { textDocument: { uri } });
    assert.deepEqual(symbols.map((s) => s.name), ['version', 'project', 'params', 'models', 'pipeline', 'deployments', 'monitoring']);
  } finally {
    await c.stop();
  }
});

test('unknown-dep warnings refresh when a watched file appears or a setting changes', async () => {
  const c = await started([serverJs, '--stdio']);
  const missing = join(ws, 'data', 'missing.csv');
  try {
    const first = c.diagnostics(uri);
    await c.open(uri, DOC, 1);
    assert.deepEqual((await first).diagnostics.map((d) => d.code).sort(), ['invalid-type', 'unknown-dep']);
    writeFileSync(missing, 'a\n');
    // Earlier publishes (the open, the settings read after `initialized`) may still arrive: wait for the refreshed one.
    const hasDep = (p: { diagnostics: { code?: string | number }[] }): boolean => p.diagnostics.some((d) => d.code === 'unknown-dep');
    const refreshed = c.diagnostics(uri, (p) => !hasDep(p), 5000);
    await c.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(missing).href, type: 1 }] });
    const after = await refreshed;
    assert.equal(after.version, 1);
    assert.deepEqual(after.diagnostics.map((d) => d.code), ['invalid-type']);
    rmSync(missing);
    const back = c.diagnostics(uri, hasDep, 5000);
    await c.conn.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    assert.deepEqual((await back).diagnostics.map((d) => d.code).sort(), ['invalid-type', 'unknown-dep']);
  } finally {
    rmSync(missing, { force: true });
    await c.stop();
  }
});

test('the server asks to watch file creations and deletions when the client allows it', async () => {
  const c = new LspClient(process.execPath, [serverJs, '--stdio'], { cwd: ws });
  const registered = new Promise<unknown>((resolve) => c.conn.onRequest('client/registerCapability', (p: unknown) => (resolve(p), null)));
  try {
    await c.conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(ws).href,
      capabilities: { workspace: { didChangeWatchedFiles: { dynamicRegistration: true } } },
    });
    await c.conn.sendNotification('initialized', {});
    const p = (await registered) as { registrations: { method: string; registerOptions: unknown }[] };
    assert.deepEqual(p.registrations.map((r) => [r.method, r.registerOptions]), [
      ['workspace/didChangeWatchedFiles', { watchers: [{ globPattern: '**/*', kind: 5 }] }],
    ]);
  } finally {
    await c.stop();
  }
});

test('a YAML bomb and deep nesting get a diagnostic and the server keeps answering', async () => {
  const c = await started([serverJs, '--stdio']);
  try {
    const bombUri = pathToFileURL(join(ws, 'bomb', 'mlops.yaml')).href;
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 8; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
    const bomb = c.diagnostics(bombUri);
    await c.open(bombUri, `params:\n  ${levels.join('\n  ')}\n`, 1);
    assert.deepEqual((await bomb).diagnostics.map((d) => d.code), ['alias-limit']);
    const deep = c.diagnostics(bombUri, (p) => p.version === 2);
    await c.replaceAll(bombUri, 2, `params: ${'['.repeat(50_000)}`);
    assert.deepEqual((await deep).diagnostics.map((d) => d.code), ['too-deep']);
    const ok = c.diagnostics(uri);
    await c.open(uri, DOC, 1);
    assert.equal((await ok).diagnostics.length, 2);
  } finally {
    await c.stop();
  }
});

test('`mlops lsp --stdio` serves the same diagnostics from the CLI bundle', async (t) => {
  const help = spawnSync(process.execPath, [cliJs, 'lsp', '--help'], { encoding: 'utf8' });
  if (help.status !== 0 || !help.stdout.includes('--stdio')) {
    t.skip('`lsp` is not registered in cli/src/commands/index.ts yet');
    return;
  }
  const c = await started([cliJs, 'lsp', '--stdio']);
  try {
    const got = c.diagnostics(uri);
    await c.open(uri, DOC, 3);
    const p = await got;
    assert.equal(p.version, 3);
    assert.equal(p.diagnostics.length, 2);
  } finally {
    assert.equal(await c.stop(), 0);
  }
});
