/** Where the repository and its built bundles are, for tests that run the real daemon and CLI. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..');
export const DAEMON_JS = join(REPO_ROOT, 'dist', 'daemon.js');
export const CLI_JS = join(REPO_ROOT, 'dist', 'cli.js');

function newestMtime(dir: string): number {
  let newest = 0;
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const p = join(dir, name);
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) continue;
    newest = Math.max(newest, st.isDirectory() ? newestMtime(p) : st.mtimeMs);
  }
  return newest;
}

function bundlesFresh(): boolean {
  if (!existsSync(DAEMON_JS) || !existsSync(CLI_JS)) return false;
  const built = Math.min(statSync(DAEMON_JS).mtimeMs, statSync(CLI_JS).mtimeMs);
  const sources = Math.max(newestMtime(join(REPO_ROOT, 'daemon', 'src')), newestMtime(join(REPO_ROOT, 'schemas', 'src')));
  return built >= sources;
}

/**
 * Builds dist/ when it is missing or older than the daemon and schema sources, so a test never runs
 * yesterday's daemon. Test files run two at a time; a lock folder keeps them from building at once.
 */
export function ensureBuilt(): void {
  if (bundlesFresh()) return;
  const lock = join(REPO_ROOT, 'dist', '.test-build-lock');
  mkdirSync(join(REPO_ROOT, 'dist'), { recursive: true });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) rmSync(lock, { recursive: true, force: true });
      spawnSync('sleep', ['0.2']);
      if (bundlesFresh()) return;
    }
  }
  try {
    if (bundlesFresh()) return;
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts', 'build.ts')], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`building dist/ for the tests failed:\n${r.stdout}${r.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
