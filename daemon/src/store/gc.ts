/**
 * Garbage collection of `objects/`: removes content that no model version, dataset version, run
 * artifact or run diff references. Objects younger than a grace period are kept, because a
 * registration may have stored its artifact and not yet committed the row that references it.
 */
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type Db } from './db';
import { DomainError } from '../util/errors';
import { ownsObjects } from './guard';
import { STALE_TEMP_MS, type ObjectStore } from '../../../shared/src/objects';

export class GarbageCollector {
  private readonly referenced;

  constructor(
    private readonly db: Db,
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
    if (!ownsObjects(this.db, this.objects.dir)) {
      throw new DomainError(
        409,
        'store_mismatch',
        '.mlops/objects is not marked as belonging to this database, so gc cannot tell which objects are unreferenced; run `mlops doctor` and nothing is deleted meanwhile',
      );
    }
    // Temp files of writes killed mid-way (a live write keeps its file fresh).
    if (!dryRun) this.objects.cleanTemp(STALE_TEMP_MS);
    const keep = new Set((this.referenced.all() as { sha: string }[]).map((r) => r.sha));
    for (const sha of pipelineCacheObjects(join(dirname(this.objects.dir), 'pipelines', 'cache'))) keep.add(sha);
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

/**
 * Objects the pipeline run cache (`.mlops/pipelines/cache/<key>.json`, written by `mlops run` in the
 * CLI process, not in the database) refers to: the outs that switching back to earlier inputs restores.
 */
function pipelineCacheObjects(dir: string): string[] {
  const out: string[] = [];
  for (const name of safeList(dir)) {
    if (!name.endsWith('.json')) continue;
    try {
      const entry = JSON.parse(readFileSync(join(dir, name), 'utf8')) as { outs?: Record<string, { files?: { sha256?: unknown }[] }> };
      for (const o of Object.values(entry.outs ?? {})) for (const f of o.files ?? []) if (typeof f.sha256 === 'string') out.push(f.sha256);
    } catch {
      // An unreadable entry protects nothing; the runner ignores it too.
    }
  }
  return out;
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
