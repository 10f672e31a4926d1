/** Shared bits of the tracking-client suites: running Debian's python3 on the real `mlops.py`. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_JS, REPO_ROOT } from '../../helpers';

export const PYTHON = '/usr/bin/python3';
export const PYTHON_SKIP = existsSync(PYTHON) ? false : `${PYTHON} is missing (install Debian's python3 to run the Python module tests)`;
export const MODULE_DIR = join(REPO_ROOT, 'python');
/** The CLI as the Python module's MLOPS_CLI; quoted for shlex. */
export const CLI_COMMAND = `'${process.execPath}' '${CLI_JS}'`;

export interface PyResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** `KEY=value` lines the script printed. */
  out: Record<string, string>;
}

/** The environment without any MLOPS_* variable of the outer shell, plus the module on PYTHONPATH. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('MLOPS_') && !k.startsWith('PYTHON')) env[k] = v;
  // A CLI that cannot start a daemon unless a test names the real one.
  return { ...env, PYTHONPATH: MODULE_DIR, MLOPS_CLI: '/bin/false', ...extra };
}

/** Runs `code` with /usr/bin/python3 -c in `cwd`; resolves with its exit code, output and KEY=value lines. */
export function runPython(code: string, opts: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): Promise<PyResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, ['-c', code], { cwd: opts.cwd, env: cleanEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`python did not finish in ${opts.timeoutMs ?? 60_000} ms; stderr: ${stderr}`));
    }, opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (exit) => {
      clearTimeout(timer);
      const out: Record<string, string> = {};
      for (const line of stdout.split('\n')) {
        const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
        if (m?.[1] && m[2] !== undefined) out[m[1]] = m[2];
      }
      resolve({ code: exit, stdout, stderr, out });
    });
  });
}

/** Lines of stderr that are MlopsWarning messages. */
export function mlopsWarnings(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.includes('MlopsWarning'));
}

/** Python source dedented, so tests can write scripts indented with the surrounding code. */
export function py(strings: TemplateStringsArray, ...values: unknown[]): string {
  const text = strings.reduce((acc, s, i) => acc + s + (i < values.length ? String(values[i]) : ''), '');
  const lines = text.replace(/^\n/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)?.[0].length ?? 0));
  return lines.map((l) => l.slice(indent)).join('\n');
}

/** A `mlops.yaml` with a `params` section for params() tests. */
export const PARAMS_YAML = `version: 1
project:
  name: tracking-clients
params:
  train:
    learning_rate: 0.05
    epochs: 3
  data:
    path: data/train.csv
`;
