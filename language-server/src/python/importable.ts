/**
 * Whether the project's Python can `import mlops`: a fix that inserts `from mlops import params`
 * must not leave a script failing with ModuleNotFoundError. The check runs the interpreter once
 * (`python -c "import mlops"` in the project folder, as scripts run there) and caches the answer.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Fix } from '../core/types';
import { type FixContext } from './fix';

const TTL_MS = 5 * 60_000;
const cache = new Map<string, { ok: boolean; at: number }>();

/** The project's interpreter: its virtual environment when it has one, else `python3` on PATH. */
export function projectPython(dir: string): string {
  for (const venv of ['.venv', 'venv', 'env']) {
    const bin = process.platform === 'win32' ? join(dir, venv, 'Scripts', 'python.exe') : join(dir, venv, 'bin', 'python');
    if (existsSync(bin)) return bin;
  }
  return process.env.MLOPS_PYTHON ?? 'python3';
}

/** Runs the interpreter once per project and interpreter (cached for five minutes). */
export function canImportMlops(python: string, dir: string): boolean {
  const key = `${python}\0${dir}`;
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.ok;
  const r = spawnSync(python, ['-c', 'import mlops'], { cwd: dir, timeout: 5000, stdio: 'ignore' });
  const ok = r.status === 0;
  cache.set(key, { ok, at: Date.now() });
  return ok;
}

/** The module's source shipped with the server (next to the bundle, or in the repository's python/). */
export function moduleSource(): string | undefined {
  for (const p of [join(__dirname, 'python', 'mlops.py'), join(__dirname, '..', 'python', 'mlops.py'), join(__dirname, '..', '..', '..', 'python', 'mlops.py')]) {
    if (existsSync(p)) return readFileSync(p, 'utf8');
  }
  return undefined;
}

/**
 * The fix as is when the project's Python imports mlops; otherwise the fix saying so, and a variant
 * that also copies the module into the project (where scripts run, so the import resolves).
 */
export function withImportCheck(ctx: FixContext, fix: Fix): Fix[] {
  const uri = ctx.config?.uri;
  if (!uri?.startsWith('file:')) return [fix];
  const dir = dirname(fileURLToPath(uri));
  if (!existsSync(dir)) return [fix];
  const python = projectPython(dir);
  if (canImportMlops(python, dir)) return [fix];
  const noted: Fix = { ...fix, title: `${fix.title} (note: ${python} cannot import mlops in this project yet)` };
  const source = moduleSource();
  const target = pathToFileURL(join(dir, 'mlops.py')).href;
  if (!source || fix.createFile || existsSync(join(dir, 'mlops.py'))) return [noted];
  const start = { line: 0, character: 0 };
  const copy: Fix = {
    ...fix,
    title: `${fix.title}, and copy the mlops module into the project so the import works`,
    preferred: false,
    createFile: target,
    changes: { ...fix.changes, [target]: [{ range: { start, end: start }, newText: source }] },
  };
  return [noted, copy];
}
