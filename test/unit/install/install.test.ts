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

interface LockPackage {
  hasInstallScript?: boolean;
  optional?: boolean;
}
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockPackage> };

/** Package names (from lock paths such as `node_modules/a/node_modules/@s/b`) whose install scripts npm would run. */
function packagesWithInstallScripts(): Set<string> {
  const names = new Set<string>();
  for (const [path, p] of Object.entries(lock.packages)) {
    if (p.hasInstallScript) names.add(path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
  }
  return names;
}

test('every dependency with an install script is reviewed in allowScripts, and every allowScripts entry still has one', () => {
  const scripted = packagesWithInstallScripts();
  const reviewed = new Set(Object.keys(pkg.allowScripts ?? {}));
  assert.ok(scripted.size > 0, 'package-lock.json lists no install script at all: the lock was not read');
  assert.deepEqual([...scripted].filter((n) => !reviewed.has(n)), [], 'install scripts nobody reviewed: add each to allowScripts (true to run it, false to skip it)');
  assert.deepEqual([...reviewed].filter((n) => !scripted.has(n)), [], 'allowScripts entries for packages that no longer have install scripts: remove them');
});

test("onnxruntime-node's install script (its CUDA download) is skipped, and the CPU binary it does not need to fetch ships in the package", () => {
  assert.equal(pkg.allowScripts?.['onnxruntime-node'], false);
  const ort = JSON.parse(readFileSync(join(root, 'node_modules', 'onnxruntime-node', 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  assert.match(ort.scripts?.['postinstall'] ?? '', /script\/install/, 'the script skipped is the downloader');
  const binding = join(root, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6', process.platform, process.arch, 'onnxruntime_binding.node');
  assert.ok(existsSync(binding), `${binding} missing: serving would need the download after all`);
});

test('the other skipped scripts build nothing the project loads: tree-sitter-python ships its wasm, keytar is optional', () => {
  assert.equal(pkg.allowScripts?.['tree-sitter-python'], false);
  assert.ok(existsSync(join(root, 'node_modules', 'tree-sitter-python', 'tree-sitter-python.wasm')));
  assert.equal(pkg.allowScripts?.['keytar'], false);
  assert.equal(lock.packages['node_modules/keytar']?.optional, true, 'keytar became a required dependency: its native build would be needed');
  // better-sqlite3's script builds or fetches the native module the daemon opens the store with.
  assert.equal(pkg.allowScripts?.['better-sqlite3'], true);
});

test('no .npmrc download keys are needed (npm warns it will stop reading unknown ones)', () => {
  for (const dir of [root, join(root, 'bench', 'reference')]) {
    const rc = join(dir, '.npmrc');
    if (!existsSync(rc)) continue;
    assert.doesNotMatch(readFileSync(rc, 'utf8'), /onnxruntime|_install|binary_host|download/i, `${rc} holds a download key`);
  }
  assert.equal(existsSync(join(root, '.npmrc')), false, '.npmrc held onnxruntime-node-install, a key npm warns it will stop reading');
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
