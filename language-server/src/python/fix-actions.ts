/**
 * The work of command-carrying quick fixes, transport-free: the server runs it on
 * `workspace/executeCommand` and applies the fix's edit only when it succeeded. Arguments come
 * back from the editor, so they are checked again here as input, never trusted.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, linkSync, lstatSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import * as z from 'zod';
import { DomainError } from '../../../shared/src/errors';
import { checkInside, realRoot, stageCopy } from '../../../shared/src/safe-fs';
import { type FixAction } from '../core/types';
import { forgetProbe, installRefusal, mlopsPackageDir, probeInterpreter, projectPython } from './importable';

export interface ActionResult {
  ok: boolean;
  message: string;
}

async function sha256(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Why `source` cannot be copied, or undefined: a plain file outside any link. */
function sourceProblem(source: string): string | undefined {
  if (!isAbsolute(source)) return `the data file "${source}" is not an absolute path`;
  let st;
  try {
    st = lstatSync(source);
  } catch {
    return `the data file ${source} does not exist (any more)`;
  }
  if (st.isSymbolicLink()) return `${source} is a symbolic link; copy the file it points to by hand, or keep the path in params`;
  if (!st.isFile()) return `${source} is not a plain file`;
  return undefined;
}

/**
 * Copies a data file into the project with its safe-fs rules: no link on the way or at the target,
 * the target inside the project, never replacing a file with other content (the same content is
 * fine: nothing to do). The copy lands under a temp name and is hard-linked into place, which
 * fails rather than overwrites when the target appeared meanwhile.
 */
