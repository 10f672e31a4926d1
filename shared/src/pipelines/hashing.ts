/**
 * Content hashes of stage deps and outs: a file, every file below a folder, a glob's matches, or
 * an absolute path outside the project. A stat cache (size, mtime, inode → sha256) keeps deciding
 * "nothing changed" to a stat per file; it is written back only when something was read, so a fully
 * cached run writes no file.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync, mkdirSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { expandPatterns, IGNORED_DIRS } from '../glob';
import { hashFile } from '../objects';

export interface HashedFile {
  /** Project-relative (forward slashes) or absolute for paths outside the project. */
  path: string;
  size: number;
  sha256: string;
}

/** What one dep or out is now: its files and one hash over them (null when nothing exists). */
export interface PathState {
  hash: string | null;
  files: HashedFile[];
}

interface StatEntry {
  size: number;
  mtime: number;
  ino: number;
  sha256: string;
}

const GLOB = /[*?[\]{}]/;

export class HashCache {
  private entries = new Map<string, StatEntry>();
  private dirty = false;

  constructor(private readonly path: string) {
    try {
      const data = JSON.parse(readFileSync(path, "utf8")) as Record<string, StatEntry>;
      this.entries = new Map(Object.entries(data));
    } catch {
      // A missing or unreadable cache only costs re-reading files.
    }
  }

  /** Hash of one file, from the cache when size, mtime and inode are unchanged. */
  async file(abs: string, st: Stats): Promise<string> {
    const hit = this.entries.get(abs);
    if (hit && hit.size === st.size && hit.mtime === st.mtimeMs && hit.ino === st.ino) return hit.sha256;
    const { sha256 } = await hashFile(abs);
    this.remember(abs, st, sha256);
    return sha256;
  }

  /** Records a hash computed elsewhere (e.g. while storing an out in the object store). */
  remember(abs: string, st: Stats, sha256: string): void {
    this.entries.set(abs, { size: st.size, mtime: st.mtimeMs, ino: st.ino, sha256 });
    this.dirty = true;
  }

  /** Writes the cache (atomically) only when it changed. */
  save(): void {
    if (!this.dirty) return;
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(Object.fromEntries(this.entries)));
    renameSync(tmp, this.path);
    this.dirty = false;
  }
}

/** Every file below an absolute folder, sorted, as absolute paths. */
function walkAbs(dir: string, out: string[]): void {
  let names;
  try {
    names = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of names) {
    if (IGNORED_DIRS.has(e.name)) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) walkAbs(p, out);
    else if (e.isFile()) out.push(p);
  }
}

/** The files a dep or out names: project paths relative, outside paths absolute. */
export function filesOf(root: string, path: string): string[] {
  if (isAbsolute(path)) {
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st) return [];
    if (st.isFile()) return [path];
    const out: string[] = [];
    walkAbs(path, out);
    return out.sort();
  }
  if (!GLOB.test(path) && !existsSync(join(root, path))) return [];
  return expandPatterns(root, [path]);
}

/** One hash over a set of files: equal sets have equal hashes; a single file is its own sha256. */
export function setHash(files: HashedFile[], single: boolean): string | null {
  if (!files.length) return null;
  if (single && files.length === 1) return (files[0] as HashedFile).sha256;
  return createHash('sha256')
    .update(files.map((f) => `${f.path}\0${f.size}\0${f.sha256}\n`).join(''))
    .digest('hex');
}

/** Hashes a dep or out (file, folder, glob or absolute path). */
export async function hashPath(root: string, path: string, cache: HashCache): Promise<PathState> {
  if (!GLOB.test(path)) {
    // The common case, a plain file: one stat, and the hash from the cache.
    const abs = isAbsolute(path) ? path : join(root, path);
    const st = statSync(abs, { throwIfNoEntry: false });
    if (!st) return { hash: null, files: [] };
    if (st.isFile()) {
      const sha256 = await cache.file(abs, st);
      return { hash: sha256, files: [{ path: path.replace(/\\/g, '/').replace(/^\.\//, ''), size: st.size, sha256 }] };
    }
  }
  const files: HashedFile[] = [];
  for (const f of filesOf(root, path)) {
    const abs = isAbsolute(f) ? f : join(root, f);
    const st = statSync(abs, { throwIfNoEntry: false });
    if (!st) continue;
    files.push({ path: f, size: st.size, sha256: await cache.file(abs, st) });
  }
  const single = files.length === 1 && files[0]?.path === path.replace(/\\/g, '/').replace(/^\.\//, '');
  return { hash: setHash(files, single), files };
}
