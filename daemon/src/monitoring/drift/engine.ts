/**
 * The drift engine: compares a current window with a cached reference profile feature by feature,
 * applies thresholds and the optional multiple-testing correction, and gives the dataset verdict.
 */
import { type DriftCorrection, type DriftFeatureResult, type DriftReport, type DriftTestKind } from '../../../../schemas/src/drift';
import { type DRIFT_TESTS } from '../../../../schemas/src/mlops-yaml';
import { type Column } from './csv';
import { binCounts, chi2Homogeneity, flooredProportions, jensenShannon, psi, wasserstein } from './distances';
import { ks2sampSorted, type KsAlternative } from './ks';
import { finiteValues, type CategoricalProfile, type Dropped, type NumericProfile, type ReferenceProfile } from './reference';

export type DriftTestChoice = (typeof DRIFT_TESTS)[number];

export interface DriftOptions {
  /** Test for every feature ("auto": ks for numeric, chi2 for categorical). */
  test?: DriftTestChoice;
  /** Per-feature overrides. */
  features?: Record<string, DriftTestChoice>;
  /** One threshold for every test; when absent each test uses its default (see DEFAULT_THRESHOLDS). */
  threshold?: number;
  /** Share of drifted features at which the dataset drifted (default 0.5). */
  share?: number;
  correction?: DriftCorrection;
  /** KS alternative (default two-sided). */
  alternative?: KsAlternative;
  /** Only these features (default: every reference feature). */
  only?: string[];
  referenceLabel?: string;
  currentLabel?: string;
}

export const DEFAULT_THRESHOLDS: Record<DriftTestKind, number> = { ks: 0.05, chi2: 0.05, psi: 0.1, wasserstein: 0.1, jensenshannon: 0.1 };
const P_VALUE_TESTS = new Set<DriftTestKind>(['ks', 'chi2']);

export class DriftInputError extends Error {}

export function resolveTest(choice: DriftTestChoice, type: 'numeric' | 'categorical', feature: string): DriftTestKind {
  if (choice === 'auto') return type === 'numeric' ? 'ks' : 'chi2';
  if (type === 'categorical' && (choice === 'ks' || choice === 'wasserstein')) {
    throw new DriftInputError(`feature "${feature}" is categorical; test "${choice}" needs numbers (use chi2, psi or jensenshannon)`);
  }
  if (type === 'numeric' && choice === 'chi2') {
    throw new DriftInputError(`feature "${feature}" is numeric; test "chi2" needs categories (use ks, psi, wasserstein or jensenshannon)`);
  }
  return choice;
}

interface Partial_ {
  method: string | null;
  statistic: number | null;
  p_value: number | null;
  distance: number | null;
  normalized: number | null;
  dof: number | null;
  status: DriftFeatureResult['status'];
  note: string | null;
  reference_count: number;
  current_count: number;
}

const none = { method: null, statistic: null, p_value: null, distance: null, normalized: null, dof: null };

function numericFeature(ref: NumericProfile, values: Float64Array, test: DriftTestKind, alt: KsAlternative): Partial_ & { curDropped: Omit<Dropped, 'missing'> } {
  const { finite, nan, infinite } = finiteValues(values);
  // Only KS and Wasserstein need the current side sorted; the binned tests search the edges.
  if (test === 'ks' || test === 'wasserstein') finite.sort();
  const counts = { reference_count: ref.sorted.length, current_count: finite.length };
  const base = { ...counts, curDropped: { nan, infinite } };
  if (ref.sorted.length === 0 || finite.length === 0) {
    const side = ref.sorted.length === 0 ? 'reference' : 'current';
    return { ...none, ...base, status: 'empty', note: `no finite value left in the ${side} sample` };
  }
  const ok = { ...base, status: 'ok' as const, note: null, dof: null };
  if (test === 'ks') {
    const r = ks2sampSorted(ref.sorted, finite, alt);
    return { ...ok, method: r.method, statistic: r.statistic, p_value: r.pValue, distance: null, normalized: null };
  }
  if (test === 'wasserstein') {
    const w = wasserstein(ref.sorted, finite);
    // A constant reference has no spread to normalise by: the raw distance is used (stated rule).
    const norm = ref.std > 0 ? w / ref.std : w;
    return { ...ok, method: null, statistic: w, p_value: null, distance: w, normalized: norm };
  }
  const cur = binCounts(finite, ref.edges);
  const d =
    test === 'psi'
      ? psi(flooredProportions(ref.binCounts, ref.sorted.length), flooredProportions(cur, finite.length))
      : jensenShannon(ref.binCounts, cur);
  return { ...ok, method: null, statistic: d, p_value: null, distance: d, normalized: d };
}

