/**
 * Temporary MLOps projects for tests: a folder with an `mlops.yaml`, removed afterwards together
 * with any daemon that was started for it (by a test or by the CLI's auto-start).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ModelSpec {
  /** Feature names in order; all declared as `type` (default float). */
  features: string[];
  type?: 'float' | 'double' | 'int64';
  task?: 'classification' | 'regression';
  inputMode?: 'tensor' | 'columns';
}

export interface ConfigOptions {
  name?: string;
  keepVersions?: number;
  models?: Record<string, ModelSpec>;
}

/** A valid `mlops.yaml` with the given retention and model signatures. */
export function configYaml(opts: ConfigOptions = {}): string {
  const lines = ['version: 1', 'project:', `  name: ${opts.name ?? 'test-project'}`];
  const models = Object.entries(opts.models ?? {});
  if (models.length) lines.push('models:');
  for (const [name, m] of models) {
    lines.push(`  ${name}:`, `    task: ${m.task ?? 'classification'}`, '    signature:');
    if (m.inputMode) lines.push(`      input_mode: ${m.inputMode}`);
    lines.push('      inputs:');
    for (const f of m.features) lines.push(`        - name: ${f}`, `          type: ${m.type ?? 'float'}`);
  }
  lines.push('retention:', `  keep_versions: ${opts.keepVersions ?? 1000}`);
  return lines.join('\n') + '\n';
}

export interface TempProject {
  root: string;
  /** `.mlops/` paths of this project. */
  stateDir: string;
  dbFile: string;
  daemonJson: string;
  writeConfig(text: string): void;
  /** Stops any daemon of this project (SIGTERM, then SIGKILL) and deletes the folder. */
  cleanup(): Promise<void>;
}

/** True when `pid` is a live process whose command line mentions `root` (so we only ever stop our own). */
export function isDaemonOf(pid: number, root: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(root);
  } catch {
    return false;
  }
}

/** Pids of every live daemon process started with `--root <root>`. */
export function daemonPidsOf(root: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSafe('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Zombies (state Z) have exited; their parent just has not reaped them yet.
      if (/\) Z /.test(stat)) continue;
      const i = args.indexOf('--root');
      if (i >= 0 && args[i + 1] === root && args.some((a) => a.endsWith('daemon.js'))) out.push(pid);
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

export async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      process.kill(pid, 0);
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (/\) Z /.test(stat)) return true;
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

/** Stops every daemon serving `root`: SIGTERM, and SIGKILL after 5 s. */
export async function stopDaemonsOf(root: string): Promise<void> {
  for (const pid of daemonPidsOf(root)) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      continue;
    }
    if (!(await waitForExit(pid, 5000))) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
}

export function tempProject(opts: { config?: string | false; prefix?: string } = {}): TempProject {
  const root = mkdtempSync(join(tmpdir(), opts.prefix ?? 'mlops-test-'));
  const stateDir = join(root, '.mlops');
  const writeConfig = (text: string): void => writeFileSync(join(root, 'mlops.yaml'), text);
  if (opts.config !== false) writeConfig(opts.config ?? configYaml());
  return {
    root,
    stateDir,
    dbFile: join(stateDir, 'mlops.db'),
    daemonJson: join(stateDir, 'daemon.json'),
    writeConfig,
    cleanup: async () => {
      await stopDaemonsOf(root);
      if (existsSync(root)) rmSync(root, { recursive: true, force: true });
    },
  };
}
