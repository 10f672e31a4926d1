/**
 * `npm run build`: bundles every entry point with esbuild into dist/ and regenerates
 * schemas/mlops.schema.json from the zod schema. `--watch` rebuilds on change. `--cli` (what
 * `npm install` runs through "prepare") builds only the CLI and the daemon it starts, the two
 * bundles `npm start` and `npx mlops` need; the rest is built by `npm run build`, `npm test` and
 * `npm run package`.
 */
import { build, context, type BuildOptions, type Plugin } from 'esbuild';
import { copyFileSync, existsSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { mlopsJsonSchema } from '../schemas/src/mlops-yaml';

const root = join(__dirname, '..');
const watch = process.argv.includes('--watch');
const cliOnly = process.argv.includes('--cli');
/** Native modules stay outside the bundles; they load from node_modules at run time (daemon only). */
const nativeExternals = ['better-sqlite3', 'onnxruntime-node', 'fsevents'];

/**
 * Tree-shaking help for the extension and webview bundles (size budget: 1 MB, bench/extension.bench.ts).
 * - Every module under schemas/src is declared free of side effects: its top level only builds zod
 *   schemas and endpoint declarations, which esbuild cannot prove pure, so without this a bundle that
 *   uses one endpoint of `schemas/src/endpoints` carried every domain's schemas (MLflow's, export's…).
 * - `yaml` resolves to its ES-module build (the package's `default` condition, plain JS that runs in
 *   Node too) instead of the CommonJS one, which esbuild can only include whole.
 * zod itself is imported as `import * as z from 'zod'` everywhere: `import { z }` binds a namespace
 * object esbuild must keep whole (every schema kind and all 40 locales, ~450 KB minified).
 */
const shakeable: Plugin = {
  name: 'shakeable',
  setup(b) {
    const schemasDir = join(root, 'schemas', 'src');
    b.onResolve({ filter: /^yaml$/ }, () => ({ path: join(root, 'node_modules', 'yaml', 'browser', 'index.js') }));
    b.onResolve({ filter: /^\./ }, async (args) => {
      if (args.pluginData === 'shakeable' || !args.resolveDir.startsWith(root)) return undefined;
      const r = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'shakeable' });
      return r.path.startsWith(schemasDir) ? { ...r, sideEffects: false } : r;
    });
  },
};

function nodeEntry(entry: string, outfile: string, extra: Partial<BuildOptions> = {}): BuildOptions {
  return {
    entryPoints: [join(root, entry)],
    outfile: join(root, outfile),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'linked',
    external: nativeExternals,
    logLevel: 'warning',
    ...extra,
  };
}

function webviewEntries(): BuildOptions[] {
  const dir = join(root, 'webviews', 'src');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'main.ts')))
    .map((d) => ({
      entryPoints: [join(dir, d.name, 'main.ts')],
      outfile: join(root, 'dist', 'webviews', `${d.name}.js`),
      bundle: true,
      platform: 'browser' as const,
      target: 'es2022',
      format: 'iife' as const,
      minify: true,
      sourcemap: 'linked' as const,
      logLevel: 'warning' as const,
      plugins: [shakeable],
    }));
}

/** Static webview assets (webviews/src/*.css) go next to the webview bundles, the only folder webviews may load from. */
function copyWebviewAssets(): void {
  const dir = join(root, 'webviews', 'src');
  if (!existsSync(dir)) return;
  mkdirSync(join(root, 'dist', 'webviews'), { recursive: true });
  for (const name of readdirSync(dir)) if (name.endsWith('.css')) copyFileSync(join(dir, name), join(root, 'dist', 'webviews', name));
}

/** The language server parses Python with web-tree-sitter: its runtime and the grammar load from next to the bundle. */
function copyTreeSitterWasm(): void {
  const files = ['web-tree-sitter/tree-sitter.wasm', 'tree-sitter-python/tree-sitter-python.wasm'];
  for (const f of files) copyFileSync(join(root, 'node_modules', f), join(root, 'dist', f.split('/')[1] ?? f));
}

function entries(): BuildOptions[] {
  const list: BuildOptions[] = [
    // `mlops convert` parses Python with web-tree-sitter too (the language server's transport-free core).
    nodeEntry('cli/src/bin.ts', 'dist/cli.js', {
      define: { 'import.meta.url': '__mlopsImportMetaUrl' },
      banner: { js: "var __mlopsImportMetaUrl = require('url').pathToFileURL(__filename).href;" },
    }),
    nodeEntry('daemon/src/main.ts', 'dist/daemon.js'),
    // The daemon's worker thread for large request bodies (daemon/src/http/body-parser.ts).
    nodeEntry('daemon/src/http/body-worker.ts', 'dist/body-worker.js'),
    // One process per deployment, forked by the daemon (and run by exported containers).
    nodeEntry('daemon/src/serving/main.ts', 'dist/serving.js'),
    // Monitoring's thread inside each monitored serving process (daemon/src/monitoring/recorder/attach.ts).
    nodeEntry('daemon/src/monitoring/recorder/worker-main.ts', 'dist/monitoring-worker.js'),
  ];
  if (cliOnly) return list;
  if (existsSync(join(root, 'language-server/src/server.ts'))) {
    // web-tree-sitter's Emscripten loader reads import.meta.url, which a CommonJS bundle lacks.
    list.push(
      nodeEntry('language-server/src/server.ts', 'dist/language-server.js', {
        minify: true,
        define: { 'import.meta.url': '__mlopsImportMetaUrl' },
        banner: { js: "var __mlopsImportMetaUrl = require('url').pathToFileURL(__filename).href;" },
      }),
    );
  }
  if (existsSync(join(root, 'extension/src/extension.ts'))) {
    // extension.js is the activation shell; it requires extension-core.js right after activating, which
    // requires extension-lsp.js when a document the language server serves is first open.
    list.push(
      nodeEntry('extension/src/extension.ts', 'dist/extension.js', { external: ['vscode'], minify: true }),
      nodeEntry('extension/src/core.ts', 'dist/extension-core.js', {
        external: ['vscode'],
        minify: true,
        plugins: [shakeable],
      }),
      // The language client, required by the core when the language server is first needed.
      nodeEntry('extension/src/language-client-bundle.ts', 'dist/extension-lsp.js', { external: ['vscode'], minify: true }),
    );
  }
  return [...list, ...webviewEntries()];
}

function writeJsonSchema(): void {
  const text = JSON.stringify(mlopsJsonSchema(), null, 2) + '\n';
  writeFileSync(join(root, 'schemas', 'mlops.schema.json'), text);
}

async function main(): Promise<void> {
  mkdirSync(join(root, 'dist'), { recursive: true });
  writeJsonSchema();
  copyTreeSitterWasm();
  if (!cliOnly) copyWebviewAssets();
  const all = entries();
  if (watch) {
    for (const opts of all) await (await context(opts)).watch();
    console.log(`watching ${all.length} entry points`);
    return;
  }
  const t0 = Date.now();
  await Promise.all(all.map((opts) => build(opts)));
  console.log(`built ${all.length} bundles into dist/ in ${Date.now() - t0} ms`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
