/**
 * `mlops doctor`: checks a project's store without changing it — database integrity, every object
 * the database references (present, right size; `verify` also re-hashes it), manifest paths that
 * would leave the project, and temp files left by killed writes. `rebuild` is the explicit repair
 * for a store whose database is gone: the objects and any damaged database are moved, never
 * deleted, to `.mlops/recovered/<time>/`, so a new store can start.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, lstatSync, mkdirSync, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { type DoctorReport } from '../../schemas/src/security';
import { statePaths } from './paths';

export interface ObjectCount {
  objects: number;
  bytes: number;
}

/** Counts the content objects (`objects/ab/cdef…`), stopping early once `stopAt` are found. */
export function countObjects(objectsDir: string, stopAt = Number.POSITIVE_INFINITY): ObjectCount {
  const out = { objects: 0, bytes: 0 };
  for (const prefix of safeList(objectsDir)) {
    if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
    for (const rest of safeList(join(objectsDir, prefix))) {
      const st = lstatSync(join(objectsDir, prefix, rest), { throwIfNoEntry: false });
      if (!st?.isFile()) continue;
      out.objects++;
      out.bytes += st.size;
      if (out.objects >= stopAt) return out;
    }
  }
  return out;
}

/** 'missing', 'empty' (0 bytes, or no tables), or 'present'. */
export function databaseState(dbFile: string): 'missing' | 'empty' | 'present' {
  const st = lstatSync(dbFile, { throwIfNoEntry: false });
  if (!st) return 'missing';
  if (st.size === 0) return 'empty';
  let db: Database.Database | undefined;
  try {
    db = new Database(dbFile, { readonly: true, fileMustExist: true });
    const tables = db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number };
    return tables.n === 0 ? 'empty' : 'present';
  } catch {
    // Unreadable or damaged: opening it for real reports the cause (store-errors.ts).
    return 'present';
  } finally {
    db?.close();
  }
}


type Problem = DoctorReport['problems'][number];

/** A manifest path the daemon's checkout accepts: relative, no "." or ".." or empty segments, no NUL or backslash. */
function isPlainRelPath(p: string): boolean {
  return p.length > 0 && !/[\0\\]/.test(p) && !p.split('/').some((s) => s === '' || s === '.' || s === '..');
}

interface Reference {
  subject: string;
  sha: string;
  size: number;
}

const REFERENCES = `
  SELECT 'model:' || m.name || '/' || v.version AS subject, v.artifact_sha256 AS sha, v.artifact_size AS size
    FROM model_versions v JOIN models m ON m.id = v.model_id WHERE v.removed_at IS NULL
  UNION ALL SELECT 'dataset:' || d.name || '/' || dv.version || ':' || f.path, f.sha256, f.size
    FROM dataset_files f JOIN dataset_versions dv ON dv.id = f.version_id JOIN datasets d ON d.id = dv.dataset_id
  UNION ALL SELECT 'run:' || run_id || ':' || path, sha256, size FROM run_artifacts
  UNION ALL SELECT 'run:' || id || ':git-diff', git_diff_sha256, -1 FROM runs WHERE git_diff_sha256 IS NOT NULL`;

/** MLflow's logged models (store version 5 on); an older store, opened read-only, has no such table. */
const LOGGED_MODEL_REFERENCES = `
  UNION ALL SELECT 'logged-model:' || model_id || ':' || path, sha256, size FROM logged_model_artifacts`;

function objectPath(objectsDir: string, sha: string): string {
  return join(objectsDir, sha.slice(0, 2), sha.slice(2));
}

function hashOf(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file).on('data', (c) => h.update(c)).on('error', reject).on('end', () => resolve(h.digest('hex')));
  });
}

