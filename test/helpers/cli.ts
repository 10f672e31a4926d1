/** Runs the built CLI (`node dist/cli.js`) as a user would, capturing exit code, stdout and stderr. */
import { spawn } from 'node:child_process';
import { CLI_JS, ensureBuilt } from './paths';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<CliResult> {
  ensureBuilt();
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...(opts.env ?? {}) };
    if (!opts.env?.['MLOPS_ROOT']) delete env['MLOPS_ROOT'];
    const child = spawn(process.execPath, [CLI_JS, ...args], { cwd: opts.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mlops ${args.join(' ')} did not finish in ${opts.timeoutMs ?? 30_000} ms; stderr: ${stderr}`));
    }, opts.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs the CLI with `--json` and parses stdout; throws with stderr when it fails. */
export async function runCliJson(args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<unknown> {
  const r = await runCli([...args, '--json'], opts);
  if (r.code !== 0) throw new Error(`mlops ${args.join(' ')} --json exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as unknown;
}
