/** The dataset SQL, prepared once. */
import { type DatasetVersion } from '../../../schemas/src/tracking';
import { type Db } from '../store/db';
import { type CacheEntry, type ScannedFile } from './scan';

interface VersionRow {
  id: number;
  version: number;
  parent_version: number | null;
  fingerprint: string;
  file_count: number;
  total_bytes: number;
  reason: string;
  created_at: string;
}

export class DatasetQueries {
  private readonly s;

  constructor(private readonly db: Db) {
    this.s = {
      byName: db.prepare('SELECT id FROM datasets WHERE name = ?'),
      insert: db.prepare('INSERT INTO datasets (name, created_at) VALUES (?, ?)'),
      names: db.prepare('SELECT name FROM datasets ORDER BY name'),
      latest: db.prepare('SELECT * FROM dataset_versions WHERE dataset_id = ? ORDER BY version DESC LIMIT 1'),
      byFingerprint: db.prepare('SELECT * FROM dataset_versions WHERE dataset_id = ? AND fingerprint = ? ORDER BY version DESC LIMIT 1'),
      version: db.prepare('SELECT * FROM dataset_versions WHERE dataset_id = ? AND version = ?'),
      versions: db.prepare('SELECT * FROM dataset_versions WHERE dataset_id = ? ORDER BY version DESC'),
      count: db.prepare('SELECT COUNT(*) AS n FROM dataset_versions WHERE dataset_id = ?'),
      insertVersion: db.prepare(`INSERT INTO dataset_versions
        (dataset_id, version, parent_version, fingerprint, file_count, total_bytes, reason, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      insertFile: db.prepare('INSERT INTO dataset_files (version_id, path, size, sha256) VALUES (?, ?, ?, ?)'),
      files: db.prepare('SELECT path, size, sha256 FROM dataset_files WHERE version_id = ? ORDER BY path'),
      cacheAll: db.prepare('SELECT path, size, mtime, ino, sha256 FROM file_hash_cache'),
      cachePut: db.prepare(`INSERT INTO file_hash_cache (path, size, mtime, ino, sha256) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime = excluded.mtime, ino = excluded.ino, sha256 = excluded.sha256`),
    };
  }

  datasetId(name: string, now?: string): number | undefined {
    const row = this.s.byName.get(name) as { id: number } | undefined;
    if (row) return row.id;
    return now ? Number(this.s.insert.run(name, now).lastInsertRowid) : undefined;
  }

  names(): string[] {
    return (this.s.names.all() as { name: string }[]).map((r) => r.name);
  }

  latest(datasetId: number): VersionRow | undefined {
    return this.s.latest.get(datasetId) as VersionRow | undefined;
  }

  byFingerprint(datasetId: number, fp: string): VersionRow | undefined {
    return this.s.byFingerprint.get(datasetId, fp) as VersionRow | undefined;
  }

  version(datasetId: number, version: number): VersionRow | undefined {
    return this.s.version.get(datasetId, version) as VersionRow | undefined;
  }

  versions(datasetId: number): VersionRow[] {
    return this.s.versions.all(datasetId) as VersionRow[];
  }

  count(datasetId: number): number {
    return (this.s.count.get(datasetId) as { n: number }).n;
  }

  insertVersion(datasetId: number, fp: string, files: ScannedFile[], reason: string, now: string): VersionRow {
    const parent = this.latest(datasetId);
    const version = (parent?.version ?? 0) + 1;
    const total = files.reduce((a, f) => a + f.size, 0);
    const info = this.s.insertVersion.run(datasetId, version, parent?.version ?? null, fp, files.length, total, reason, now);
    const id = Number(info.lastInsertRowid);
    for (const f of files) this.s.insertFile.run(id, f.path, f.size, f.sha256);
    return { id, version, parent_version: parent?.version ?? null, fingerprint: fp, file_count: files.length, total_bytes: total, reason, created_at: now };
  }

  files(versionId: number): ScannedFile[] {
    return this.s.files.all(versionId) as ScannedFile[];
  }

  loadCache(): Map<string, CacheEntry> {
    const out = new Map<string, CacheEntry>();
    for (const r of this.s.cacheAll.iterate() as Iterable<CacheEntry & { path: string }>) out.set(r.path, r);
    return out;
  }

  saveCache(entries: Map<string, CacheEntry>): void {
    if (!entries.size) return;
    this.db.transaction(() => {
      for (const [p, e] of entries) this.s.cachePut.run(p, e.size, e.mtime, e.ino, e.sha256);
    })();
  }

  static toWire(dataset: string, r: VersionRow): DatasetVersion {
    return {
      dataset,
      version: r.version,
      parent_version: r.parent_version,
      file_count: r.file_count,
      total_bytes: r.total_bytes,
      reason: r.reason,
      created_at: r.created_at,
    };
  }
}

export type { VersionRow as DatasetVersionRow };
