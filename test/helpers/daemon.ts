/**
 * Starts the real daemon (`node dist/daemon.js --root <project>`) as a child process and hands back a
 * typed client connected through the `daemon.json` it publishes. Every daemon started here is killed
 * when the test process exits, so a failing test never leaves one behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { daemonInfoSchema, type DaemonInfo } from '../../schemas/src/api';
import { DaemonClient } from '../../client/src/client';
import { DAEMON_JS, ensureBuilt } from './paths';
import * as endpoints from '../../schemas/src/endpoints';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningDaemon {
  root: string;
  proc: ChildProcess;
  pid: number;
  info: DaemonInfo;
  client: DaemonClient;
  /** Everything the daemon wrote to stdout and stderr so far. */
  output(): string;
  exited: Promise<Exit>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<Exit>;
  /** kill -9 and wait for the exit. */
  kill9(): Promise<Exit>;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

export function readInfo(root: string): DaemonInfo | undefined {
  try {
    const parsed = daemonInfoSchema.safeParse(JSON.parse(readFileSync(join(root, '.mlops', 'daemon.json'), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Spawns the daemon without waiting; for tests that expect it to refuse to start. */
export function spawnDaemonProcess(root: string, extraArgs: string[] = []): { proc: ChildProcess; output(): string; exited: Promise<Exit> } {
  ensureBuilt();
  const proc = spawn(process.execPath, [DAEMON_JS, '--root', root, ...extraArgs], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MLOPS_ROOT: '' },
  });
  live.add(proc);
  let out = '';
  proc.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<Exit>((resolve) =>
    proc.once('exit', (code, signal) => {
      live.delete(proc);
      resolve({ code, signal });
    }),
  );
  return { proc, output: () => out, exited };
}

/** Starts a daemon and resolves once it answers `/status` with its own pid. */
export async function startDaemon(root: string, opts: { actor?: string; timeoutMs?: number } = {}): Promise<RunningDaemon> {
  const { proc, output, exited } = spawnDaemonProcess(root);
  let exit: Exit | undefined;
  void exited.then((e) => (exit = e));
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  while (Date.now() < deadline) {
    if (exit) throw new Error(`daemon exited (code ${exit.code}, signal ${exit.signal}) before serving:\n${output()}`);
    const info = readInfo(root);
    if (info && info.pid === proc.pid) {
      const client = new DaemonClient({ port: info.port, token: info.token }, opts.actor ?? 'test');
      const st = await client.request(endpoints.getStatus).catch(() => undefined);
      if (st?.pid === proc.pid) {
        const signalAndWait = (sig: NodeJS.Signals) => (): Promise<Exit> => {
          if (!exit) proc.kill(sig);
          return exited;
        };
        return { root, proc, pid: proc.pid, info, client, output, exited, stop: signalAndWait('SIGTERM'), kill9: signalAndWait('SIGKILL') };
      }
    }
    await new Promise((r) => setTimeout(r, 30));
  }
  proc.kill('SIGKILL');
  throw new Error(`daemon did not start within ${opts.timeoutMs ?? 15_000} ms:\n${output()}`);
}
