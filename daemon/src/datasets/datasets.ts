/**
 * Dataset versioning: snapshot (content-hashed manifest, new version only for content never seen),
 * version listing, diff and byte-exact checkout. The working copy is saved as a version before a
 * checkout overwrites it, so no data is ever lost.
 */
import { copyFileSync, mkdirSync, renameSync, rmSync, statSync, chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type DatasetDiff, type DatasetSummary, type DatasetVersion } from '../../../schemas/src/tracking';
import { type DatasetConfig, type MlopsConfig } from '../../../schemas/src/mlops-yaml';
import { type EventLog } from '../events/event-log';
import { type Db } from '../store/db';
import { type ObjectStore } from '../store/objects';
import { DomainError, notFound } from '../util/errors';
import { expandPatterns, PatternError } from './glob';
import { DatasetQueries } from './queries';
import { fingerprint, scanFiles, type CacheEntry, type ScanProgress, type ScannedFile } from './scan';

export interface SnapshotResult {
  created: boolean;
  version: DatasetVersion;
  hashedFiles: number;
  newObjects: number;
}

export class Datasets {
  private readonly q: DatasetQueries;
  private readonly locks = new Map<string, Promise<unknown>>();
  /** The hash cache, loaded from the store once and kept in step with it. */
  private cache?: Map<string, CacheEntry>;

  constructor(
    db: Db,
    private readonly events: EventLog,
    private readonly objects: ObjectStore,
    private readonly root: string,
    private readonly config: () => MlopsConfig | undefined,
    /** What is wrong with mlops.yaml, when it exists and is invalid: said instead of "not declared". */
    private readonly configProblem?: () => string | undefined,
  ) {
    this.q = new DatasetQueries(db);
  }

  declared(name: string): DatasetConfig {
    const problem = this.configProblem?.();
    if (problem) throw new DomainError(422, 'invalid_config', `mlops.yaml is invalid: ${problem}`);
    const cfg = this.config()?.data[name];
    if (!cfg) throw notFound('dataset', `dataset "${name}" (declare it under data.${name} in mlops.yaml)`);
    return cfg;
  }

