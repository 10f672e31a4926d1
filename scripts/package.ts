/**
 * `npm run package`: builds, stages the extension in out/vsix/ (trimmed package.json, dist/ without
 * source maps, media/, and the daemon's native runtime modules for THIS platform and Node ABI), then
 * runs vsce from node_modules/@vscode/vsce. Output: mlops-workbench-<version>.vsix in the repo root
 * (or the path given with --out). The repo's .vscodeignore decides what vsce leaves out.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = join(__dirname, '..');
const stage = join(root, 'out', 'vsix');

/** Runtime files of each native module the daemon loads (build/ sources and other platforms stay out). */
function nativeModules(): { name: string; paths: string[] }[] {
  const plat = `${process.platform}/${process.arch}`;
  return [
    { name: 'better-sqlite3', paths: ['package.json', 'LICENSE', 'lib', 'build/Release/better_sqlite3.node'] },
    { name: 'bindings', paths: ['package.json', 'LICENSE.md', 'bindings.js'] },
    { name: 'file-uri-to-path', paths: ['package.json', 'LICENSE', 'index.js', 'dist'] },
    { name: 'onnxruntime-node', paths: ['package.json', 'README.md', 'dist', 'lib', `bin/napi-v6/${plat}`] },
    { name: 'onnxruntime-common', paths: ['package.json', 'README.md', 'dist'] },
  ];
}

const MANIFEST_KEYS = [
  'name',
  'displayName',
  'description',
  'version',
  'publisher',
  'license',
  'engines',
  'main',
  'icon',
  'categories',
  'activationEvents',
  'capabilities',
  'contributes',
];

function run(cmd: string, args: string[], cwd: string): void {
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit', env: process.env });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
}

function copy(from: string, to: string): void {
  if (!existsSync(from)) throw new Error(`missing ${relative(root, from)}: run npm install / npm run build first`);
  cpSync(from, to, { recursive: true, filter: (src) => !src.endsWith('.map') });
}

/**
 * Drops dependencies only the module's install step uses (prebuild-install, adm-zip, global-agent):
 * they are not staged, and `npm list` would report them missing.
 */
function pruneInstallDeps(pkgFile: string, keep: Set<string>): void {
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as Record<string, unknown>;
  const deps = (pkg['dependencies'] ?? {}) as Record<string, string>;
  pkg['dependencies'] = Object.fromEntries(Object.entries(deps).filter(([n]) => keep.has(n)));
  delete pkg['scripts'];
  delete pkg['optionalDependencies'];
  delete pkg['peerDependencies'];
  writeFileSync(pkgFile, JSON.stringify(pkg, null, 2) + '\n');
}

function stageFiles(): { name: string; version: string } {
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  const trimmed: Record<string, unknown> = {};
  for (const k of MANIFEST_KEYS) if (pkg[k] !== undefined) trimmed[k] = pkg[k];
  // engines.node is npm's concern; the extension host ignores it and vsce only needs engines.vscode.
  trimmed['engines'] = { vscode: (pkg['engines'] as Record<string, string>)['vscode'] };
  writeFileSync(join(stage, 'package.json'), JSON.stringify(trimmed, null, 2) + '\n');
  for (const d of ['dist', 'media']) copy(join(root, d), join(stage, d));
  copy(join(root, '.vscodeignore'), join(stage, '.vscodeignore'));
  copy(join(root, 'docs', 'EXTENSION.md'), join(stage, 'README.md'));
  writeFileSync(join(stage, 'LICENSE'), `MIT License\n\nCopyright (c) MLOps Workbench contributors\n\nPermission is hereby granted, free of charge, to any person obtaining a copy of this software and associated documentation files (the "Software"), to deal in the Software without restriction, including without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the following conditions:\n\nThe above copyright notice and this permission notice shall be included in all copies or substantial portions of the Software.\n\nTHE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED.\n`);
  const staged = nativeModules();
  for (const mod of staged) {
    for (const p of mod.paths) {
      const from = join(root, 'node_modules', mod.name, p);
      if (!existsSync(from) && (p.startsWith('LICENSE') || p === 'README.md' || p === 'dist')) continue;
      copy(from, join(stage, 'node_modules', mod.name, p));
    }
    pruneInstallDeps(join(stage, 'node_modules', mod.name, 'package.json'), new Set(staged.map((m) => m.name)));
  }
  // vsce collects node_modules through `npm list --production`: declare the two runtime roots.
  trimmed['dependencies'] = Object.fromEntries(
    ['better-sqlite3', 'onnxruntime-node'].map((n) => [n, (JSON.parse(readFileSync(join(root, 'node_modules', n, 'package.json'), 'utf8')) as { version: string }).version]),
  );
  writeFileSync(join(stage, 'package.json'), JSON.stringify(trimmed, null, 2) + '\n');
  return { name: String(pkg['name']), version: String(pkg['version']) };
}

function sizeOf(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? sizeOf(p) : statSync(p).size;
  }
  return total;
}

function main(): void {
  const outArg = process.argv.indexOf('--out');
  const skipBuild = process.argv.includes('--no-build');
  if (!skipBuild) run(process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(root, 'scripts', 'build.ts')], root);
  const { name, version } = stageFiles();
  const out = outArg >= 0 && process.argv[outArg + 1] ? resolve(process.argv[outArg + 1] as string) : join(root, `${name}-${version}.vsix`);
  const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  run(process.execPath, [vsce, 'package', '--allow-missing-repository', '--skip-license', '--out', out], stage);
  console.log(`staged ${(sizeOf(stage) / 1e6).toFixed(1)} MB; wrote ${relative(process.cwd(), out) || out} (${(statSync(out).size / 1e6).toFixed(1)} MB)`);
}

try {
  main();
} catch (e) {
  console.error(`package: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
