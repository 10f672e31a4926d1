/**
 * Content-addressed object store: `objects/ab/cdef…` named by the sha256 of the content.
 * Writes go to a temp file that is fsynced and renamed into place, so a crash never leaves a
 * partial object under a real name, and the same content is stored once.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fsp, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';

export interface StoredObject {
  sha256: string;
  size: number;
  /** False when the content was already present. */
  created: boolean;
}

export class ObjectStore {
  constructor(readonly dir: string) {
    mkdirSync(join(dir, 'tmp'), { recursive: true });
  }

  pathOf(sha256: string): string {
    return join(this.dir, sha256.slice(0, 2), sha256.slice(2));
  }

  has(sha256: string): boolean {
    return existsSync(this.pathOf(sha256));
  }

  /** Streams a file in, hashing while copying; `onBytes` reports progress. */
  async putFile(src: string, onBytes?: (n: number) => void): Promise<StoredObject> {
    const tmp = join(this.dir, 'tmp', `${process.pid}-${randomBytes(8).toString('hex')}`);
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
      await pipeline(createReadStream(src, { highWaterMark: 1 << 20 }), tap, createWriteStream(tmp));
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
    const tmp = join(this.dir, 'tmp', `${process.pid}-${randomBytes(8).toString('hex')}`);
    try {
      await fsp.writeFile(tmp, bytes);
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
    await fsp.mkdir(join(this.dir, sha256.slice(0, 2)), { recursive: true });
    await fsp.chmod(tmp, 0o444);
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
