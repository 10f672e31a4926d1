/**
 * Content-addressed object store: `objects/ab/cdef…` named by the sha256 of the content.
 * Writes go to a temp file that is fsynced and renamed into place, so a crash never leaves a
 * partial object under a real name, and the same content is stored once.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fsp, existsSync, lstatSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable } from 'node:stream';
import { NOFOLLOW_READ } from './safe-fs';

export interface StoredObject {
  sha256: string;
  size: number;
  /** False when the content was already present. */
  created: boolean;
}

/** Temp files older than this are leftovers of a killed process (a live write touches its file constantly). */
export const STALE_TEMP_MS = 60 * 60 * 1000;

export class ObjectTooLargeError extends Error {}

export class ObjectStore {
  constructor(readonly dir: string) {
    // Owner-only: stored content may include secrets (a logged config, a token by mistake).
    mkdirSync(join(dir, 'tmp'), { recursive: true, mode: 0o700 });
  }

  private tempName(): string {
    return join(this.dir, 'tmp', `${process.pid}-${randomBytes(12).toString('hex')}`);
  }

  /**
   * Removes temp files left by killed processes: at daemon start (no write is running: the daemon
   * holds the project lock) every one, from gc only those older than `olderThanMs`.
   */
  cleanTemp(olderThanMs = 0): { files: number; bytes: number } {
    const tmpDir = join(this.dir, 'tmp');
    let files = 0;
    let bytes = 0;
    const now = Date.now();
    for (const name of safeReaddir(tmpDir)) {
      const file = join(tmpDir, name);
      const st = lstatSync(file, { throwIfNoEntry: false });
      if (!st || now - st.mtimeMs < olderThanMs) continue;
      rmSync(file, { force: true, recursive: true });
      files++;
      bytes += st.size;
    }
    return { files, bytes };
  }

  /**
   * Streams content sent by a client into the store, refusing more than `limit` bytes. The daemon
   * never reads a path a client names: clients send the bytes.
   */
  async putStream(input: Readable, limit: number): Promise<StoredObject> {
    const tmp = this.tempName();
    const hash = createHash('sha256');
    let size = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        if (size > limit) {
          cb(new ObjectTooLargeError(`content exceeds ${limit} bytes`));
          return;
        }
        hash.update(chunk);
        cb(null, chunk);
      },
    });
    try {
      await pipeline(input, tap, createWriteStream(tmp, { flags: 'wx', mode: 0o600 }));
      return await this.commit(tmp, hash.digest('hex'), size);
    } finally {
      await fsp.rm(tmp, { force: true });
    }
  }

  pathOf(sha256: string): string {
    return join(this.dir, sha256.slice(0, 2), sha256.slice(2));
  }

  has(sha256: string): boolean {
    return existsSync(this.pathOf(sha256));
  }

  /** The size of a stored object, or undefined when the store lacks it. */
  sizeOf(sha256: string): number | undefined {
    const st = lstatSync(this.pathOf(sha256), { throwIfNoEntry: false });
    return st?.isFile() ? st.size : undefined;
  }

  /** Streams a file in, hashing while copying; `onBytes` reports progress. */
  async putFile(src: string, onBytes?: (n: number) => void): Promise<StoredObject> {
    const tmp = this.tempName();
    const hash = createHash('sha256');
    let size = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        size += chunk.length;
        onBytes?.(chunk.length);
        cb(null, chunk);
      },
    });
    try {
      const fh = await fsp.open(src, NOFOLLOW_READ);
      await pipeline(fh.createReadStream({ highWaterMark: 1 << 20 }), tap, createWriteStream(tmp, { flags: 'wx', mode: 0o600 }));
      return await this.commit(tmp, hash.digest('hex'), size);
    } finally {
      await fsp.rm(tmp, { force: true });
    }
  }

  /**
   * Stores bytes held in memory. `durable: false` skips the fsync: for bulk dataset snapshots, where
   * a per-file fsync would dominate, and where the database row that references the object is
   * itself only synced at WAL checkpoints (a process crash loses neither; an OS crash may need a
   * re-snapshot).
   */
  async putBytes(bytes: Uint8Array, opts: { durable?: boolean } = {}): Promise<StoredObject> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (this.has(sha256)) return this.reuse(sha256, bytes.length);
    const tmp = this.tempName();
    try {
      await fsp.writeFile(tmp, bytes, { flag: 'wx', mode: 0o600 });
      return await this.commit(tmp, sha256, bytes.length, opts.durable ?? true);
    } finally {
      await fsp.rm(tmp, { force: true });
    }
  }

  private async commit(tmp: string, sha256: string, size: number, durable = true): Promise<StoredObject> {
    const dest = this.pathOf(sha256);
    if (existsSync(dest)) return this.reuse(sha256, size);
    if (durable) {
      const fh = await fsp.open(tmp, 'r');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
    }
    await fsp.mkdir(join(this.dir, sha256.slice(0, 2)), { recursive: true, mode: 0o700 });
    // Read-only, and for the owner only.
    await fsp.chmod(tmp, 0o400);
    await fsp.rename(tmp, dest);
    return { sha256, size, created: true };
  }

  /** Existing content is touched, so gc's grace period protects it until its new reference commits. */
  private async reuse(sha256: string, size: number): Promise<StoredObject> {
    const now = new Date();
    await fsp.utimes(this.pathOf(sha256), now, now).catch(() => undefined);
    return { sha256, size, created: false };
  }

  async read(sha256: string): Promise<Buffer> {
    return fsp.readFile(this.pathOf(sha256));
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Streams a file through sha256 without storing it (used by benchmarks and checkout checks). */
export function hashFile(path: string): Promise<{ sha256: string; size: number }> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    let size = 0;
    createReadStream(path, { highWaterMark: 1 << 20 })
      .on('data', (c) => {
        const b = c as Buffer;
        size += b.length;
        h.update(b);
      })
      .on('error', reject)
      .on('end', () => resolve({ sha256: h.digest('hex'), size }));
  });
}
