/** Direct looks at a project's SQLite store, as an operator would take them with the sqlite3 shell. */
import Database from 'better-sqlite3';
import { join } from 'node:path';

export function openDb(root: string, opts: { readonly?: boolean } = {}): Database.Database {
  return new Database(join(root, '.mlops', 'mlops.db'), { readonly: opts.readonly ?? false, timeout: 5000 });
}

/** `PRAGMA integrity_check` of the store; "ok" when sound. */
export function integrityCheck(root: string): string {
  const db = openDb(root);
  try {
    const rows = db.pragma('integrity_check') as { integrity_check: string }[];
    return rows.map((r) => r.integrity_check).join('; ');
  } finally {
    db.close();
  }
}

export interface StoreSnapshot {
  lastSeq: number;
  events: number;
  models: number;
  versions: number;
  aliases: number;
  history: number;
}

/** Counts that any write would change; two equal snapshots mean nothing was written in between. */
export function snapshot(root: string): StoreSnapshot {
  const db = openDb(root, { readonly: true });
  try {
    return db
      .prepare(
        `SELECT (SELECT COALESCE(MAX(seq), 0) FROM events) AS lastSeq, (SELECT COUNT(*) FROM events) AS events,
          (SELECT COUNT(*) FROM models) AS models, (SELECT COUNT(*) FROM model_versions) AS versions,
          (SELECT COUNT(*) FROM model_aliases) AS aliases, (SELECT COUNT(*) FROM production_history) AS history`,
      )
      .get() as StoreSnapshot;
  } finally {
    db.close();
  }
}
