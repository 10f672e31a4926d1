/**
 * Issue 11 (smaller items): the language server's size limit for Python files and notebooks. A
 * 14.8 MB notebook once took 34 s to analyse; above the stated limits the file is skipped with one
 * information diagnostic naming the limit, and below them it is analysed as usual.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_NOTEBOOK_JSON_CHARS, MAX_PYTHON_CHARS, NotebookSession, PythonDocument, initPython } from '../../../language-server/src/python';
import { Severity, type MlopsDiagnostic } from '../../../language-server/src/core';

before(async () => {
  await initPython();
});

/** Real-looking training code: every 40 lines one hard-coded hyperparameter the checks flag. */
function trainingCode(chars: number): string {
  const lines: string[] = ['import numpy as np', 'from sklearn.ensemble import RandomForestClassifier'];
  let size = 0;
  for (let i = 0; size < chars; i++) {
    const line = i % 40 === 0 ? `model_${i} = RandomForestClassifier(n_estimators=${100 + i}, max_depth=6)` : `features_${i} = np.log1p(frame["col_${i % 97}"].to_numpy()) * ${i % 13}`;
    lines.push(line);
    size += line.length + 1;
  }
  return lines.join('\n') + '\n';
}

/** A notebook as Jupyter saves it: code cells with PNG outputs (base64), `outputs` making most of its size. */
function notebookJson(codeChars: number, totalChars: number): string {
  const code = trainingCode(codeChars).split('\n');
  const cells: unknown[] = [];
  const perCell = 50;
  const png = 'iVBORw0KGgo' + 'A'.repeat(Math.max(0, Math.floor((totalChars - codeChars) / Math.ceil(code.length / perCell))));
  for (let i = 0; i < code.length; i += perCell) {
    cells.push({
      cell_type: 'code',
      execution_count: i / perCell + 1,
      metadata: {},
      source: code.slice(i, i + perCell).map((l) => `${l}\n`),
      outputs: [{ output_type: 'display_data', data: { 'image/png': png, 'text/plain': ['<Figure>'] }, metadata: {} }],
    });
  }
  return JSON.stringify({ cells, metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } }, nbformat: 4, nbformat_minor: 5 }, null, 1);
}

function assertSkipped(diags: MlopsDiagnostic[], limitMb: number): void {
  assert.equal(diags.length, 1, JSON.stringify(diags));
  const d = diags[0] as MlopsDiagnostic;
  assert.equal(d.code, 'python-too-large');
  assert.equal(d.severity, Severity.Information);
  assert.match(d.message, new RegExp(`not analysed: \\d+ kB is above the ${limitMb} MB limit`));
}

test('the limits are the documented ones: 1 MB of Python, 2 MB of notebook JSON', () => {
  assert.equal(MAX_PYTHON_CHARS, 1_000_000);
  assert.equal(MAX_NOTEBOOK_JSON_CHARS, 2_000_000);
});

test('a 15 MB notebook (mostly outputs) is skipped with one information diagnostic stating the 2 MB limit', () => {
  const text = notebookJson(300_000, 15_000_000);
  assert.ok(text.length > 15_000_000, String(text.length));
  assertSkipped(new PythonDocument('file:///p/explore.ipynb').validate(text), 2);
});

test('a 3 MB .py file is skipped with one information diagnostic stating the 1 MB limit', () => {
  const text = trainingCode(3_000_000);
  assertSkipped(new PythonDocument('file:///p/generated_features.py').validate(text), 1);
});

test('a notebook synced as cells whose code passes 1 MB is skipped, the diagnostic on its first cell', () => {
  const code = trainingCode(1_200_000).split('\n');
  const cells = Array.from({ length: Math.ceil(code.length / 500) }, (_, i) => ({ uri: `vscode-notebook-cell:/p/nb.ipynb#c${i}`, text: code.slice(i * 500, (i + 1) * 500).join('\n') }));
  const out = new NotebookSession('file:///p/nb.ipynb').validate(cells);
  assertSkipped(out.get(cells[0]?.uri ?? '') ?? [], 1);
  for (const c of cells.slice(1)) assert.deepEqual(out.get(c.uri), []);
});

test('below the limits the same code is analysed (the limit is not hiding every file)', () => {
  const py = new PythonDocument('file:///p/train.py').validate(trainingCode(100_000));
  assert.ok(py.some((d) => d.code === 'hyperparameter'), JSON.stringify(py.slice(0, 3)));
  const nb = new PythonDocument('file:///p/small.ipynb').validate(notebookJson(50_000, 1_500_000));
  assert.ok(nb.some((d) => d.code === 'hyperparameter'), JSON.stringify(nb.slice(0, 3)));
});
