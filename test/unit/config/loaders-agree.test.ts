/**
 * The same mlops.yaml documents fed to every consumer: the shared loader (the CLI and the Node
 * client call it), the daemon's config holder (reading the file from disk), the language server's
 * validation (whole and block parse) and its Python analysis. They must agree on what is valid and
 * on the values read: merge keys and anchors resolved alike, a YAML bomb refused by all.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigHolder } from '../../../daemon/src/config/holder';
import { silentLogger } from '../../../daemon/src/util/logger';
import { validateMlopsYaml } from '../../../language-server/src/core/mlops-yaml';
import { YamlParser } from '../../../language-server/src/core/parse';
import { indexProject } from '../../../language-server/src/python/project';
import { parseConfigText } from '../../../shared/src/mlops-yaml';
import { tempProject } from '../../helpers';

const HEAD = 'version: 1\nproject: {name: agree}  # a flow map, and a comment\n';

interface Case {
  name: string;
  text: string;
  valid: boolean;
  /** Expected values at dotted paths of the loaded config, for valid documents. */
  values?: Record<string, unknown>;
  /** For invalid documents: a field path every consumer names ('' for syntax-level problems). */
  path?: string;
}

const bomb = [
  'a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]',
  ...Array.from({ length: 8 }, (_, i) => {
    const p = String.fromCharCode(97 + i);
    const n = String.fromCharCode(98 + i);
    return `${n}: &${n} [*${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}]`;
  }),
].map((l) => `  ${l}`);

const cases: Case[] = [
  {
    name: 'merge keys in a free section and in a strict one',
    text:
      HEAD +
      'params:\n  base: &base {lr: 0.1, depth: 3}\n  tuned:\n    <<: *base\n    lr: 0.2\n' +
      'data:\n  train: &ds\n    paths: [data/train.csv]\n    format: csv\n  canary: {<<: *ds, paths: [data/canary.csv]}\n',
    valid: true,
    values: {
      'params.tuned': { lr: 0.2, depth: 3 },
      'data.canary.format': 'csv',
      'data.canary.paths': ['data/canary.csv'],
    },
  },
  {
    name: 'anchors and aliases',
    text: HEAD + 'params:\n  paths: &p [a.csv, b.csv]\n  again: *p\n',
    valid: true,
    values: { 'params.again': ['a.csv', 'b.csv'] },
  },
  {
    name: 'comments everywhere',
    text: '# top\n' + HEAD + 'params:  # trailing\n  # inside\n  lr: 0.5 # value\n',
    valid: true,
    values: { 'params.lr': 0.5 },
  },
  { name: 'an unknown key', text: HEAD + 'data:\n  train:\n    paths: [a.csv]\n    colour: red\n', valid: false, path: 'data.train.colour' },
  { name: 'a duplicate key', text: HEAD + 'params:\n  lr: 1\n  lr: 2\n', valid: false, path: '' },
  { name: 'a YAML bomb', text: HEAD + 'params:\n' + bomb.join('\n') + '\n', valid: false, path: '' },
  { name: 'two documents', text: HEAD + '---\nversion: 1\n', valid: false, path: '' },
];

function at(value: unknown, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), value);
}

/** The language server's block parse engages from 200 lines: pad with comments to reach it. */
const padded = (text: string): string => text + '# padding\n'.repeat(220);

for (const c of cases) {
  test(`every consumer agrees on ${c.name}`, async () => {
    const loaded = parseConfigText(c.text, 'mlops.yaml');
    const lsErrors = validateMlopsYaml(c.text).filter((d) => d.severity === 1);
    const proj = tempProject();
    writeFileSync(join(proj.root, 'mlops.yaml'), c.text);
    const holder = new ConfigHolder(proj.root, silentLogger);
    try {
      const daemon = holder.current();
      assert.equal(loaded.ok, c.valid, `loader: ${loaded.ok ? 'accepted' : JSON.stringify(loaded.problems)}`);
      assert.equal(daemon.ok, c.valid, 'daemon config holder');
      assert.equal(lsErrors.length === 0, c.valid, `language server: ${JSON.stringify(lsErrors.map((d) => d.message))}`);
      const blocks = new YamlParser().parse(padded(c.text));
      const python = indexProject(c.text);
      if (c.valid && loaded.ok && daemon.ok) {
        for (const [path, expected] of Object.entries(c.values ?? {})) {
          assert.deepEqual(at(loaded.config, path), expected, `loader ${path}`);
          assert.deepEqual(at(daemon.config, path), expected, `daemon ${path}`);
          assert.deepEqual(at(blocks.value, path), at(loaded.raw, path), `language server (${blocks.mode} parse) ${path}`);
          if (path.startsWith('params.') && typeof expected !== 'object') assert.deepEqual(python.params.get(path.slice(7)), expected, `python ${path}`);
        }
        if (c.values?.['params.tuned']) assert.equal(python.params.get('tuned.lr'), 0.2, 'python analysis resolves merge keys');
      } else if (!loaded.ok && !daemon.ok) {
        assert.ok(loaded.problems.some((p) => p.path === c.path), `loader names ${c.path}: ${JSON.stringify(loaded.problems)}`);
        assert.deepEqual(daemon.problems, loaded.problems, 'the daemon reports what the loader reports');
        const lines = new Set(loaded.problems.map((p) => p.line));
        assert.ok(lsErrors.some((d) => lines.has(d.range.start.line + 1)), 'the language server flags the same line');
        if (c.name === 'a YAML bomb') assert.equal(python.params.size, 0, 'python analysis reads nothing from a bomb');
      }
    } finally {
      await holder.close();
      await proj.cleanup();
    }
  });
}
