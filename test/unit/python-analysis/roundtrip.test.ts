/**
 * Quick-fix round trip: every "Move to mlops.yaml" fix is applied until none is left, then the
 * original and the rewritten script run under Debian's python3 with `mlops.params()` reading the
 * JSON of the edited mlops.yaml's `params`; both must print the same thing.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { PythonDocument, canImportMlops, initPython, projectPython } from '../../../language-server/src/python';
import { pathToFileURL } from 'node:url';
import { LineIndex } from '../../../language-server/src/core/text';
import { type TextEdit } from '../../../language-server/src/core';

const PY = '/usr/bin/python3';
const repo = join(__dirname, '..', '..', '..');

before(async () => {
  await initPython();
});

function applyEdits(text: string, edits: TextEdit[]): string {
  const index = new LineIndex(text);
  const spans = edits.map((e) => ({ start: index.offset(e.range.start), end: index.offset(e.range.end), text: e.newText }));
  spans.sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  for (const s of spans) out = out.slice(0, s.start) + s.text + out.slice(s.end);
  return out;
}

const SCRIPT = `"""Fits a line by gradient descent: stdlib only, deterministic."""
from __future__ import annotations

import random

LEARNING_RATE = 0.05
EPOCHS = 40
SEED = 7
random.seed(7)


def fit(xs, ys, lr=0.1, epochs=10, weight_decay=0.0):
    w, b = 0.0, 0.0
    for _ in range(epochs):
        gw = sum((w * x + b - y) * x for x, y in zip(xs, ys)) / len(xs)
        gb = sum((w * x + b - y) for x, y in zip(xs, ys)) / len(xs)
        w -= lr * (gw + weight_decay * w)
        b -= lr * gb
    return w, b


xs = [random.uniform(-1, 1) for _ in range(50)]
ys = [3 * x + 0.5 + random.gauss(0, 0.1) for x in xs]
w, b = fit(xs, ys, lr=LEARNING_RATE, epochs=EPOCHS, weight_decay=2.0)
w2, b2 = fit(xs, ys, lr=0.05, epochs=25, weight_decay=1e-3)
preds = [w * x + b for x in xs]
score = sum(1 for p in preds if p > 0.75) / len(preds)
print(f"{w:.6f} {b:.6f} {w2:.6f} {b2:.6f} {score:.4f} {EPOCHS}")
`;

const YAML = '# demo project\nversion: 1\nproject:\n  name: demo   # keep me\nparams:\n  train:\n    seed: 7\n';

test('apply every fix, run original and rewritten script with python3: same output', (t) => {
  if (!existsSync(PY)) {
    t.skip(`${PY} is not installed`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'mlops-pyfix-'));
  try {
    let py = SCRIPT;
    let yaml = YAML;
    const pyUri = 'file:///proj/train.py';
    const yamlUri = 'file:///proj/mlops.yaml';
    const doc = new PythonDocument(pyUri, { locateConfig: () => ({ uri: yamlUri, text: yaml }) });
    let applied = 0;
    for (let round = 0; round < 50; round++) {
      const diags = doc.validate(py);
      const fix = diags.flatMap((d) => doc.fixes(d.range)).find((f) => f.fix.changes)?.fix;
      if (!fix?.changes) break;
      py = applyEdits(py, fix.changes[pyUri] ?? []);
      yaml = applyEdits(yaml, fix.changes[yamlUri] ?? []);
      applied++;
    }
    assert.ok(applied >= 6, `only ${applied} fixes applied`);
    assert.deepEqual(doc.validate(py), [], 'nothing left to move');
    assert.match(yaml, /^# demo project\n/);
    assert.match(yaml, /name: demo {3}# keep me/);
    assert.equal((py.match(/from mlops import params/g) ?? []).length, 1);
    assert.match(py, /^"""Fits[^\n]*\nfrom __future__ import annotations\n\nfrom mlops import params\nimport random\n/);
    const config = parse(yaml) as { params: Record<string, unknown> };
    writeFileSync(join(dir, 'params.json'), JSON.stringify(config.params));
    writeFileSync(join(dir, 'original.py'), SCRIPT);
    writeFileSync(join(dir, 'rewritten.py'), py);
    const env = { ...process.env, PYTHONPATH: join(repo, 'python'), MLOPS_PARAMS: join(dir, 'params.json') };
    const run = (f: string): string => {
      const r = spawnSync(PY, [join(dir, f)], { env, encoding: 'utf8', timeout: 30_000 });
      assert.equal(r.status, 0, `${f} failed: ${r.stderr}`);
      return r.stdout;
    };
    const before = run('original.py');
    assert.match(before, /^-?\d/);
    assert.equal(run('rewritten.py'), before);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('inserting `from mlops import params` checks that the project Python can import mlops (a real run), and offers to copy the module', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-import-'));
  try {
    const yamlUri = pathToFileURL(join(dir, 'mlops.yaml')).href;
    const pyUri = pathToFileURL(join(dir, 'train.py')).href;
    const doc = new PythonDocument(pyUri, { locateConfig: () => ({ uri: yamlUri, text: 'version: 1\n' }) });
    const [d] = doc.validate('clf = SVC(C=10)\n');
    assert.ok(d);
    const python = projectPython(dir);
    const importable = canImportMlops(python, dir);
    const fixes = doc.fixes(d.range).map((f) => f.fix);
    if (importable) {
      assert.equal(fixes.length, 1, `${python} imports mlops here already`);
      return;
    }
    assert.match(fixes[0]?.title ?? '', /cannot import mlops/);
    // The last resort of the ways to make the import work (see fix-actions.test.ts for the others).
    const copy = fixes.find((f) => f.createFile === pathToFileURL(join(dir, 'mlops.py')).href);
    assert.ok(copy, fixes.map((f) => f.title).join('\n'));
    // Applying the copy makes the import work for that interpreter.
    writeFileSync(join(dir, 'mlops.py'), copy?.changes?.[copy.createFile ?? '']?.[0]?.newText ?? '');
    const r = spawnSync(python, ['-c', 'import mlops'], { cwd: dir });
    assert.equal(r.status, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