/** One problem per referenced object that is missing, of the wrong size, or (verify) of other content. */
async function checkObjects(refs: Reference[], objectsDir: string, verify: boolean): Promise<{ problems: Problem[]; checked: number }> {
  const problems: Problem[] = [];
  const seen = new Map<string, string | undefined>();
  for (const r of refs) {
    if (!seen.has(r.sha)) {
      const file = objectPath(objectsDir, r.sha);
      const st = lstatSync(file, { throwIfNoEntry: false });
      let fault: string | undefined;
      if (!st?.isFile()) fault = 'missing';
      else if (r.size >= 0 && st.size !== r.size) fault = `size ${st.size}, expected ${r.size}`;
      else if (verify && (await hashOf(file)) !== r.sha) fault = 'content does not match its hash';
      seen.set(r.sha, fault);
    }
    const fault = seen.get(r.sha);
    if (fault) {
      problems.push({
        kind: fault === 'missing' ? 'missing_object' : 'corrupt_object',
        subject: r.subject,
        detail: `object ${r.sha.slice(0, 12)}: ${fault}`,
      });
    }
  }
  return { problems, checked: seen.size };
}

function unsafePaths(db: Database.Database): Problem[] {
  const rows = db
    .prepare('SELECT d.name, dv.version, f.path FROM dataset_files f JOIN dataset_versions dv ON dv.id = f.version_id JOIN datasets d ON d.id = dv.dataset_id')
    .iterate() as IterableIterator<{ name: string; version: number; path: string }>;
  const out: Problem[] = [];
  for (const r of rows) {
    if (!isPlainRelPath(r.path)) {
      out.push({ kind: 'unsafe_manifest_path', subject: `dataset:${r.name}/${r.version}`, detail: `path ${JSON.stringify(r.path)} would leave the project; checkout refuses it` });
    }
  }
  return out;
}

export async function runDoctor(root: string, opts: { verify?: boolean } = {}): Promise<DoctorReport> {
  const paths = statePaths(root);
  const state = databaseState(paths.db);
  if (state !== 'present') {
    const found = countObjects(paths.objects);
    const problems: Problem[] = found.objects
      ? [{ kind: 'integrity', subject: 'store', detail: `.mlops/mlops.db is ${state} but ${found.objects} objects (${found.bytes} bytes) are stored: restore the database from a backup, or run \`mlops doctor --rebuild\`` }]
      : [];
    return { ok: problems.length === 0, checked_objects: 0, referenced_objects: 0, problems };
  }
  const db = new Database(paths.db, { readonly: true, fileMustExist: true });
  try {
    const integrity = (db.pragma('quick_check') as { quick_check: string }[]).map((r) => r.quick_check).filter((m) => m !== 'ok');
    const problems: Problem[] = integrity.map((m) => ({ kind: 'integrity', subject: 'mlops.db', detail: m }));
    const hasLogged = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'logged_model_artifacts'").get() !== undefined;
    const refs = db.prepare(REFERENCES + (hasLogged ? LOGGED_MODEL_REFERENCES : '')).all() as Reference[];
    const objects = await checkObjects(refs, paths.objects, opts.verify ?? false);
    problems.push(...objects.problems, ...unsafePaths(db));
    const temps = safeList(join(paths.objects, 'tmp')).length;
    if (temps) problems.push({ kind: 'stale_temp', subject: 'objects/tmp', detail: `${temps} temp files from interrupted writes (removed at the next daemon start or by \`mlops gc\`)` });
    return { ok: problems.length === 0, checked_objects: objects.checked, referenced_objects: refs.length, problems };
  } finally {
    db.close();
  }
}

/**
 * Sets a lost store's objects (and the damaged database, if any) aside so a new store can start.
 * Must run while no daemon serves the project (the caller holds or checks the lock).
 */
export function rebuildStore(root: string): { moved_to: string; found: ObjectCount } {
  const paths = statePaths(root);
  const found = countObjects(paths.objects);
  const dest = join(paths.dir, 'recovered', new Date().toISOString().replace(/[:.]/g, '-'));
  mkdirSync(dest, { recursive: true, mode: 0o700 });
  if (existsSync(paths.objects)) renameSync(paths.objects, join(dest, 'objects'));
  // A present database is kept (it may be the one the user restored); a missing or empty one is set aside.
  if (databaseState(paths.db) !== 'present') {
    for (const f of ['mlops.db', 'mlops.db-wal', 'mlops.db-shm']) {
      const src = join(paths.dir, f);
      if (existsSync(src)) renameSync(src, join(dest, f));
    }
  }
  return { moved_to: dest, found };
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
