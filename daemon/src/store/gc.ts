/**
 * Garbage collection of `objects/`: removes content that no model version, dataset version, run
 * artifact or run diff references. Objects younger than a grace period are kept, because a
 * registration may have stored its artifact and not yet committed the row that references it.
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Db } from './db';
import { type ObjectStore } from './objects';

export class GarbageCollector {
  private readonly referenced;

  constructor(
    db: Db,
    private readonly objects: ObjectStore,
  ) {
    this.referenced = db.prepare(`
      SELECT artifact_sha256 AS sha FROM model_versions WHERE removed_at IS NULL
      UNION SELECT sha256 FROM dataset_files
      UNION SELECT sha256 FROM run_artifacts
      UNION SELECT sha256 FROM logged_model_artifacts
      UNION SELECT git_diff_sha256 FROM runs WHERE git_diff_sha256 IS NOT NULL`);
  }

  run(dryRun: boolean, graceSeconds: number): { dry_run: boolean; removed_objects: number; bytes_freed: number; kept_objects: number } {
    const keep = new Set((this.referenced.all() as { sha: string }[]).map((r) => r.sha));
    const now = Date.now();
    let removed = 0;
    let bytes = 0;
    let kept = 0;
    for (const prefix of safeList(this.objects.dir)) {
      if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
      for (const rest of safeList(join(this.objects.dir, prefix))) {
        const sha = prefix + rest;
        const file = join(this.objects.dir, prefix, rest);
        const st = statSync(file, { throwIfNoEntry: false });
        if (!st) continue;
        if (keep.has(sha) || now - st.mtimeMs < graceSeconds * 1000) {
          kept++;
          continue;
        }
        removed++;
        bytes += st.size;
        if (!dryRun) rmSync(file, { force: true });
      }
    }
    return { dry_run: dryRun, removed_objects: removed, bytes_freed: bytes, kept_objects: kept };
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
