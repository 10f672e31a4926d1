/**
 * Fuzz: 10,000 mutations of the corpus scripts and notebooks (cut, duplicated and swapped spans,
 * random tokens, broken JSON) go through the analysis. Nothing may throw, no file may take long,
 * and every 25th incremental result must equal a fresh analysis of the same text.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IncrementalParser, PythonAnalysis, PythonDocument, initPython } from '../../../language-server/src/python';

const corpus = join(__dirname, '..', '..', 'fixtures', 'python-corpus');
const TOKENS = ['(', ')', '[', ']', '{', '}', ':', '"', "'", '"""', '\\', '\n', '    ', '=', '0.5', '-1e-3', 'lr=', 'f"', '%', '!', '#', ',', 'é', '😀', '\t', 'def ', 'if ', '\r\n', '\\n', '\\"', 'seed(', '"/abs/p.csv"'];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function mutate(text: string, r: () => number): string {
  const at = Math.floor(r() * (text.length + 1));
  const len = Math.floor(r() * 40);
  switch (Math.floor(r() * 5)) {
    case 0:
      return text.slice(0, at) + text.slice(at + len);
    case 1:
      return text.slice(0, at) + text.slice(at, at + len) + text.slice(at);
    case 2: {
      const b = Math.floor(r() * text.length);
      return text.slice(0, at) + text.slice(b, b + len) + text.slice(at + len);
    }
    default:
      return text.slice(0, at) + (TOKENS[Math.floor(r() * TOKENS.length)] ?? '') + text.slice(at);
  }
}

before(async () => {
  await initPython();
});

test('10,000 mutated Python files and notebooks: no exception, no slow file, incremental equals fresh', () => {
  const bases = readdirSync(corpus).filter((n) => /\.(py|ipynb)$/.test(n));
  const r = rng(20240501);
  const PER_BASE = Math.ceil(10_000 / bases.length);
  let runs = 0;
  let slowest = 0;
  for (const name of bases) {
    const uri = `file:///fuzz/${name}`;
    const doc = new PythonDocument(uri, { locateConfig: () => ({ uri: 'file:///fuzz/mlops.yaml', text: 'params:\n  train: {lr: 0.5}\n' }) });
    const incremental = new PythonAnalysis();
    const original = readFileSync(join(corpus, name), 'utf8');
    let text = original;
    for (let i = 0; i < PER_BASE; i++) {
      // Mostly small successive edits (the incremental path), sometimes a fresh start.
      text = i % 200 === 0 ? original : mutate(text, r);
      if (text.length > 20_000) text = original;
      const started = performance.now();
      const diags = doc.validate(text);
      slowest = Math.max(slowest, performance.now() - started);
      assert.ok(Array.isArray(diags));
      assert.ok(!diags.some((d) => d.code === 'python-internal'), `${name} mutation ${i}: ${diags[0]?.message}`);
      if (i % 7 === 0) doc.fixes({ start: { line: 0, character: 0 }, end: { line: 10_000, character: 0 } });
      if (!name.endsWith('.ipynb') && i % 25 === 0) {
        assert.deepEqual(incremental.findings(text), new PythonAnalysis().findings(text), `${name} mutation ${i}: incremental result differs`);
      }
      runs++;
    }
    doc.dispose();
  }
  console.log(`fuzz: ${runs} analyses, slowest ${slowest.toFixed(1)} ms`);
  assert.ok(runs >= 10_000);
  assert.ok(slowest < 2000, `one analysis took ${slowest.toFixed(0)} ms`);
});

test('one edit at a time: re-parsing the edited statement alone gives what a fresh analysis gives', () => {
  const r = rng(7);
  const checker = new IncrementalParser();
  let local = 0;
  let steps = 0;
  let compared = 0;
  for (const name of readdirSync(corpus).filter((n) => n.endsWith('.py'))) {
    const original = readFileSync(join(corpus, name), 'utf8');
    const incremental = new PythonAnalysis();
    let text = original;
    incremental.findings(text);
    for (let i = 0; i < 80; i++) {
      // Typing: a digit changed or added in a number, a letter added to a name; now and then a
      // token that may break the statement (then the whole text is re-parsed).
      const before = text;
      const at = Math.floor(r() * text.length);
      const c = text[at] ?? '';
      const token = TOKENS[Math.floor(r() * TOKENS.length)] ?? '';
      if (r() < 0.15) text = text.slice(0, at) + token + text.slice(at);
      else if (/[0-9]/.test(c)) text = text.slice(0, at) + String(Math.floor(r() * 10)) + text.slice(at + 1);
      else if (/[a-z]/i.test(c)) text = text.slice(0, at) + 'abcxyz'[Math.floor(r() * 6)] + text.slice(at);
      else continue;
      if (i % 40 === 39) text = original;
      steps++;
      const found = incremental.findings(text);
      if (incremental.localOnly) local++;
      // With a syntax error, tree-sitter's recovery after an incremental re-parse may group the
      // broken region differently from a fresh parse; equality is owed for valid code.
      if (checker.parse(text).rootNode.hasError) {
        text = before; // undone, as a user would
        continue;
      }
      compared++;
      assert.deepEqual(found, new PythonAnalysis().findings(text), `${name} edit ${i} at ${at}: incremental result differs`);
    }
    incremental.dispose();
  }
  checker.dispose();
  console.log(`single edits: ${steps}, ${local} re-parsed one statement alone, ${compared} valid texts compared with a fresh analysis`);
  assert.ok(compared > steps / 4, `only ${compared} valid texts compared`);
  assert.ok(local > steps / 4, `only ${local} of ${steps} edits took the one-statement path`);
});
