/**
 * `.mlops/` holds the daemon's token, the database and every stored object: readable by the owner
 * only. Stores made before this rule are tightened at start.
 */
import { chmodSync, closeSync, constants, lstatSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';

const OWNER_FILES = ['mlops.db', 'mlops.db-wal', 'mlops.db-shm', 'daemon.json', 'daemon.lock', 'daemon.log'];

export function restrictStateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodIfOurs(dir, 0o700);
  chmodIfOurs(join(dir, 'objects'), 0o700);
  for (const f of OWNER_FILES) chmodIfOurs(join(dir, f), 0o600);
}

/** chmod without following a link (a link planted in .mlops/ is left alone, not its target changed). */
function chmodIfOurs(p: string, mode: number): void {
  const st = lstatSync(p, { throwIfNoEntry: false });
  if (!st || st.isSymbolicLink()) return;
  if ((st.mode & 0o777) !== mode) chmodSync(p, mode);
}

/** Creates an empty file readable by the owner only (SQLite then gives its -wal and -shm the same mode). */
export function createOwnerOnly(file: string): void {
  try {
    closeSync(openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
}
