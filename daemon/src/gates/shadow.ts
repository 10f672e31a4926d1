/**
 * What the shadow gate reads: how often a version, running as a deployment's shadow, agreed with
 * the version it shadowed, summed over every deployment and primary it shadowed. The numbers come
 * from the safety feature's one definition (`shadowSummary`, daemon/src/safety/shadow-store.ts);
 * a version that never ran as a shadow has no shadow data (the gate cannot run).
 */
import { type ShadowSummary } from '../../../shared/src/gates/evaluate';
import { shadowSummary } from '../safety/shadow-store';
import { type Db } from '../store/db';

export function shadowReader(db: Db): (model: string, version: number) => ShadowSummary | null {
  return (model, version) => {
    const s = shadowSummary(db, { model }, version);
    if (!s || !s.compared || s.agreement === null) return null;
    return { requests: s.compared, agreement: s.agreement };
  };
}
