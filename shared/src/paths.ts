/** Where a project's state lives, and how a command finds the project root from any sub-folder. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const STATE_DIR = '.mlops';

export function statePaths(root: string) {
  const dir = join(root, STATE_DIR);
  return {
    dir,
    db: join(dir, 'mlops.db'),
    objects: join(dir, 'objects'),
    daemonJson: join(dir, 'daemon.json'),
    /** The daemon's last port, kept across restarts (schemas/src/daemon-port.ts). */
    port: join(dir, 'port.json'),
    lock: join(dir, 'daemon.lock'),
    log: join(dir, 'daemon.log'),
  };
}

/** Walks up from `cwd` to the folder holding `mlops.yaml` or `.mlops/`; `MLOPS_ROOT` overrides. */
export function findProjectRoot(cwd: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env['MLOPS_ROOT']) return resolve(env['MLOPS_ROOT']);
  let dir = resolve(cwd);
  for (;;) {
    if (existsSync(join(dir, 'mlops.yaml')) || existsSync(join(dir, STATE_DIR))) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}
