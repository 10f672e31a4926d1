/**
 * Stored shadow comparisons: per deployment and (primary version, shadow version) pair, the sums the
 * serving process reports every few seconds (instances compared, same label, score differences,
 * drops, failures, both latency histograms). `shadowSummary` is what the `shadow` promotion gate and
 * `mlops shadow report` read.
 */
import { SHADOW_BUCKETS_MS, type ShadowDelta, type ShadowSummary } from '../../../schemas/src/safety';
import { type Statement } from 'better-sqlite3';
import { type Db } from '../store/db';

interface Row {
  deployment: string;
  model: string;
  primary_version: number;
  shadow_version: number;
  compared: number;
  agreed: number;
  score_diff_sum: number;
  score_count: number;
  dropped: number;
  failed: number;
  primary_buckets: string;
  shadow_buckets: string;
  updated_at: string;
}

export class ShadowStore {
  private readonly getStmt;
  private readonly upsertStmt;
  private readonly byDeploymentStmt;

  constructor(private readonly db: Db) {
    this.getStmt = db.prepare('SELECT * FROM shadow_stats WHERE deployment = ? AND primary_version = ? AND shadow_version = ?');
    this.upsertStmt = db.prepare(`
      INSERT INTO shadow_stats (deployment, model, primary_version, shadow_version, compared, agreed, score_diff_sum, score_count, dropped, failed, primary_buckets, shadow_buckets, updated_at)
      VALUES (@deployment, @model, @primary_version, @shadow_version, @compared, @agreed, @score_diff_sum, @score_count, @dropped, @failed, @primary_buckets, @shadow_buckets, @updated_at)
      ON CONFLICT(deployment, primary_version, shadow_version) DO UPDATE SET compared = excluded.compared, agreed = excluded.agreed,
        score_diff_sum = excluded.score_diff_sum, score_count = excluded.score_count, dropped = excluded.dropped, failed = excluded.failed,
        primary_buckets = excluded.primary_buckets, shadow_buckets = excluded.shadow_buckets, updated_at = excluded.updated_at`);
    this.byDeploymentStmt = db.prepare('SELECT * FROM shadow_stats WHERE deployment = ? ORDER BY updated_at DESC');
  }

  /** Adds one report's sums to the stored ones. */
  add(deployment: string, model: string, d: ShadowDelta): void {
    this.db.transaction(() => {
      const old = this.getStmt.get(deployment, d.primary_version, d.shadow_version) as Row | undefined;
      const sum = (a: string | undefined, b: number[]): string => {
        const prev = a ? (JSON.parse(a) as number[]) : [];
        return JSON.stringify(b.map((x, i) => x + (prev[i] ?? 0)));
      };
      this.upsertStmt.run({
        deployment,
        model,
        primary_version: d.primary_version,
        shadow_version: d.shadow_version,
        compared: (old?.compared ?? 0) + d.compared,
        agreed: (old?.agreed ?? 0) + d.agreed,
        score_diff_sum: (old?.score_diff_sum ?? 0) + d.score_diff_sum,
        score_count: (old?.score_count ?? 0) + d.score_count,
        dropped: (old?.dropped ?? 0) + d.dropped,
        failed: (old?.failed ?? 0) + d.failed,
        primary_buckets: sum(old?.primary_buckets, d.primary_buckets),
        shadow_buckets: sum(old?.shadow_buckets, d.shadow_buckets),
        updated_at: new Date().toISOString(),
      });
    })();
  }

  forDeployment(deployment: string): ShadowSummary[] {
    return (this.byDeploymentStmt.all(deployment) as Row[]).map(toSummary);
  }
}

/** A percentile from fixed buckets: the upper bound of the bucket it falls in (null when empty). */
function percentile(buckets: number[], q: number): number | null {
  const n = buckets.reduce((a, b) => a + b, 0);
  if (!n) return null;
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    seen += buckets[i] ?? 0;
    if (seen >= q * n) {
      const b = SHADOW_BUCKETS_MS[i] ?? Infinity;
      return Number.isFinite(b) ? b : (SHADOW_BUCKETS_MS[SHADOW_BUCKETS_MS.length - 2] ?? 0);
    }
  }
  return null;
}

function latency(json: string) {
  const b = JSON.parse(json) as number[];
  return { count: b.reduce((x, y) => x + y, 0), p50_ms: percentile(b, 0.5), p95_ms: percentile(b, 0.95), p99_ms: percentile(b, 0.99) };
}

function toSummary(r: Row): ShadowSummary {
  return {
    deployment: r.deployment,
    model: r.model,
    primary_version: r.primary_version,
    shadow_version: r.shadow_version,
    compared: r.compared,
    agreement: r.compared ? r.agreed / r.compared : null,
    mean_abs_score_diff: r.score_count ? r.score_diff_sum / r.score_count : null,
    dropped: r.dropped,
    failed: r.failed,
    primary_latency: latency(r.primary_buckets),
    shadow_latency: latency(r.shadow_buckets),
    updated_at: r.updated_at,
  };
}

/** Prepared once per database. */
const summaryStatements = new WeakMap<Db, { byDeployment: Statement<unknown[]>; byModel: Statement<unknown[]> }>();

/**
 * The stored shadow comparison of `version` running as a shadow: of one deployment, or of every
 * deployment of a model (`{ model }`), summed over the primaries it was compared with. Null when it
 * was never a shadow. Read by the `shadow` promotion gate.
 */
export function shadowSummary(db: Db, of: { deployment: string } | { model: string }, version: number): (ShadowSummary & { deployments: string[] }) | null {
  let q = summaryStatements.get(db);
  if (!q) {
    q = {
      byDeployment: db.prepare('SELECT * FROM shadow_stats WHERE deployment = ? AND shadow_version = ? ORDER BY updated_at DESC'),
      byModel: db.prepare('SELECT * FROM shadow_stats WHERE model = ? AND shadow_version = ? ORDER BY updated_at DESC'),
    };
    summaryStatements.set(db, q);
  }
  const rows = ('deployment' in of ? q.byDeployment.all(of.deployment, version) : q.byModel.all(of.model, version)) as Row[];
  const first = rows[0];
  if (!first) return null;
  const add = (a: number[], b: string): number[] => (JSON.parse(b) as number[]).map((x, i) => x + (a[i] ?? 0));
  const total: Row = rows.slice(1).reduce<Row>((t, r) => ({
    ...t,
    compared: t.compared + r.compared,
    agreed: t.agreed + r.agreed,
    score_diff_sum: t.score_diff_sum + r.score_diff_sum,
    score_count: t.score_count + r.score_count,
    dropped: t.dropped + r.dropped,
    failed: t.failed + r.failed,
    primary_buckets: JSON.stringify(add(JSON.parse(t.primary_buckets) as number[], r.primary_buckets)),
    shadow_buckets: JSON.stringify(add(JSON.parse(t.shadow_buckets) as number[], r.shadow_buckets)),
  }), first);
  return { ...toSummary(total), deployments: [...new Set(rows.map((r) => r.deployment))] };
}
