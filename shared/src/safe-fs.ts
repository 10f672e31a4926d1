/**
 * File access that cannot be steered out of the project: every project-relative path is checked
 * like user input, every folder on the way is checked not to be a symbolic link, reads open with
 * O_NOFOLLOW, and writes go to an exclusively created temp file with an unpredictable name that is
 * then renamed into place (rename replaces a planted link itself, never its target).
 */
import { randomBytes } from 'node:crypto';
import { constants, lstatSync, mkdirSync, promises as fsp, realpathSync, type Stats } from 'node:fs';
import { join, sep } from 'node:path';
import { DomainError } from './errors';

export const NOFOLLOW_READ = constants.O_RDONLY | constants.O_NOFOLLOW;
const EXCL_WRITE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** A link, or something else, found where the project needs a plain file or folder. */
export class UnsafePathError extends DomainError {
  constructor(message: string) {
    super(409, 'unsafe_path', message);
  }
}

/**
 * Checks a project-relative path (from a user, a client or the store) and returns its segments.
 * Absolute paths, "..", ".", empty segments, backslashes and NUL are refused.
 */
export function relSegments(rel: string, what = 'path'): string[] {
  const segs = rel.split('/');
  const bad =
    rel.length === 0 ||
    rel.length > 4096 ||
    /[\0\\]/.test(rel) ||
    segs.some((s) => s === '' || s === '.' || s === '..');
  if (bad) throw new DomainError(422, 'unsafe_path', `${what} "${printable(rel)}" is not a plain path inside the project`);
  return segs;
}

function printable(s: string): string {
   
  return s.slice(0, 200).replace(/[\u0000-\u001f\u007f]/g, '?');
}

function lstatOrUndefined(p: string): Stats | undefined {
  try {
    return lstatSync(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw e;
  }
}

/** The project root itself, resolved once: a root reached through a link is fine, links below it are not. */
export function realRoot(root: string): string {
  return realpathSync(root);
}

/**
 * Walks the folders of `rel` below `root` and refuses any that is a link or not a folder. Returns
 * the absolute path and the lstat of the last segment (undefined when it does not exist).
 * `create` makes missing folders one by one (never through a link).
 */
export function checkInside(root: string, rel: string, opts: { create?: boolean; what?: string } = {}): { abs: string; st?: Stats } {
  const segs = relSegments(rel, opts.what);
  let cur = root;
  for (let i = 0; i < segs.length - 1; i++) {
    cur = join(cur, segs[i] as string);
    const st = lstatOrUndefined(cur);
    if (!st) {
      if (!opts.create) return { abs: join(root, ...segs) };
      mkdirSync(cur, { mode: 0o755 });
      continue;
    }
    if (st.isSymbolicLink()) throw new UnsafePathError(`${segs.slice(0, i + 1).join('/')} is a symbolic link; refusing to follow it out of the project (replace it with a real folder)`);
    if (!st.isDirectory()) throw new UnsafePathError(`${segs.slice(0, i + 1).join('/')} is not a folder, but ${rel} needs it to be one`);
  }
  const abs = join(root, ...segs);
  return { abs, st: lstatOrUndefined(abs) };
}

/** True when `abs` (already real) lies inside `root` (already real). */
export function isInside(root: string, abs: string): boolean {
  return abs === root || abs.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** A temp file name next to `dest` that no one can guess in advance. */
export function tempNameFor(dest: string): string {
  return `${dest}.mlops-tmp-${randomBytes(12).toString('hex')}`;
}

/**
 * Copies `src` (an object in the store) to a fresh, exclusively created temp file next to `dest`
 * and returns its name; the caller renames it into place (or removes it on rollback).
 */
export async function stageCopy(src: string, dest: string, mode = 0o644): Promise<string> {
  const tmp = tempNameFor(dest);
  const out = await fsp.open(tmp, EXCL_WRITE, mode);
  try {
    const input = await fsp.open(src, NOFOLLOW_READ);
    try {
      const buf = Buffer.allocUnsafe(1 << 20);
      for (;;) {
        const { bytesRead } = await input.read(buf, 0, buf.length, null);
        if (!bytesRead) break;
        await out.write(buf, 0, bytesRead);
      }
    } finally {
      await input.close();
    }
    await out.chmod(mode);
  } catch (e) {
    await out.close();
    await fsp.rm(tmp, { force: true });
    throw e;
  }
  await out.close();
  return tmp;
}

/** Writes a whole buffer to a new file that must not exist and is never a link (owner-only by default). */
export async function writeExclusive(file: string, data: Uint8Array | string, mode = 0o600): Promise<void> {
  const fh = await fsp.open(file, EXCL_WRITE, mode);
  try {
    await fh.writeFile(data);
  } finally {
    await fh.close();
  }
}