function categoricalFeature(ref: CategoricalProfile, col: Column & { kind: 'categorical' }, test: DriftTestKind): Partial_ {
  const index = new Map(ref.categories.map((c, i) => [c, i]));
  const extra = new Map<string, number>();
  const curCodes = col.categories.map((c) => index.get(c) ?? (extra.get(c) ?? extra.set(c, ref.categories.length + extra.size).get(c)) as number);
  const k = ref.categories.length + extra.size;
  const refCounts = new Float64Array(k);
  refCounts.set(ref.counts);
  const curCounts = new Float64Array(k);
  for (let i = 0; i < col.codes.length; i++) {
    const c = curCodes[col.codes[i] as number] as number;
    curCounts[c] = (curCounts[c] ?? 0) + 1;
  }
  const nRef = ref.counts.reduce((s, x) => s + x, 0);
  const nCur = col.codes.length;
  const counts = { reference_count: nRef, current_count: nCur };
  if (nRef === 0 || nCur === 0) {
    return { ...none, ...counts, status: 'empty', note: `no value left in the ${nRef === 0 ? 'reference' : 'current'} sample` };
  }
  if (test === 'chi2') {
    const r = chi2Homogeneity(refCounts, curCounts);
    if (!r) return { ...none, ...counts, status: 'single_category', note: 'fewer than two categories in the two samples together: chi-square is undefined' };
    return { ...none, ...counts, method: r.dof === 1 ? 'yates' : 'pearson', statistic: r.statistic, p_value: r.pValue, dof: r.dof, status: 'ok', note: null };
  }
  const d = test === 'psi' ? psi(flooredProportions(refCounts, nRef), flooredProportions(curCounts, nCur)) : jensenShannon(refCounts, curCounts);
  return { ...none, ...counts, statistic: d, distance: d, normalized: d, status: 'ok', note: null };
}

/** Adjusted p-values in input order; null entries stay null and do not count towards m. */
export function adjustPValues(ps: (number | null)[], correction: DriftCorrection): (number | null)[] {
  const idx = ps.map((p, i) => (p === null ? -1 : i)).filter((i) => i >= 0);
  const m = idx.length;
  if (correction === 'none' || m === 0) return [...ps];
  const out = [...ps];
  if (correction === 'bonferroni') {
    for (const i of idx) out[i] = Math.min(1, (ps[i] as number) * m);
    return out;
  }
  const order = [...idx].sort((a, b) => (ps[a] as number) - (ps[b] as number));
  let running = 1;
  for (let r = m - 1; r >= 0; r--) {
    const i = order[r] as number;
    running = Math.min(running, ((ps[i] as number) * m) / (r + 1));
    out[i] = running;
  }
  return out;
}

function dropped(d: Partial<Dropped>): Dropped {
  return { missing: d.missing ?? 0, nan: d.nan ?? 0, infinite: d.infinite ?? 0 };
}

function compareFeature(profile: ReferenceProfile['features'][number], col: Column, options: DriftOptions): DriftFeatureResult {
  if (col.kind !== profile.kind) {
    throw new DriftInputError(`column "${profile.name}" is ${profile.kind} in the reference but ${col.kind} in the current sample`);
  }
  const test = resolveTest(options.features?.[profile.name] ?? options.test ?? 'auto', profile.kind, profile.name);
  const threshold = options.threshold ?? DEFAULT_THRESHOLDS[test];
  let part: Partial_;
  let cur: Dropped;
  if (profile.kind === 'numeric' && col.kind === 'numeric') {
    const r = numericFeature(profile, col.values, test, options.alternative ?? 'two-sided');
    part = r;
    cur = dropped({ missing: col.missing, ...r.curDropped });
  } else {
    part = categoricalFeature(profile as CategoricalProfile, col as Column & { kind: 'categorical' }, test);
    cur = dropped({ missing: col.missing });
  }
  const isP = P_VALUE_TESTS.has(test);
  const drifted = part.status === 'ok' && (isP ? (part.p_value as number) < threshold : (part.normalized as number) >= threshold);
  return {
    feature: profile.name,
    type: profile.kind,
    test,
    method: part.method,
    statistic: part.statistic,
    p_value: part.p_value,
    p_value_adjusted: part.p_value,
    distance: part.distance,
    normalized: part.normalized,
    dof: part.dof,
    threshold,
    drifted,
    status: part.status,
    note: part.note,
    reference_count: part.reference_count,
    current_count: part.current_count,
    dropped: { reference: dropped(profile.dropped), current: cur },
  };
}

/** Compares a current window with a reference profile. Columns are matched by name. */
export function compareWindow(profile: ReferenceProfile, columns: Column[], options: DriftOptions = {}, currentRows?: number): DriftReport {
  const byName = new Map(columns.map((c) => [c.name, c]));
  const known = new Set(profile.features.map((f) => f.name));
  for (const name of options.only ?? []) if (!known.has(name)) throw new DriftInputError(`no feature "${name}" in the reference`);
  const selected = options.only ? profile.features.filter((f) => options.only?.includes(f.name)) : profile.features;
  const features = selected.map((f) => {
    const col = byName.get(f.name);
    if (!col) throw new DriftInputError(`column "${f.name}" is missing from the current sample`);
    return compareFeature(f, col, options);
  });
  const correction = options.correction ?? 'none';
  const adjusted = adjustPValues(features.map((f) => f.p_value), correction);
  features.forEach((f, i) => {
    f.p_value_adjusted = adjusted[i] ?? null;
    if (f.status === 'ok' && f.p_value_adjusted !== null) f.drifted = f.p_value_adjusted < f.threshold;
  });
  const tested = features.filter((f) => f.status === 'ok').length;
  const driftedCount = features.filter((f) => f.drifted).length;
  const share = tested ? driftedCount / tested : 0;
  const shareThreshold = options.share ?? 0.5;
  const inferredRows = columns.reduce((m, c) => Math.max(m, (c.kind === 'numeric' ? c.values.length : c.codes.length) + c.missing), 0);
  return {
    reference: options.referenceLabel ?? 'reference',
    current: options.currentLabel ?? 'current',
    reference_rows: profile.rows,
    current_rows: currentRows ?? inferredRows,
    correction,
    features,
    dataset: { drifted: tested > 0 && share >= shareThreshold, drifted_features: driftedCount, tested_features: tested, share, share_threshold: shareThreshold },
  };
}
