/**
 * Daemon process entry (dist/daemon.js): `node dist/daemon.js --root <project> [--port N]`.
 * Takes the project's single-instance lock, opens the store, serves the API on 127.0.0.1 and
 * publishes `{pid, port, token, version}` in `.mlops/daemon.json` (mode 0600).
 */
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type DaemonInfo } from '../../schemas/src/api';
import { DaemonApp } from './app';
import { listenKeepingPort } from './port';
import { EXIT_ALREADY_RUNNING } from '../../schemas/src/api';
import { statePaths } from '../../shared/src/paths';
import { StoreVersionError } from './store/db';
import { StoreRefusedError } from './store/guard';
import { storeErrorMessage } from './store/store-errors';
import { createLogger } from './util/logger';
import { VERSION } from '../../shared/src/version';


/**
 * An exclusive SQLite lock on `.mlops/daemon.lock`: the kernel releases it when the process dies,
 * even by kill -9, so a stale lock never blocks the next start.
 */
function takeLock(file: string): Database.Database | undefined {
  const lock = new Database(file, { timeout: 0 });
  try {
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.exec('BEGIN EXCLUSIVE');
    return lock;
  } catch {
    lock.close();
    return undefined;
  }
}

/** Exit code of a daemon that will not open a damaged or unwritable store (until the user acts). */
const EXIT_STORE_REFUSED = 4;

function writeInfo(file: string, info: DaemonInfo): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
}

function removeInfoIfOurs(file: string): void {
  try {
    const info = JSON.parse(readFileSync(file, 'utf8')) as { pid?: number };
    if (info.pid === process.pid) rmSync(file, { force: true });
  } catch {
    // Already gone: nothing to clean.
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { root: { type: 'string' }, port: { type: 'string' }, log: { type: 'string' } } });
  const root = resolve(values.root ?? process.cwd());
  const paths = statePaths(root);
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  const log = createLogger(values.log === 'debug' ? 'debug' : 'info');
  const lock = takeLock(paths.lock);
  if (!lock) {
    log.info(`another daemon already serves ${root}; exiting`);
    process.exit(EXIT_ALREADY_RUNNING);
  }
  const token = randomBytes(32).toString('hex');
  let stopping = false;
  const stop = (why: string): void => {
    if (stopping) return;
    stopping = true;
    log.info(`stopping (${why})`);
    removeInfoIfOurs(paths.daemonJson);
    app.events.record({ actor: 'daemon', kind: 'daemon.stopping', subject: 'daemon', reason: why });
    app.close().then(
      () => {
        lock.close();
        process.exit(0);
      },
      (e: unknown) => {
        log.error(`error while stopping: ${String(e)}`);
        process.exit(1);
      },
    );
  };
  const app = new DaemonApp({ root, token, log, onStopRequest: () => stop('stop requested') });
  const port = await listenKeepingPort((p) => app.listen(p), paths.port, values.port === undefined ? undefined : Number(values.port));
  await app.startWatching();
  writeInfo(paths.daemonJson, { pid: process.pid, port, token, version: VERSION });
  app.events.record({ actor: 'daemon', kind: 'daemon.started', subject: 'daemon', after: { pid: process.pid, port, version: VERSION } });
  log.info(`MLOps Workbench daemon ${VERSION} serving ${root} on 127.0.0.1:${port} (pid ${process.pid})`);
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => stop('SIGHUP'));
}

/** Why the daemon cannot start, on one line with what to do; a stack only for the unexpected. */
function startFailure(e: unknown): { line: string; code: number } {
  if (e instanceof StoreVersionError) return { line: e.message, code: 3 };
  if (e instanceof StoreRefusedError) return { line: e.message, code: EXIT_STORE_REFUSED };
  const store = storeErrorMessage(e);
  if (store) return { line: store, code: EXIT_STORE_REFUSED };
  return { line: e instanceof Error ? (e.stack ?? e.message) : String(e), code: 1 };
}

main().catch((e: unknown) => {
  const f = startFailure(e);
  process.stderr.write(`mlops daemon: ${f.line}\n`);
  process.exit(f.code);
});
