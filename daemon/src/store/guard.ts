/**
 * A damaged store is never silently replaced. Before the database is opened: objects on disk but
 * no database (deleted, emptied) means the store that knew them is gone, and the daemon refuses to
 * start until the user restores it or asks for `mlops doctor --rebuild`. After it is opened: the
 * objects folder carries the id of the database it belongs to, so a new database never deletes
 * (gc) objects it did not write.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { countObjects, databaseState, type ObjectCount } from '../../../shared/src/doctor';
import { type Db } from './db';

export { countObjects, databaseState };

export class StoreRefusedError extends Error {}

export const STORE_ID_FILE = 'STORE_ID';

export function refusalMessage(state: string, found: ObjectCount): string {
  return (
    `.mlops/mlops.db is ${state} but .mlops/objects holds ${found.objects} stored objects (${found.bytes} bytes): ` +
    'the records of your models, runs and datasets are gone, and starting a new empty store would lose track of them. ' +
    'Restore .mlops/mlops.db from a backup, or run `mlops doctor --rebuild` to set the objects aside in .mlops/recovered/ and start a new store'
  );
}

/** Throws when the database is missing or empty while objects exist. */
export function checkBeforeOpen(dbFile: string, objectsDir: string): void {
  const state = databaseState(dbFile);
  if (state === 'present') return;
  const found = countObjects(objectsDir);
  if (found.objects > 0) throw new StoreRefusedError(refusalMessage(state, found));
}

export function storeId(db: Db): string | undefined {
  const row = db.prepare("SELECT value FROM store_meta WHERE key = 'store_id'").get() as { value: string } | undefined;
  return row?.value;
}

function readObjectsId(objectsDir: string): string | undefined {
  try {
    return readFileSync(join(objectsDir, STORE_ID_FILE), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Ties the objects folder to this database: an unmarked folder (new, or from before store ids) is
 * marked; one marked by another database is refused.
 */
export function bindObjects(db: Db, objectsDir: string): void {
  const mine = storeId(db);
  if (!mine) return;
  const theirs = readObjectsId(objectsDir);
  if (theirs === mine) return;
  if (theirs) {
    throw new StoreRefusedError(
      `.mlops/objects belongs to another store (id ${theirs}) than .mlops/mlops.db (id ${mine}): the database was replaced. ` +
        'Put the original .mlops/mlops.db back, or run `mlops doctor --rebuild` to set the objects aside and start a new store',
    );
  }
  if (existsSync(objectsDir)) writeFileSync(join(objectsDir, STORE_ID_FILE), mine + '\n', { mode: 0o600 });
}

/** True when gc may delete from this objects folder: it is marked with this database's id. */
export function ownsObjects(db: Db, objectsDir: string): boolean {
  const mine = storeId(db);
  return mine !== undefined && readObjectsId(objectsDir) === mine;
}