export async function copyDataIntoProject(a: { source: string; root: string; target: string }): Promise<ActionResult> {
  const problem = sourceProblem(a.source);
  if (problem) return { ok: false, message: problem };
  try {
    const root = realRoot(a.root);
    const { abs, st } = checkInside(root, a.target, { create: true, what: 'the copy' });
    if (st) {
      if (!st.isFile() || st.isSymbolicLink()) return { ok: false, message: `${a.target} exists and is not a plain file; nothing was copied` };
      if (st.size === lstatSync(a.source).size && (await sha256(abs)) === (await sha256(a.source))) {
        return { ok: true, message: `${a.target} already holds the same content as ${a.source}; nothing copied` };
      }
      return { ok: false, message: `${a.target} already exists with other content; nothing was copied (rename or remove it, or move the path into params instead)` };
    }
    const tmp = await stageCopy(a.source, abs, 0o644);
    try {
      linkSync(tmp, abs);
    } finally {
      rmSync(tmp, { force: true });
    }
    return { ok: true, message: `copied ${a.source} to ${a.target} (${lstatSync(abs).size} bytes)` };
  } catch (e) {
    if (e instanceof DomainError) return { ok: false, message: e.message };
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return { ok: false, message: `${a.target} appeared while copying; nothing was replaced` };
    if (code === 'ELOOP') return { ok: false, message: `${a.source} became a symbolic link; nothing was copied` };
    return { ok: false, message: `cannot copy ${a.source} to ${a.target}: ${e instanceof Error ? e.message : String(e)}` };
  }
}

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, timeout: 120_000, maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}`.trim() });
    });
  });
}

/**
 * A wheel of the single-file module, built by the target interpreter's own standard library (no
 * setuptools or wheel package needed, nothing downloaded): the module, METADATA, WHEEL and RECORD.
 */
const BUILD_WHEEL = [
  'import base64, hashlib, os, re, sys, zipfile',
  'src, out = sys.argv[1], sys.argv[2]',
  "code = open(os.path.join(src, 'mlops.py'), 'rb').read()",
  "ver = re.search(rb'^__version__ = \"([^\"]+)\"', code, re.M).group(1).decode()",
  "di = 'mlops_workbench-%s.dist-info' % ver",
  "files = {'mlops.py': code,",
  "  di + '/METADATA': ('Metadata-Version: 2.1\\nName: mlops-workbench\\nVersion: %s\\nSummary: MLOps Workbench tracking for Python\\n' % ver).encode(),",
  "  di + '/WHEEL': b'Wheel-Version: 1.0\\nGenerator: mlops-workbench\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n'}",
  "h = lambda b: 'sha256=' + base64.urlsafe_b64encode(hashlib.sha256(b).digest()).rstrip(b'=').decode()",
  "files[di + '/RECORD'] = (''.join('%s,%s,%d\\n' % (p, h(b), len(b)) for p, b in files.items()) + di + '/RECORD,,\\n').encode()",
  "whl = os.path.join(out, 'mlops_workbench-%s-py3-none-any.whl' % ver)",
  'with zipfile.ZipFile(whl, "w", zipfile.ZIP_DEFLATED) as z:',
  '  for p, b in files.items(): z.writestr(p, b)',
  'print(whl)',
].join('\n');

/**
 * Installs the Workbench's Python module into the project's interpreter with pip, from a wheel
 * built locally in a temp folder (`--no-index --no-deps`: nothing is downloaded, and nothing is
 * written into the Workbench's own install).
 */
export async function installModule(a: { python: string; root: string; packageDir: string }): Promise<ActionResult> {
  // Only the project's own interpreter and the Workbench's own package, whatever the editor sent.
  const config = join(a.root, 'mlops.yaml');
  const expected = projectPython(a.root, existsSync(config) ? readFileSync(config, 'utf8') : undefined);
  if (a.python !== expected) return { ok: false, message: `${a.python} is not this project's interpreter (${expected}); nothing was installed` };
  if (a.packageDir !== mlopsPackageDir()) return { ok: false, message: `${a.packageDir} is not the Workbench's Python package; nothing was installed` };
  const refusal = installRefusal(probeInterpreter(a.python, a.root, { fresh: true }), a.python);
  if (refusal) return { ok: false, message: refusal };
  const build = mkdtempSync(join(tmpdir(), 'mlops-pkg-'));
  try {
    const wheel = await run(a.python, ['-c', BUILD_WHEEL, a.packageDir, build], a.root);
    if (wheel.code !== 0) return { ok: false, message: `${a.python} could not build the module's wheel: ${wheel.output.split('\n').slice(-1).join('')}` };
    const pip = ['-m', 'pip', 'install', '--no-deps', '--no-index', '--disable-pip-version-check', '--no-input', wheel.output.split('\n').pop() ?? ''];
    const r = await run(a.python, pip, a.root);
    forgetProbe(a.python, a.root);
    if (r.code !== 0) return { ok: false, message: `pip could not install the mlops module into ${a.python} (exit ${r.code}): ${r.output.split('\n').slice(-3).join(' ')}` };
  } finally {
    rmSync(build, { recursive: true, force: true });
  }
  if (!probeInterpreter(a.python, a.root, { fresh: true }).mlops) return { ok: false, message: `pip finished, yet ${a.python} still cannot import mlops` };
  return { ok: true, message: `installed the mlops module into ${a.python}` };
}

const fixCommand = z.object({
  action: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('copy-data'), source: z.string().min(1), root: z.string().min(1), target: z.string().min(1) }),
    z.object({ kind: z.literal('install-module'), python: z.string().min(1), root: z.string().min(1), packageDir: z.string().min(1) }),
  ]),
  /** The LSP workspace edit applied after the action, passed through to the editor as is. */
  edit: z.record(z.string(), z.unknown()),
});
export type FixCommandArgument = z.infer<typeof fixCommand>;

/** The command's argument, checked; a message naming the field otherwise. */
export function parseFixCommand(raw: unknown): FixCommandArgument | string {
  const r = fixCommand.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  return `MLOps: the quick fix's command has a bad argument at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`;
}

/** Runs a fix's action; the caller applies the fix's edit only when `ok`. */
export function runFixAction(action: FixAction): Promise<ActionResult> {
  if (action.kind === 'copy-data') return copyDataIntoProject(action);
  return installModule(action);
}
