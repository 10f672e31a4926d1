/**
 * The real server over stdio with Python: diagnostics for `.py` files, rule settings from the
 * initialization options and `workspace/configuration`, the quick fix as one workspace edit over
 * the file and mlops.yaml, LSP notebook documents (cells), and `.ipynb` opened as JSON.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient } from './lsp-client';

const root = join(__dirname, '..', '..', '..');
const serverJs = join(root, 'dist', 'language-server.js');
let ws: string;
let client: LspClient;

const TRAIN = 'import numpy as np\nnp.random.seed(3)\nclf = RandomForestClassifier(n_estimators=250)\ndf = pd.read_csv("/srv/data/x.csv")\n';

before(async () => {
  if (!existsSync(serverJs) || !existsSync(join(root, 'dist', 'tree-sitter-python.wasm'))) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'build.ts')], { cwd: root, stdio: 'inherit' });
    assert.equal(r.status, 0, 'build failed');
  }
  ws = mkdtempSync(join(tmpdir(), 'mlops-pyls-'));
  writeFileSync(join(ws, 'mlops.yaml'), 'version: 1\nproject:\n  name: demo\n');
  client = new LspClient(process.execPath, [serverJs, '--stdio'], { settings: { 'mlops.pythonRules': { seed: 'off', 'data-path': 'hint' } } });
  const init = (await client.conn.sendRequest('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(ws).href,
    workspaceFolders: [{ uri: pathToFileURL(ws).href, name: 'ws' }],
    initializationOptions: { pythonRules: { threshold: 'warning' } },
    capabilities: { workspace: { configuration: true, workspaceEdit: { documentChanges: true } }, textDocument: { publishDiagnostics: { versionSupport: true } } },
  })) as { capabilities: { notebookDocumentSync?: unknown } };
  assert.ok(init.capabilities.notebookDocumentSync, 'notebook sync is announced');
  await client.conn.sendNotification('initialized', {});
});

after(async () => {
  await client.stop();
  rmSync(ws, { recursive: true, force: true });
});

test('a Python file: diagnostics with settings applied, and the quick fix edits both files at once', async () => {
  const uri = pathToFileURL(join(ws, 'train.py')).href;
  // Settings arrive after `initialized`; the last publication reflects them.
  const got = client.diagnostics(uri, (p) => p.diagnostics.length === 2 && p.version === 2);
  await client.open(uri, TRAIN, 1, 'python');
  await new Promise((r) => setTimeout(r, 300));
  await client.replaceAll(uri, 2, TRAIN);
  const p = await got;
  assert.deepEqual(p.diagnostics.map((d) => [d.range.start.line, d.code, d.severity]), [[2, 'hyperparameter', 3], [3, 'data-path', 3]]);
  const actions = await client.request<{ title: string; edit: { changes: Record<string, unknown[]> } }[]>('textDocument/codeAction', {
    textDocument: { uri },
    range: p.diagnostics[0]!.range,
    context: { diagnostics: [p.diagnostics[0]] },
  });
  // The title notes when the project's Python cannot import mlops yet (a real check of this machine).
  assert.match(actions[0]?.title ?? '', /^Move to mlops\.yaml as params\.train\.n_estimators( \(note: .* cannot import mlops in this project yet(; [^)]*)?\))?$/);
  assert.deepEqual(Object.keys(actions[0]?.edit.changes ?? {}).sort(), [pathToFileURL(join(ws, 'mlops.yaml')).href, uri].sort());
});

test('an LSP notebook document: diagnostics per cell, updated on cell edits', async () => {
  const nb = pathToFileURL(join(ws, 'explore.ipynb')).href;
  const c1 = `vscode-notebook-cell:${join(ws, 'explore.ipynb')}#c1`;
  const c2 = `vscode-notebook-cell:${join(ws, 'explore.ipynb')}#c2`;
  const first = client.diagnostics(c2, (p) => p.diagnostics.length > 0);
  await client.conn.sendNotification('notebookDocument/didOpen', {
    notebookDocument: { uri: nb, notebookType: 'jupyter-notebook', version: 1, cells: [{ kind: 2, document: c1 }, { kind: 2, document: c2 }] },
    cellTextDocuments: [
      { uri: c1, languageId: 'python', version: 1, text: '%matplotlib inline\nimport torch' },
      { uri: c2, languageId: 'python', version: 1, text: 'probs = model(x)\nkeep = probs > 0.8\n' },
    ],
  });
  const p = await first;
  assert.deepEqual(p.diagnostics.map((d) => [d.range.start.line, d.code, d.severity]), [[1, 'threshold', 2]]);
  const second = client.diagnostics(c2, (q) => q.diagnostics.some((d) => d.code === 'hyperparameter'));
  await client.conn.sendNotification('notebookDocument/didChange', {
    notebookDocument: { uri: nb, version: 2 },
    change: { cells: { textContent: [{ document: { uri: c2, version: 2 }, changes: [{ range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, text: 'opt = torch.optim.Adam(ps, lr=0.02)\n' }] }] } },
  });
  const q = await second;
  assert.deepEqual(q.diagnostics.map((d) => [d.range.start.line, d.code]), [[1, 'threshold'], [2, 'hyperparameter']]);
  const actions = await client.request<{ title: string }[]>('textDocument/codeAction', { textDocument: { uri: c2 }, range: q.diagnostics[1]!.range, context: { diagnostics: [] } });
  assert.match(actions[0]?.title ?? '', /^Move to mlops\.yaml as params\.train\.lr( \(note: .* cannot import mlops in this project yet(; [^)]*)?\))?$/);
});

test('a .ipynb opened as JSON text: positions inside the JSON strings', async () => {
  const uri = pathToFileURL(join(ws, 'raw.ipynb')).href;
  const json = JSON.stringify({ cells: [{ cell_type: 'code', metadata: {}, outputs: [], source: ['import torch\n', 'torch.manual_seed(1)\n', 'm = XGBRegressor(max_depth=9)'] }], metadata: {}, nbformat: 4, nbformat_minor: 5 }, null, 1);
  const got = client.diagnostics(uri, (p) => p.diagnostics.length > 0);
  await client.open(uri, json, 1, 'json');
  const p = await got;
  assert.equal(p.diagnostics.length, 1, 'seed is off');
  const d = p.diagnostics[0]!;
  assert.equal(json.split('\n')[d.range.start.line]?.slice(d.range.start.character, d.range.end.character), '9');
});

test('a data file outside the project: the copy fix runs on workspace/executeCommand, then the server applies the edit', async () => {
  const outside = mkdtempSync(join(tmpdir(), 'mlops-pyls-data-'));
  try {
    const source = join(outside, 'sales.csv');
    writeFileSync(source, 'day,amount\n1,10\n2,12\n');
    const uri = pathToFileURL(join(ws, 'load.py')).href;
    const got = client.diagnostics(uri, (p) => p.diagnostics.some((d) => d.code === 'data-path'));
    await client.open(uri, `import pandas as pd\ndf = pd.read_csv("${source}")\n`, 1, 'python');
    const d = (await got).diagnostics.find((x) => x.code === 'data-path')!;
    type Action = { title: string; edit?: unknown; command?: { command: string; arguments: unknown[] } };
    const actions = await client.request<Action[]>('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } });
    const copy = actions.find((a) => (a.command?.arguments[0] as { action?: { kind?: string } } | undefined)?.action?.kind === 'copy-data');
    assert.ok(copy?.command, actions.map((a) => a.title).join('\n'));
    const command = copy.command;
    assert.match(copy.title, /^Copy .*sales\.csv into the project as data\/sales\.csv, declare it as dataset data\.sales/);
    assert.equal(copy.edit, undefined, 'the edit waits for the copy');
    const applied: { edit: { changes?: Record<string, { newText: string }[]> } }[] = [];
    const shown: string[] = [];
    const edits = client.conn.onRequest('workspace/applyEdit', (p: (typeof applied)[number]) => {
      applied.push(p);
      return { applied: true };
    });
    const messages = client.conn.onNotification('window/showMessage', (p: { message: string }) => {
      shown.push(p.message);
    });
    try {
      const r = await client.request<{ ok: boolean; message: string }>('workspace/executeCommand', command);
      assert.equal(r.ok, true, r.message);
      assert.equal(readFileSync(join(ws, 'data', 'sales.csv'), 'utf8'), 'day,amount\n1,10\n2,12\n');
      assert.deepEqual(applied[0]?.edit.changes?.[uri]?.map((e) => e.newText), ['"data/sales.csv"']);
      // Run again after the copy was changed: refused, and no edit is applied this time.
      writeFileSync(join(ws, 'data', 'sales.csv'), 'edited by hand\n');
      const again = await client.request<{ ok: boolean; message: string }>('workspace/executeCommand', command);
      assert.equal(again.ok, false);
      assert.match(again.message, /already exists with other content/);
      assert.equal(applied.length, 1);
      const bad = await client.request<{ ok: boolean; message: string }>('workspace/executeCommand', { command: command.command, arguments: [{ action: { kind: 'copy-data' } }] });
      assert.match(bad.message, /bad argument at action\.source/);
      await new Promise((r2) => setTimeout(r2, 100));
      assert.ok(shown.some((m) => /already exists with other content/.test(m)), shown.join('\n'));
    } finally {
      edits.dispose();
      messages.dispose();
    }
  } finally {
    rmSync(outside, { recursive: true, force: true });
  }
});
