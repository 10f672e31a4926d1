/**
 * `npm run build`: bundles every entry point with esbuild into dist/ and regenerates
 * schemas/mlops.schema.json from the zod schema. `--watch` rebuilds on change.
 */
import { build, context, type BuildOptions } from 'esbuild';
import { existsSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { mlopsJsonSchema } from '../schemas/src/mlops-yaml';

const root = join(__dirname, '..');
const watch = process.argv.includes('--watch');
/** Native modules stay outside the bundles; they load from node_modules at run time (daemon only). */
const nativeExternals = ['better-sqlite3', 'onnxruntime-node', 'fsevents'];

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
    }));
}

function entries(): BuildOptions[] {
  const list: BuildOptions[] = [
    nodeEntry('daemon/src/cli/bin.ts', 'dist/cli.js'),
    nodeEntry('daemon/src/main.ts', 'dist/daemon.js'),
  ];
  if (existsSync(join(root, 'language-server/src/server.ts'))) {
    list.push(nodeEntry('language-server/src/server.ts', 'dist/language-server.js', { minify: true }));
  }
  if (existsSync(join(root, 'extension/src/extension.ts'))) {
    list.push(
      nodeEntry('extension/src/extension.ts', 'dist/extension.js', {
        external: ['vscode'],
        minify: true,
      }),
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
