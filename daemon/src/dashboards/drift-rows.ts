/**
 * From a drift report and the two samples to what the drift dashboard shows: one table row per
 * feature (with missing and out-of-range counts) and its distribution on shared bins or categories.
 * Counts only; the samples never leave the daemon.
 */
import { type Distribution, type DriftFeatureRow } from '../../../schemas/src/dashboards';
import { type DriftFeatureResult, type DriftReport } from '../../../schemas/src/drift';
import { type MlopsConfig } from '../../../schemas/src/mlops-yaml';
import { categoryCounts, fewLevels, levelCounts, sharedHistogram } from '../../../shared/src/dashboards/shaping';
import { type Column } from '../../../shared/src/drift';

/** What mlops.yaml declares a feature may hold: a [min, max] range and/or a list of allowed values. */
export interface Declared {
  min?: number;
  max?: number;
  allowed?: Set<string>;
}

/**
 * Declarations by column name: model signatures (`range`, `categories`) and the dataset's
 * expectations (`min`, `max`, `allowed`); where both speak, the narrower bound wins.
 */
export function declaredRanges(config: MlopsConfig | undefined, dataset: string): Map<string, Declared> {
  const out = new Map<string, Declared>();
  const add = (name: string, d: Declared): void => {
    const cur = out.get(name) ?? {};
    if (d.min !== undefined) cur.min = Math.max(cur.min ?? -Infinity, d.min);
    if (d.max !== undefined) cur.max = Math.min(cur.max ?? Infinity, d.max);
    if (d.allowed) cur.allowed = cur.allowed ? new Set([...cur.allowed].filter((v) => d.allowed?.has(v))) : d.allowed;
    out.set(name, cur);
  };
  for (const model of Object.values(config?.models ?? {})) {
    for (const f of model.signature.inputs) {
      if (f.range) add(f.name, { min: f.range[0], max: f.range[1] });
      if (f.categories) add(f.name, { allowed: new Set(f.categories.map(String)) });
    }
  }
  for (const [name, e] of Object.entries(config?.data[dataset]?.expectations?.columns ?? {})) {
    add(name, { ...(e.min !== undefined ? { min: e.min } : {}), ...(e.max !== undefined ? { max: e.max } : {}), ...(e.allowed ? { allowed: new Set(e.allowed.map(String)) } : {}) });
  }
  return out;
}

/** Values of a column outside its declaration; null when nothing is declared. */
export function outOfRange(col: Column, d: Declared | undefined): number | null {
  if (!d || (d.min === undefined && d.max === undefined && !d.allowed)) return null;
  const bad = (v: number | string): boolean => {
    if (d.allowed && !d.allowed.has(String(v))) return true;
    if (typeof v !== 'number') return false;
    return (d.min !== undefined && v < d.min) || (d.max !== undefined && v > d.max);
  };
  let n = 0;
  if (col.kind === 'numeric') for (let i = 0; i < col.values.length; i++) n += bad(col.values[i] as number) ? 1 : 0;
  else {
    const badCode = col.categories.map((c) => bad(Number.isNaN(Number(c)) ? c : Number(c)));
    for (let i = 0; i < col.codes.length; i++) n += badCode[col.codes[i] as number] ? 1 : 0;
  }
  return n;
}

export function featureRow(f: DriftFeatureResult, current: Column, declared: Declared | undefined): DriftFeatureRow {
  const isP = f.test === 'ks' || f.test === 'chi2';
  const drop = f.dropped.current;
  return {
    feature: f.feature,
    type: f.type,
    test: f.status === 'ok' ? f.test : null,
    reason: f.reason,
    statistic: f.statistic,
    p_value: isP ? f.p_value_adjusted : null,
    distance: isP ? null : f.normalized,
    threshold: f.threshold,
    drifted: f.drifted,
    note: f.note,
    missing: drop.missing + drop.nan + drop.infinite,
    out_of_range: outOfRange(current, declared),
  };
}

/** Numeric features with at most this many distinct values are drawn as bars (coded categories). */
export const MAX_LEVELS = 12;

export function distributionOf(ref: Column, cur: Column, bins: number): Distribution {
  const feature = ref.name;
  if (ref.kind === 'numeric' && cur.kind === 'numeric') {
    const levels = fewLevels(ref.values, cur.values, MAX_LEVELS);
    if (levels) return { feature, kind: 'bars', ...levelCounts(ref.values, cur.values, levels) };
    return { feature, kind: 'histogram', ...sharedHistogram(ref.values, cur.values, bins) };
  }
  const asCats = (c: Column): { categories: string[]; codes: ArrayLike<number> } =>
    c.kind === 'categorical' ? c : { categories: Array.from(c.values, String), codes: Array.from(c.values, (_, i) => i) };
  return { feature, kind: 'bars', ...categoryCounts(asCats(ref), asCats(cur)) };
}

/** Rows and distributions of every feature of a report, in report order. */
export function dashboardParts(
  report: DriftReport,
  ref: Map<string, Column>,
  cur: Map<string, Column>,
  declared: Map<string, Declared>,
  bins: number,
): { features: DriftFeatureRow[]; distributions: Distribution[] } {
  const features: DriftFeatureRow[] = [];
  const distributions: Distribution[] = [];
  for (const f of report.features) {
    const r = ref.get(f.feature);
    const c = cur.get(f.feature);
    if (!r || !c) continue;
    features.push(featureRow(f, c, declared.get(f.feature)));
    distributions.push(distributionOf(r, c, bins));
  }
  return { features, distributions };
}
