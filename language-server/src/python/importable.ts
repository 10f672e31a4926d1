/**
 * Whether the project's Python can `import mlops`: a fix that inserts `from mlops import params`
 * must not leave a script failing with ModuleNotFoundError. One run of the interpreter (in the
 * project folder, as scripts run there) answers that and what could be done about it (pip, PEP 668),
 * cached per interpreter and folder. When it cannot, the fix says so and offers to
 * install the module into that interpreter, to put the Workbench's module on the project's
 * PYTHONPATH, or, last, to copy the module into the project.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Fix, type TextEdit } from '../core/types';
import { type FixContext } from './fix';
import { indexProject } from './project';

const TTL_MS = 5 * 60_000;

export interface InterpreterProbe {
  /** False when the interpreter could not be run at all. */
  ran: boolean;
  mlops: boolean;
  pip: boolean;
  /** PEP 668: the system's Python outside a virtual environment; pip refuses to install into it. */
  externallyManaged: boolean;
}

const cache = new Map<string, { probe: InterpreterProbe; at: number }>();

// find_spec looks modules up without running them; '' (the folder) is on sys.path as for scripts.
const PROBE = [
  'import json, os, sys, sysconfig, importlib.util as u',
  "em = os.path.exists(os.path.join(sysconfig.get_path('stdlib'), 'EXTERNALLY-MANAGED')) and sys.prefix == getattr(sys, 'base_prefix', sys.prefix)",
  "print(json.dumps({'mlops': u.find_spec('mlops') is not None, 'pip': u.find_spec('pip') is not None, 'externallyManaged': em}))",
].join('\n');

