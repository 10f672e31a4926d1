/**
 * Edit-to-diagnostics latency over LSP stdio: our server vs Red Hat's yaml-language-server, in the
 * same run, on generated 100-, 1,000- and 10,000-line mlops.yaml files validated against the same
 * schema (ours: the zod schema; theirs: schemas/mlops.schema.json generated from it).
 * Each edit flips `monitoring.latency.p95_ms` between a valid number and "fast", so every edit
 * must produce a different diagnostic set; latency = didChange sent → matching diagnostics received.
 * Run: npx tsx bench/lsp.bench.ts [--edits N]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient } from '../test/integration/language-server/lsp-client';
import { generateMlopsYaml } from '../test/integration/language-server/fixtures';
import { Targets } from './targets';

const root = join(__dirname, '..');
const SIZES = [100, 1000, 10_000];
/** Median edit → diagnostics targets per size (ms); as a ratio, ≤ 0.1 of yaml-language-server's median. */
const TARGET_MS: Record<number, number> = { 100: 5, 1000: 15, 10_000: 50 };
const TARGET_RATIO = 0.1;
const editsArg = process.argv.indexOf('--edits');
const EDITS = editsArg > 0 ? Number(process.argv[editsArg + 1]) : 40;
const WARMUP = 40;

interface Server {
  name: string;
  cmd: string[];
  settings?: Record<string, unknown>;
  configure?: (c: LspClient) => Promise<void>;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] ?? NaN) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

function p95(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.95))] ?? NaN;
}

async function measure(server: Server, ws: string, text: string): Promise<number[]> {
  const uri = pathToFileURL(join(ws, 'mlops.yaml')).href;
  const client = new LspClient(process.execPath, server.cmd, { cwd: ws, settings: server.settings ?? {} });
  try {
    await client.initialize(pathToFileURL(ws).href);
    await server.configure?.(client);
    const lines = text.split('\n');
    const line = lines.findIndex((l) => l.includes('p95_ms:'));
    const col = (lines[line] ?? '').indexOf(':') + 2;
    const opened = client.diagnostics(uri, (p) => p.diagnostics.length === 0, 60_000);
    await client.open(uri, text, 1);
    await opened;
    const times: number[] = [];
    let current = '500';
    for (let i = 0; i < EDITS + WARMUP; i++) {
      const next = current === '500' ? '"fast"' : '500';
      const version = i + 2;
      const want = next === '500' ? 0 : 1;
      const got = client.diagnostics(uri, (p) => p.diagnostics.length === want && (p.version === undefined || p.version === version), 60_000);
      const t0 = performance.now();
      await client.edit(uri, version, { start: { line, character: col }, end: { line, character: col + current.length } }, next);
      await got;
      if (i >= WARMUP) times.push(performance.now() - t0);
      current = next;
    }
    return times;
  } finally {
    await client.stop();
  }
}

const referenceDir = join(root, 'bench', 'reference');
const yamlServerBin = join(referenceDir, 'node_modules', 'yaml-language-server', 'bin', 'yaml-language-server');

/**
 * yaml-language-server is only this benchmark's reference, so it is not one of the project's
 * dependencies (it also declares Node >= 22.13, which would warn on every install): it is installed
 * into bench/reference/ on first use. Returns why it is unavailable, or undefined when it is ready.
 */
function ensureReference(): string | undefined {
  if (existsSync(yamlServerBin)) return undefined;
  console.error('installing the reference yaml-language-server into bench/reference/ (first run only)…');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const args = ['install', '--prefix', referenceDir, '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error'];
  const r = spawnSync(npm, args, { cwd: referenceDir, encoding: 'utf8', timeout: 300_000 });
  if (r.status === 0 && existsSync(yamlServerBin)) return undefined;
  const why = (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n')[0];
  return `reference not installed (npm install --prefix bench/reference failed: ${why})`;
}

function ensureBuilt(): void {
  if (existsSync(join(root, 'dist', 'language-server.js')) && existsSync(join(root, 'schemas', 'mlops.schema.json'))) return;
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'build.ts')], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('build failed');
}

async function main(): Promise<void> {
  ensureBuilt();
  const unavailable = ensureReference();
  if (unavailable) console.error(`skipping the yaml-language-server comparison: ${unavailable}`);
  const schemaUri = pathToFileURL(join(root, 'schemas', 'mlops.schema.json')).href;
  const yamlSettings = { yaml: { validate: true, hover: true, completion: true, schemas: { [schemaUri]: ['mlops.yaml', '**/mlops.yaml'] } } };
  const ours: Server = { name: 'mlops', cmd: [join(root, 'dist', 'language-server.js'), '--stdio'] };
  const redhat: Server = {
    name: 'yaml-language-server',
    cmd: [yamlServerBin, '--stdio'],
    settings: yamlSettings,
    configure: (c) => c.conn.sendNotification('workspace/didChangeConfiguration', { settings: yamlSettings }),
  };
  const rows: string[] = [];
  const targets = new Targets();
  for (const size of SIZES) {
    const ws = mkdtempSync(join(tmpdir(), 'mlops-lsp-bench-'));
    mkdirSync(join(ws, 'data'));
    writeFileSync(join(ws, 'data', 'raw.csv'), 'a\n');
    const text = generateMlopsYaml(size);
    writeFileSync(join(ws, 'mlops.yaml'), text);
    const a = await measure(ours, ws, text);
    let b: number[] | undefined;
    let note = '';
    if (unavailable) note = unavailable;
    else {
      try {
        b = await measure(redhat, ws, text);
      } catch (e) {
        note = `yaml-language-server failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
      }
    }
    rmSync(ws, { recursive: true, force: true });
    const lines = text.split('\n').length - 1;
    const theirs = b ? `${median(b).toFixed(1)} / ${p95(b).toFixed(1)}` : 'n/a';
    const ratio = b ? `${(median(b) / median(a)).toFixed(1)}×` : note;
    targets.atMost(`${lines} lines: edit → diagnostics, median`, median(a), TARGET_MS[size] ?? 0, 'ms', 1);
    if (b) targets.atMost(`${lines} lines: ÷ yaml-language-server's median`, median(a) / median(b), TARGET_RATIO, '×', 3);
    rows.push(`| ${lines} | ${median(a).toFixed(1)} / ${p95(a).toFixed(1)} | ${theirs} | ${ratio} |`);
    console.error(`done: ${lines} lines`);
  }
  console.log(`Edit-to-diagnostics latency over LSP stdio, ${EDITS} edits per size (after ${WARMUP} warm-up), Node ${process.version}\n`);
  console.log('| lines | mlops median / p95 (ms) | yaml-language-server 2.0 median / p95 (ms) | speed-up (median ratio) |');
  console.log('|---:|---:|---:|---:|');
  for (const r of rows) console.log(r);
  targets.report();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
