/**
 * The run cache: the outs each stage key produced, stored by content in the project's object store
 * (the same one datasets and artifacts use), so switching back to earlier inputs restores the
 * earlier outs instead of re-running. Outs outside the project are hashed but never stored or
 * written: a stage whose outside outs differ from the cached ones runs again.
 */
import { chmodSync, copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { cacheEntrySchema, type CacheEntry } from '../../../schemas/src/pipelines';
import { type ObjectStore } from '../objects';
import { filesOf, setHash, type HashCache, type HashedFile, type PathState } from './hashing';

export function pipelineDirs(stateDir: string) {
  const dir = join(stateDir, 'pipelines');
  return { dir, cache: join(dir, 'cache'), logs: join(dir, 'logs'), hashes: join(dir, 'hashes.json'), tmp: join(dir, 'tmp') };
}

/** The log file of a stage instance (`train@train.seed=1` → `logs/train@train.seed=1.log`). */
export function stageLogFile(logsDir: string, id: string): string {
  return join(logsDir, `${id.replace(/[^\w.@=,-]/g, '_')}.log`);
}

export class RunCache {
  constructor(
    private readonly root: string,
    private readonly dir: string,
    private readonly objects: ObjectStore,
  ) {}

  get(key: string): CacheEntry | undefined {
    try {
      const parsed = cacheEntrySchema.safeParse(JSON.parse(readFileSync(join(this.dir, `${key}.json`), 'utf8')));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  /** Stores a finished stage's outs (project files into objects; outside files only hashed). */
  async put(key: string, stage: string, outs: string[], hashes: HashCache): Promise<{ entry: CacheEntry; missing: string[] }> {
    const entry: CacheEntry = { key, stage, created_at: new Date().toISOString(), outs: {} };
    const missing: string[] = [];
    for (const out of outs) {
      const files: HashedFile[] = [];
      for (const f of filesOf(this.root, out)) {
        const abs = isAbsolute(f) ? f : join(this.root, f);
        const st = statSync(abs);
        const sha256 = isAbsolute(f) ? await hashes.file(abs, st) : (await this.objects.putFile(abs)).sha256;
        hashes.remember(abs, st, sha256);
        files.push({ path: f, size: st.size, sha256 });
      }
      const hash = setHash(files, files.length === 1 && files[0]?.path === out);
      if (hash === null) missing.push(out);
      else entry.outs[out] = { hash, files };
    }
    if (!missing.length) {
      mkdirSync(this.dir, { recursive: true });
      const file = join(this.dir, `${key}.json`);
      writeFileSync(`${file}.tmp`, JSON.stringify(entry));
      renameSync(`${file}.tmp`, file);
    }
    return { entry, missing };
  }

  /**
   * Whether the entry can bring the outs back: every project file's object is present, and every
   * outside out already holds the cached content (the runner never writes outside the project).
   */
  restorable(entry: CacheEntry, current: Map<string, PathState>): boolean {
    return Object.entries(entry.outs).every(([out, o]) =>
      isAbsolute(out) ? current.get(out)?.hash === o.hash : o.files.every((f) => this.objects.has(f.sha256)),
    );
  }

  /** Writes the cached outs into the project (temp file and rename), removing files a cached folder did not hold. */
  restore(entry: CacheEntry, current: Map<string, PathState>): void {
    for (const [out, o] of Object.entries(entry.outs)) {
      if (isAbsolute(out) || current.get(out)?.hash === o.hash) continue;
      const keep = new Set(o.files.map((f) => f.path));
      for (const f of current.get(out)?.files ?? []) if (!keep.has(f.path)) rmSync(join(this.root, f.path), { force: true });
      for (const f of o.files) {
        const dest = join(this.root, f.path);
        mkdirSync(dirname(dest), { recursive: true });
        const tmp = `${dest}.mlops-restore`;
        copyFileSync(this.objects.pathOf(f.sha256), tmp);
        chmodSync(tmp, 0o644);
        renameSync(tmp, dest);
      }
    }
  }
}
