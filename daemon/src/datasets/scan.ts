/**
 * Hashing a dataset's files: a stat per file, and a read only when size, mtime or inode differ from
 * the cache. New content is streamed into the object store while it is hashed.
 */
import { createHash } from 'node:crypto';
import { promises as fsp, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { type ObjectStore } from '../../../shared/src/objects';
import { NOFOLLOW_READ, UnsafePathError } from '../../../shared/src/safe-fs';

export { hashFile } from '../../../shared/src/objects';

export interface CacheEntry {
  size: number;
  mtime: string;
  ino: string;
  sha256: string;
}

export interface ScannedFile {
  path: string;
  size: number;
  sha256: string;
}

export interface ScanProgress {
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
}

export interface ScanResult {
  files: ScannedFile[];
  /** Entries to write back to the cache (files that were read). */
  fresh: Map<string, CacheEntry>;
  newObjects: number;
}


/** Files up to this size are read whole: one read instead of a stream, and no write when already stored. */
const SMALL_FILE = 8 << 20;

async function storeFile(objects: ObjectStore, file: string, size: number, onBytes: (n: number) => void) {
  if (size > SMALL_FILE) return objects.putFile(file, onBytes);
  const fh = await fsp.open(file, NOFOLLOW_READ).catch((e: NodeJS.ErrnoException) => {
    throw e.code === 'ELOOP' ? new UnsafePathError(`${file} became a symbolic link during the snapshot; refusing to read through it`) : e;
  });
  let bytes: Buffer;
  try {
    bytes = await fh.readFile();
  } finally {
    await fh.close();
  }
  onBytes(bytes.length);
  return objects.putBytes(bytes, { durable: false });
}

export async function scanFiles(
  root: string,
  paths: string[],
  cache: Map<string, CacheEntry>,
  objects: ObjectStore,
  onProgress?: (p: ScanProgress) => void,
): Promise<ScanResult> {
  const stats = paths.map((p) => {
    // lstat: a file replaced by a link after the pattern was expanded is refused, never followed.
    const st = lstatSync(join(root, p));
    if (!st.isFile()) throw new UnsafePathError(`${p} is not a regular file (a link or folder appeared during the snapshot); run it again`);
    return { path: p, size: st.size, mtime: String(st.mtimeMs), ino: String(st.ino) };
  });
  const progress: ScanProgress = { filesDone: 0, filesTotal: stats.length, bytesDone: 0, bytesTotal: 0 };
  for (const s of stats) progress.bytesTotal += s.size;
  const files: ScannedFile[] = [];
  const fresh = new Map<string, CacheEntry>();
  let newObjects = 0;
  for (const s of stats) {
    const hit = cache.get(s.path);
    let sha: string;
    if (hit && hit.size === s.size && hit.mtime === s.mtime && hit.ino === s.ino) {
      sha = hit.sha256;
      progress.bytesDone += s.size;
    } else {
      const stored = await storeFile(objects, join(root, s.path), s.size, (n) => {
        progress.bytesDone += n;
        onProgress?.(progress);
      });
      sha = stored.sha256;
      if (stored.created) newObjects++;
      fresh.set(s.path, { size: stored.size, mtime: s.mtime, ino: s.ino, sha256: sha });
      s.size = stored.size;
    }
    files.push({ path: s.path, size: s.size, sha256: sha });
    progress.filesDone++;
    if (progress.filesDone % 512 === 0 || progress.filesDone === progress.filesTotal) onProgress?.(progress);
  }
  return { files, fresh, newObjects };
}

/** One hash for a whole manifest: equal file sets have equal fingerprints. */
export function fingerprint(files: ScannedFile[]): string {
  return createHash('sha256')
    .update(files.map((f) => `${f.path}\0${f.size}\0${f.sha256}\n`).join(''))
    .digest('hex');
}
