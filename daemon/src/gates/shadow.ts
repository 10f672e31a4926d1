/**
 * What the shadow gate reads: how often a version, running as a deployment's shadow, agreed with
 * the version it shadowed. A small adapter over the `shadow_stats` table that the safety feature
 * (daemon/src/safety/shadow-store.ts, migration 7) writes; once both are merged, its
 * `shadowSummary(db, { model }, version)` can replace this. Without the table, or for a version
 * that never ran as a shadow, there is no shadow data (the gate cannot run).
 */
import { type ShadowSummary } from '../../../shared/src/gates/evaluate';
import { type Db } from '../store/db';

export function shadowReader(db: Db): (model: string, version: number) => ShadowSummary | null {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'shadow_stats'").get();
  if (!table) return () => null;
  const sums = db.prepare('SELECT SUM(compared) AS compared, SUM(agreed) AS agreed FROM shadow_stats WHERE model = ? AND shadow_version = ?');
  return (model, version) => {
    const r = sums.get(model, version) as { compared: number | null; agreed: number | null };
    if (!r.compared) return null;
    return { requests: r.compared, agreement: (r.agreed ?? 0) / r.compared };
  };
}
