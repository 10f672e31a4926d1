/**
 * Fuzz: 10,000 mutated documents through the core. No exception, no internal-error diagnostic, no
 * call slower than a generous cap (a hang guard, not a speed test); and on large documents the
 * block-wise parse must agree with a whole parse.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MlopsYamlDocument } from '../../../language-server/src/core';
import { YamlParser, parseWhole } from '../../../language-server/src/core/parse';
import { generateMlopsYaml } from '../../integration/language-server/fixtures';

const CAP_MS = 2000;
const SEEDS = [
  generateMlopsYaml(60),
  `project:\n  name: a\nparams: &p\n  lr: 0.1\ndeployments:\n  x: &d {model: m}\n  y:\n    <<: *d\n    port: 1\npipeline:\n  stages:\n    s:\n      cmd: c\n      deps: [a]\n      outs: [a]\n  triggers:\n    - kind: schedule\n`,
];
const PIECES = [':', ' ', '\n', '-', '- ', '  ', '[', ']', '{', '}', '"', "'", '#', '&a ', '*a', '<<: ', '---\n', '!!str ', '|\n', '>-\n', '\t', '?', '%YAML 1.2\n', '\u0000', '\uffff', '😀', 'x'.repeat(5000), 'model', 'kind: drift', '1e999', 'null', '~'];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function mutate(text: string, r: () => number): string {
  const pos = Math.floor(r() * (text.length + 1));
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)] as T;
  switch (Math.floor(r() * 6)) {
    case 0:
      return text.slice(0, pos) + pick(PIECES) + text.slice(pos);
    case 1:
      return text.slice(0, pos) + text.slice(pos + 1 + Math.floor(r() * 20));
    case 2: {
      const lines = text.split('\n');
      const i = Math.floor(r() * lines.length);
      lines.splice(i, 0, lines[Math.floor(r() * lines.length)] ?? '');
      return lines.join('\n');
    }
    case 3: {
      const lines = text.split('\n');
      const i = Math.floor(r() * lines.length);
      lines[i] = (r() < 0.5 ? '  ' : '') + (lines[i] ?? '').replace(/^ {0,2}/, r() < 0.5 ? '' : ' ');
      return lines.join('\n');
    }
    case 4:
      return text.slice(0, pos) + String.fromCharCode(...Array.from({ length: 8 }, () => Math.floor(r() * 256))) + text.slice(pos);
    default:
      return text.slice(0, pos) + text.slice(pos).replace(/\d+/, String(Math.floor(r() * 1e6) - 5e5));
  }
}

function timed<T>(what: string, f: () => T): T {
  const t0 = performance.now();
  const out = f();
  const ms = performance.now() - t0;
  assert.ok(ms < CAP_MS, `${what} took ${ms.toFixed(0)} ms`);
  return out;
}

test('10,000 mutated documents: no exception, no hang', () => {
  const r = rng(42);
  let text = SEEDS[0] ?? '';
  let doc = new MlopsYamlDocument({ fileExists: (p) => p.length % 2 === 0 });
  for (let i = 0; i < 10_000; i++) {
    if (i % 25 === 0) {
      text = SEEDS[i % SEEDS.length] ?? '';
      doc = new MlopsYamlDocument({ fileExists: () => false });
    }
    text = mutate(text, r);
    const diags = timed(`validate #${i}`, () => doc.validate(text));
    const internal = diags.find((d) => d.message.startsWith('could not analyse'));
    assert.equal(internal, undefined, `internal error on mutation #${i}: ${internal?.message}\n---\n${text}`);
    const line = Math.floor(r() * (text.split('\n').length + 1));
    const pos = { line, character: Math.floor(r() * 30) };
    timed(`complete #${i}`, () => doc.complete(text, pos));
    timed(`hover #${i}`, () => doc.hover(text, pos));
    if (i % 10 === 0) timed(`symbols #${i}`, () => doc.symbols(text));
  }
});

test('block-wise parsing of large documents agrees with a whole parse under mutation', () => {
  const r = rng(7);
  const base = generateMlopsYaml(600);
  const parser = new YamlParser();
  let text = base;
  let blocks = 0;
  for (let i = 0; i < 300; i++) {
    text = i % 3 === 0 ? mutate(mutate(base, r), r) : mutate(base, r);
    const a = timed(`block parse #${i}`, () => parser.parse(text));
    if (a.mode !== 'blocks') continue;
    blocks++;
    const b = parseWhole(text);
    assert.equal(b.problems.length, 0, `blocks mode accepted a document with errors: ${b.problems[0]?.message}`);
    assert.deepEqual(a.value, b.value, `values differ after mutation #${i}`);
  }
  assert.ok(blocks > 100, `only ${blocks} of 300 parses used blocks`);
});
