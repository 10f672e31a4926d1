/**
 * What `npm install` runs and prints: no unknown npm config (npm's next major drops it), every
 * dependency install script reviewed in package.json's allowScripts, onnxruntime-node's GPU
 * download denied, the LSP benchmark's reference outside the project's dependencies, and a
 * `prepare` that builds only what `npm start` needs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  allowScripts?: Record<string, boolean>;
};

test('install scripts: onnxruntime-node (CUDA download), tree-sitter-python and keytar are denied; the native build of better-sqlite3 runs', () => {
  assert.equal(existsSync(join(root, '.npmrc')), false, '.npmrc held onnxruntime-node-install, a key npm warns it will stop reading');
  assert.deepEqual(pkg.allowScripts, {
    '@vscode/vsce-sign': true,
    'better-sqlite3': true,
    esbuild: true,
    keytar: false,
    'onnxruntime-node': false,
    'tree-sitter-python': false,
  });
});

test('npm sees no unreviewed install script and no unknown config', { skip: existsSync(join(root, 'node_modules', '.package-lock.json')) ? false : 'node_modules is not an npm install' }, () => {
  const r = spawnSync('npm', ['install-scripts', 'ls'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0 && /Unknown command|unknown command/i.test(r.stderr + r.stdout)) return; // npm older than 11.19
  assert.doesNotMatch(r.stderr, /Unknown (project|user|builtin)? ?config/i, r.stderr);
  assert.match(r.stdout, /No packages with unreviewed install scripts/, r.stdout + r.stderr);
});

test('yaml-language-server (Node >= 22.13) is the LSP benchmark reference only, installed in bench/reference/', () => {
  assert.equal(pkg.devDependencies['yaml-language-server'], undefined);
  assert.equal(pkg.dependencies['yaml-language-server'], undefined);
  const ref = JSON.parse(readFileSync(join(root, 'bench', 'reference', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  assert.match(ref.dependencies['yaml-language-server'] ?? '', /^\d+\.\d+\.\d+$/, 'pinned, as a benchmark reference must be');
  assert.match(readFileSync(join(root, '.gitignore'), 'utf8'), /^bench\/reference\/node_modules\/$/m);
});

test('prepare bundles only the CLI and the daemon (what npm start needs)', () => {
  assert.equal(pkg.scripts['prepare'], 'tsx scripts/build.ts --cli');
  const build = readFileSync(join(root, 'scripts', 'build.ts'), 'utf8');
  assert.match(build, /if \(cliOnly\) return list;/);
});
