/**
 * The e2e workspace: the churn demo (examples/churn) in a temp folder, `mlops init`, two tracked
 * training runs that register churn v1 and v2, and v1 promoted to Production — all through the real CLI.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const repo = join(__dirname, '..', '..');
const cli = join(repo, 'dist', 'cli.js');
const tsx = join(repo, 'node_modules', '.bin', 'tsx');

export function mlops(ws: string, args: string[], timeoutMs = 120_000): string {
  return execFileSync(process.execPath, [cli, ...args], {
    cwd: ws,
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, MLOPS_ROOT: ws },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function mlopsJson<T>(ws: string, args: string[]): T {
  return JSON.parse(mlops(ws, [...args, '--json'])) as T;
}

/** The training command `mlops exec` runs: the demo trainer, then a short loss curve. */
function trainCommand(ws: string, curveScale: number): string[] {
  const train = join(repo, 'examples', 'churn', 'train.ts');
  const curve = join(repo, 'test', 'e2e', 'log-curve.ts');
  return ['sh', '-c', `"${tsx}" "${train}" --data "${ws}/data" --out "${ws}/artifacts" && "${tsx}" "${curve}" ${curveScale}`];
}

export function trackedTraining(ws: string, name: string, curveScale: number): void {
  mlops(ws, ['exec', '-e', 'churn', '-n', name, '--metrics', 'artifacts/metrics.json', '--register', 'churn=artifacts/model.onnx', '--', ...trainCommand(ws, curveScale)]);
}

export function createDemoWorkspace(ws: string): void {
  mkdirSync(ws, { recursive: true });
  copyFileSync(join(repo, 'examples', 'churn', 'mlops.yaml'), join(ws, 'mlops.yaml'));
  execFileSync(tsx, [join(repo, 'examples', 'churn', 'generate-data.ts'), '--out', join(ws, 'data')], { cwd: ws, stdio: 'pipe' });
  mlops(ws, ['init', ws]);
  trackedTraining(ws, 'baseline', 1);
  trackedTraining(ws, 'more-epochs', 0.8);
  mlops(ws, ['models', 'promote', 'churn', '1', '--to', 'Production', '--reason', 'e2e baseline']);
}

/** A project that is never trusted: mlops.yaml only, no state. */
export function createUntrustedWorkspace(ws: string): void {
  mkdirSync(ws, { recursive: true });
  copyFileSync(join(repo, 'examples', 'churn', 'mlops.yaml'), join(ws, 'mlops.yaml'));
}

export function daemonPid(ws: string): number | undefined {
  try {
    return (JSON.parse(readFileSync(join(ws, '.mlops', 'daemon.json'), 'utf8')) as { pid: number }).pid;
  } catch {
    return undefined;
  }
}

export interface VersionInfo {
  version: number;
  stage: string;
}

export function versions(ws: string): VersionInfo[] {
  return mlopsJson<{ versions: VersionInfo[] }>(ws, ['models', 'show', 'churn']).versions;
}
