/**
 * Finds the project's daemon, or starts one. `.mlops/daemon.json` says where it listens; a missing,
 * stale or unanswering daemon is replaced by a fresh detached process. Concurrent starters race
 * harmlessly: the daemon's exclusive lock lets one win and the others connect to it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync, closeSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { daemonInfoSchema, EXIT_ALREADY_RUNNING, type DaemonInfo } from '../../schemas/src/api';
import { statePaths } from '../../shared/src/paths';
import { getStatus } from '../../schemas/src/endpoints/daemon';
import { DaemonClient } from './client';

export interface ConnectOptions {
  /** Start a daemon when none answers (default true). */
  autoStart?: boolean;
  /** Node executable for the daemon (default: this process's). */
  nodePath?: string;
  /** The daemon bundle (default: dist/daemon.js next to this bundle). */
  daemonScript?: string;
  actor?: string;
  timeoutMs?: number;
}

export class DaemonUnavailableError extends Error {}

export function readDaemonInfo(root: string): DaemonInfo | undefined {
  try {
    const parsed = daemonInfoSchema.safeParse(JSON.parse(readFileSync(statePaths(root).daemonJson, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** A client for the running daemon, or undefined when none answers. */
export async function probeDaemon(root: string, actor = 'api'): Promise<DaemonClient | undefined> {
  const info = readDaemonInfo(root);
  if (!info) return undefined;
  const client = new DaemonClient({ port: info.port, token: info.token }, actor);
  try {
    const st = await client.request(getStatus);
    return st.pid === info.pid ? client : undefined;
  } catch {
    return undefined;
  }
}

export function defaultDaemonScript(): string {
  return join(__dirname, 'daemon.js');
}

/** Spawns a detached daemon whose output goes to `.mlops/daemon.log`. */
export function spawnDaemon(root: string, opts: ConnectOptions = {}): ChildProcess {
  const paths = statePaths(root);
  mkdirSync(paths.dir, { recursive: true });
  const out = openSync(paths.log, 'a');
  try {
    const child = spawn(opts.nodePath ?? process.execPath, [opts.daemonScript ?? defaultDaemonScript(), '--root', root], {
      detached: true,
      stdio: ['ignore', out, out],
      cwd: root,
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    child.unref();
    return child;
  } finally {
    closeSync(out);
  }
}

export async function connectDaemon(root: string, opts: ConnectOptions = {}): Promise<DaemonClient> {
  const actor = opts.actor ?? 'api';
  const running = await probeDaemon(root, actor);
  if (running) return running;
  if (opts.autoStart === false) {
    throw new DaemonUnavailableError(`no daemon is running for ${root}; start one with \`mlops daemon start\``);
  }
  const logStart = fileSize(statePaths(root).log);
  const child = spawnDaemon(root, opts);
  // A daemon that exits at once (newer store, bad Node) is reported at once; exit 75 means
  // another daemon won the start race, so keep waiting for that one.
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? 1));
  child.once('error', () => (exited = 127));
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  let wait = 25;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, wait));
    wait = Math.min(wait * 2, 250);
    const client = await probeDaemon(root, actor);
    if (client) return client;
    if (exited !== null && exited !== EXIT_ALREADY_RUNNING) {
      throw new DaemonUnavailableError(`the daemon for ${root} exited with code ${exited}: ${logTail(root, logStart) || 'no log'}`);
    }
  }
  const log = logTail(root, logStart);
  throw new DaemonUnavailableError(
    `the daemon for ${root} did not start within ${Math.round((opts.timeoutMs ?? 15_000) / 1000)} s${log ? `; its log says: ${log}` : ''}`,
  );
}


function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** The last lines this start of the daemon wrote (earlier runs' lines would mislead). */
function logTail(root: string, from: number): string {
  try {
    return readFileSync(statePaths(root).log).subarray(from).toString('utf8').trim().split('\n').slice(-2).join(' | ');
  } catch {
    return '';
  }
}