  /** Runs snapshots and checkouts of one dataset one at a time. */
  private serial<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(name) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    this.locks.set(name, next.catch(() => undefined));
    return next;
  }

  currentFiles(name: string): string[] {
    const cfg = this.declared(name);
    try {
      return expandPatterns(this.root, cfg.paths);
    } catch (e) {
      if (e instanceof PatternError) throw new DomainError(400, 'bad_pattern', `data.${name}.paths: ${e.message}`);
      throw e;
    }
  }

  snapshot(name: string, reason: string, actor: string, onProgress?: (p: ScanProgress) => void): Promise<SnapshotResult> {
    return this.serial(name, () => this.snapshotNow(name, reason, actor, onProgress));
  }

  private async snapshotNow(name: string, reason: string, actor: string, onProgress?: (p: ScanProgress) => void): Promise<SnapshotResult> {
    const paths = this.currentFiles(name);
    if (!paths.length) {
      throw new DomainError(422, 'no_files', `data.${name}.paths match no files in ${this.root}; check the paths or create the data first`);
    }
    const cache = this.hashCache();
    const scan = await scanFiles(this.root, paths, cache, this.objects, onProgress);
    this.saveCache(scan.fresh);
    const fp = fingerprint(scan.files);
    const id0 = this.q.datasetId(name);
    if (id0 === undefined || !this.q.byFingerprint(id0, fp)) await this.ensureStored(scan.files);
    const row = this.events.transact(() => {
      const id = this.q.datasetId(name, new Date().toISOString()) as number;
      const existing = this.q.byFingerprint(id, fp);
      if (existing) return { row: existing, created: false };
      const created = this.q.insertVersion(id, fp, scan.files, reason, new Date().toISOString());
      this.events.append({
        actor,
        kind: 'dataset.version_created',
        subject: `dataset:${name}/${created.version}`,
        after: { version: created.version, files: created.file_count, bytes: created.total_bytes, parent: created.parent_version },
        reason,
      });
      return { row: created, created: true };
    });
    return {
      created: row.created,
      version: DatasetQueries.toWire(name, row.row),
      hashedFiles: scan.fresh.size,
      newObjects: scan.newObjects,
    };
  }

  private hashCache(): Map<string, CacheEntry> {
    this.cache ??= this.q.loadCache();
    return this.cache;
  }

  private saveCache(fresh: Map<string, CacheEntry>): void {
    this.q.saveCache(fresh);
    const cache = this.hashCache();
    for (const [p, e] of fresh) cache.set(p, e);
  }

  /**
   * Before a new version references them, every object must exist: a cache hit may name content
   * whose object gc removed (stored, but its version never committed). Such files are stored again.
   */
  private async ensureStored(files: ScannedFile[]): Promise<void> {
    for (const f of files) {
      if (this.objects.has(f.sha256)) continue;
      const stored = await this.objects.putFile(join(this.root, f.path));
      if (stored.sha256 !== f.sha256) {
        throw new DomainError(409, 'changed_during_snapshot', `${f.path} changed while it was being snapshotted; run the snapshot again`);
      }
    }
  }

  /** Every dataset declared in mlops.yaml or recorded in the store, with its latest version. */
  summaries(): DatasetSummary[] {
    const cfg = this.config();
    const names = [...new Set([...Object.keys(cfg?.data ?? {}), ...this.q.names()])].sort();
    return names.map((name) => {
      const decl = cfg?.data[name];
      const id = this.q.datasetId(name);
      const latest = id === undefined ? undefined : this.q.latest(id);
      return {
        name,
        paths: decl?.paths ?? [],
        format: decl?.format ?? 'unknown',
        configured: decl !== undefined,
        latest: latest ? DatasetQueries.toWire(name, latest) : null,
        version_count: id === undefined ? 0 : this.q.count(id),
      };
    });
  }

  /** The newest recorded version of each named dataset that has one. */
  latestVersions(names: string[]): { dataset: string; version: number }[] {
    const out: { dataset: string; version: number }[] = [];
    for (const name of names) {
      const id = this.q.datasetId(name);
      const latest = id === undefined ? undefined : this.q.latest(id);
      if (latest) out.push({ dataset: name, version: latest.version });
    }
    return out;
  }

  versionRow(name: string, version: number) {
    const id = this.q.datasetId(name);
    const row = id === undefined ? undefined : this.q.version(id, version);
    if (!row) throw notFound('dataset_version', `version ${version} of dataset "${name}"`);
    return row;
  }

  versions(name: string): DatasetVersion[] {
    const id = this.q.datasetId(name);
    if (id === undefined) {
      this.declared(name);
      return [];
    }
    return this.q.versions(id).map((r) => DatasetQueries.toWire(name, r));
  }

  manifest(name: string, version: number): DatasetVersion & { files: ScannedFile[] } {
    const row = this.versionRow(name, version);
    return { ...DatasetQueries.toWire(name, row), files: this.q.files(row.id) };
  }

  diff(name: string, from: number, to: number): DatasetDiff {
    const a = new Map(this.q.files(this.versionRow(name, from).id).map((f) => [f.path, f]));
    const b = new Map(this.q.files(this.versionRow(name, to).id).map((f) => [f.path, f]));
    const out: DatasetDiff = { dataset: name, from, to, added: [], removed: [], changed: [], unchanged: 0 };
    for (const [p, f] of b) {
      const old = a.get(p);
      if (!old) out.added.push(f);
      else if (old.sha256 !== f.sha256) {
        out.changed.push({ path: p, from_size: old.size, to_size: f.size, from_sha256: old.sha256, to_sha256: f.sha256 });
      } else out.unchanged++;
    }
    for (const [p, f] of a) if (!b.has(p)) out.removed.push(f);
    return out;
  }

  checkout(name: string, version: number, actor: string) {
    return this.serial(name, async () => {
      const target = this.manifest(name, version);
      const missing = target.files.find((f) => !this.objects.has(f.sha256));
      if (missing) throw new DomainError(409, 'object_missing', `content of ${missing.path} (${missing.sha256.slice(0, 12)}) is no longer in the store`);
      let savedAs: number | null = null;
      if (this.currentFiles(name).length) {
        const saved = await this.snapshotNow(name, 'checkout', actor);
        savedAs = saved.version.version;
      }
      const result = this.restore(name, target.files);
      this.events.record({
        actor,
        kind: 'dataset.checked_out',
        subject: `dataset:${name}/${version}`,
        before: { version: savedAs },
        after: { version, written: result.written.length, removed: result.removed.length },
      });
      return { dataset: name, version, ...result, saved_as: savedAs };
    });
  }

  /** Makes the working copy equal the manifest: writes differing files, removes extra ones. */
  private restore(name: string, files: ScannedFile[]): { written: string[]; removed: string[]; unchanged: number } {
    const cache = this.hashCache();
    const wanted = new Set(files.map((f) => f.path));
    const written: string[] = [];
    let unchanged = 0;
    const fresh = new Map<string, CacheEntry>();
    for (const f of files) {
      const dest = join(this.root, f.path);
      const st = statOrUndefined(dest);
      const c = cache.get(f.path);
      if (st && c && c.sha256 === f.sha256 && c.size === st.size && c.mtime === String(st.mtimeMs) && c.ino === String(st.ino)) {
        unchanged++;
        continue;
      }
      mkdirSync(dirname(dest), { recursive: true });
      const tmp = `${dest}.mlops-tmp-${process.pid}`;
      copyFileSync(this.objects.pathOf(f.sha256), tmp);
      chmodSync(tmp, 0o644);
      renameSync(tmp, dest);
      const after = statSync(dest);
      fresh.set(f.path, { size: f.size, mtime: String(after.mtimeMs), ino: String(after.ino), sha256: f.sha256 });
      written.push(f.path);
    }
    const removed = this.currentFiles(name).filter((p) => !wanted.has(p));
    for (const p of removed) rmSync(join(this.root, p), { force: true });
    this.saveCache(fresh);
    return { written, removed, unchanged };
  }
}

function statOrUndefined(p: string) {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}