/** The interpreter's answers, from one run per interpreter and folder (cached for five minutes unless `fresh`). */
export function probeInterpreter(python: string, dir: string, opts: { fresh?: boolean } = {}): InterpreterProbe {
  const key = `${python}\0${dir}`;
  const hit = cache.get(key);
  if (!opts.fresh && hit && Date.now() - hit.at < TTL_MS) return hit.probe;
  const r = spawnSync(python, ['-c', PROBE], { cwd: dir, timeout: 5000, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  let probe: InterpreterProbe = { ran: false, mlops: false, pip: false, externallyManaged: false };
  try {
    if (r.status === 0) probe = { ...(JSON.parse(r.stdout) as Omit<InterpreterProbe, 'ran'>), ran: true };
  } catch {
    // Not our probe's output (a wrapper printing first): treat as not importable.
  }
  cache.set(key, { probe, at: Date.now() });
  return probe;
}

export function forgetProbe(python: string, dir: string): void {
  cache.delete(`${python}\0${dir}`);
}

/** Runs the interpreter once per project and interpreter (cached for five minutes). */
export function canImportMlops(python: string, dir: string): boolean {
  return probeInterpreter(python, dir).mlops;
}

/** Why pip must not or cannot install into this interpreter, in words a user can act on. */
export function installRefusal(probe: InterpreterProbe, python: string): string | undefined {
  if (!probe.ran) return `${python} could not be run (or did not answer within 5 s)`;
  if (probe.externallyManaged) return `${python} is externally managed (PEP 668: its packages belong to the system's package manager), so pip will not install into it; use a virtual environment, or add the module to the project's PYTHONPATH`;
  if (!probe.pip) return `${python} has no pip; add the module to the project's PYTHONPATH instead, or create a virtual environment with pip`;
  return undefined;
}

/** `python.interpreter` when mlops.yaml sets it (a path is relative to the project folder). */
function configuredInterpreter(dir: string, configText: string | undefined): string | undefined {
  const value = indexProject(configText).interpreter;
  if (!value) return undefined;
  return value.includes('/') && !isAbsolute(value) ? resolve(dir, value) : value;
}

/**
 * The project's interpreter as `mlops exec` and pipelines choose it: MLOPS_PYTHON, then
 * `python.interpreter` in mlops.yaml, then the project's virtual environment, then `python3`.
 */
export function projectPython(dir: string, configText?: string): string {
  const chosen = process.env.MLOPS_PYTHON ?? configuredInterpreter(dir, configText);
  if (chosen) return chosen;
  for (const venv of ['.venv', 'venv', 'env']) {
    const bin = process.platform === 'win32' ? join(dir, venv, 'Scripts', 'python.exe') : join(dir, venv, 'bin', 'python');
    if (existsSync(bin)) return bin;
  }
  return 'python3';
}

/** The Workbench's Python package folder (next to the bundle, or the repository's python/). */
export function mlopsPackageDir(): string | undefined {
  for (const d of [join(__dirname, 'python'), join(__dirname, '..', 'python'), join(__dirname, '..', '..', '..', 'python')]) {
    if (existsSync(join(d, 'mlops.py'))) return d;
  }
  return undefined;
}

/** The module's source shipped with the server (the notebook converter copies it beside generated scripts). */
export function moduleSource(): string | undefined {
  const dir = mlopsPackageDir();
  return dir ? readFileSync(join(dir, 'mlops.py'), 'utf8') : undefined;
}

const START = { line: 0, character: 0 };

/** Appends `PYTHONPATH=<dir>` to the project's .env (created when absent); none when it sets PYTHONPATH already. */
function envFileEdit(dir: string, packageDir: string): { uri: string; edit: TextEdit; create: boolean } | undefined {
  const file = join(dir, '.env');
  const uri = pathToFileURL(file).href;
  if (!existsSync(file)) return { uri, edit: { range: { start: START, end: START }, newText: `PYTHONPATH=${packageDir}\n` }, create: true };
  const text = readFileSync(file, 'utf8');
  if (/^\s*(export\s+)?PYTHONPATH\s*=/m.test(text)) return undefined;
  const lines = text.split('\n');
  const end = { line: lines.length - 1, character: (lines[lines.length - 1] ?? '').length };
  const sep = text === '' || text.endsWith('\n') ? '' : '\n';
  return { uri, edit: { range: { start: end, end }, newText: `${sep}PYTHONPATH=${packageDir}\n` }, create: false };
}

/** The variants of a fix whose inserted import would fail with this project's interpreter. */
function importVariants(fix: Fix, python: string, dir: string, probe: InterpreterProbe): Fix[] {
  const packageDir = mlopsPackageDir();
  const refusal = installRefusal(probe, python);
  const why = refusal ? `; ${refusal.replace(/; (use|add|create) .*$/, '')}` : '';
  const out: Fix[] = [{ ...fix, title: `${fix.title} (note: ${python} cannot import mlops in this project yet${why})` }];
  if (!packageDir) return out;
  if (!refusal) {
    out.push({ ...fix, preferred: false, action: { kind: 'install-module', python, root: dir, packageDir },
      title: `${fix.title}, and install the mlops module into ${python} with pip, from ${packageDir} (nothing is downloaded)` });
  }
  const env = envFileEdit(dir, packageDir);
  if (env && !(env.create && fix.createFile)) {
    out.push({ ...fix, preferred: false, ...(env.create ? { createFile: env.uri } : {}), changes: { ...fix.changes, [env.uri]: [env.edit] },
      title: `${fix.title}, and put ${packageDir} on PYTHONPATH in the project's .env (read by VS Code's Python runs, debugger, tests and notebooks; in a terminal, export it too)` });
  }
  const shim = join(dir, 'mlops.py');
  if (!fix.createFile && !existsSync(shim)) {
    const target = pathToFileURL(shim).href;
    out.push({ ...fix, preferred: false, createFile: target, changes: { ...fix.changes, [target]: [{ range: { start: START, end: START }, newText: readFileSync(join(packageDir, 'mlops.py'), 'utf8') }] },
      title: `${fix.title}, and copy the mlops module into the project (last resort: the copy works for any interpreter run here, but does not follow Workbench updates)` });
  }
  return out;
}

/** The fix as is when the project's Python imports mlops; otherwise the fix saying so, and the ways to make the import work. */
export function withImportCheck(ctx: FixContext, fix: Fix): Fix[] {
  const uri = ctx.config?.uri;
  if (!uri?.startsWith('file:')) return [fix];
  const dir = dirname(fileURLToPath(uri));
  if (!existsSync(dir)) return [fix];
  const python = projectPython(dir, ctx.config?.text);
  const probe = probeInterpreter(python, dir);
  return probe.mlops ? [fix] : importVariants(fix, python, dir, probe);
}
