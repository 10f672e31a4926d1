/**
 * The drift engine: compares a current window with a cached reference profile feature by feature,
 * applies thresholds and the optional multiple-testing correction, and gives the dataset verdict.
 */
import { type DriftCorrection, type DriftFeatureResult, type DriftReport, type DriftTestKind } from '../../../schemas/src/drift';
import { chooseTest, DEFAULT_AUTO_RULE, DriftInputError, type AutoRule, type DriftTestChoice, type FeatureFacts, type TestChoice } from './choice';
import { type Column } from './csv';
import { binCounts, chi2Homogeneity, flooredProportions, jensenShannon, psi, wasserstein } from './distances';
import { ks2sampSorted, type KsAlternative } from './ks';
import { finiteValues, type CategoricalProfile, type Dropped, type FeatureProfile, type NumericProfile, type ReferenceProfile } from './reference';

export { DriftInputError, type DriftTestChoice } from './choice';

export interface DriftOptions {
  /** Test for every feature it fits ("auto": by type and size, see AutoRule); others fall back to auto. */
  test?: DriftTestChoice;
  /** Per-feature overrides; one that cannot apply to its feature is an error. */
  features?: Record<string, DriftTestChoice>;
  /** The size rule of auto (defaults: DEFAULT_AUTO_RULE). */
  auto?: Partial<AutoRule>;
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

/** Non-empty cells of a reference feature (NaN and ±inf included): 0 means the column had no value at all. */
export function profileValueCount(p: FeatureProfile): number {
  if (p.kind === 'numeric') return p.sorted.length + p.dropped.nan + p.dropped.infinite;
  let n = 0;
  for (let i = 0; i < p.counts.length; i++) n += p.counts[i] as number;
  return n;
}

/** Non-empty cells of a current column. */
export function columnValueCount(c: Column): number {
  return c.kind === 'numeric' ? c.values.length : c.codes.length;
}

/** Distinct values of a sorted array, counting stops after `limit`. */
function distinctUpTo(sorted: Float64Array, limit: number): number {
  let n = 0;
  for (let i = 0; i < sorted.length && n <= limit; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) n++;
  return n;
}

function factsOf(profile: FeatureProfile, rule: AutoRule): FeatureFacts {
  if (profile.kind === 'numeric') return { type: 'numeric', referenceCount: profile.sorted.length, distinct: distinctUpTo(profile.sorted, rule.maxDistinct) };
  return { type: 'categorical', referenceCount: profileValueCount(profile), distinct: profile.categories.length };
}

/** The test for one feature of a profile, as compareWindow chooses it. */
export function resolveTest(profile: FeatureProfile, options: DriftOptions = {}): TestChoice {
  const rule = { ...DEFAULT_AUTO_RULE, ...options.auto };
  return chooseTest(profile.name, factsOf(profile, rule), options.features?.[profile.name], options.test ?? 'auto', rule);
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

/** Distinct reference values and their counts, for a numeric feature tested as categories; computed once per profile. */
const levelsMemo = new WeakMap<NumericProfile, { index: Map<number, number>; counts: number[] }>();
function referenceLevels(ref: NumericProfile): { index: Map<number, number>; counts: number[] } {
  const hit = levelsMemo.get(ref);
  if (hit) return hit;
  const index = new Map<number, number>();
  const counts: number[] = [];
  for (let i = 0; i < ref.sorted.length; i++) {
    const v = ref.sorted[i] as number;
    const k = index.get(v);
    if (k === undefined) {
      index.set(v, counts.length);
      counts.push(1);
    } else counts[k] = (counts[k] ?? 0) + 1;
  }
  const made = { index, counts };
  levelsMemo.set(ref, made);
  return made;
}

/** chi2, psi or jensenshannon on two count vectors over the same categories. */
function countsFeature(refCounts: Float64Array, curCounts: Float64Array, nRef: number, nCur: number, test: DriftTestKind): Partial_ {
  const counts = { reference_count: nRef, current_count: nCur };
  if (test === 'chi2') {
    const r = chi2Homogeneity(refCounts, curCounts);
    if (!r) return { ...none, ...counts, status: 'single_category', note: 'fewer than two categories in the two samples together: chi-square is undefined' };
    return { ...none, ...counts, method: r.dof === 1 ? 'yates' : 'pearson', statistic: r.statistic, p_value: r.pValue, dof: r.dof, status: 'ok', note: null };
  }
  const d = test === 'psi' ? psi(flooredProportions(refCounts, nRef), flooredProportions(curCounts, nCur)) : jensenShannon(refCounts, curCounts);
  return { ...none, ...counts, statistic: d, distance: d, normalized: d, status: 'ok', note: null };
}

/** Counts over the reference's categories, with keys first seen in the current sample appended. */
function countTable<T>(refCounts: ArrayLike<number>, index: Map<T, number>, keys: readonly T[], keyCounts: ArrayLike<number>): { ref: Float64Array; cur: Float64Array } {
  let extra = 0;
  const slot = keys.map((k) => index.get(k) ?? refCounts.length + extra++);
  const ref = new Float64Array(refCounts.length + extra);
  ref.set(refCounts);
  const cur = new Float64Array(ref.length);
  slot.forEach((j, i) => (cur[j] = (cur[j] ?? 0) + (keyCounts[i] as number)));
  return { ref, cur };
}

const emptyNote = (side: string, what: string): string => `empty sample: no ${what} in the ${side} sample`;

function numericFeature(ref: NumericProfile, values: Float64Array, choice: TestChoice, alt: KsAlternative): Partial_ & { curDropped: Omit<Dropped, 'missing'> } {
  const { test } = choice;
  const { finite, nan, infinite } = finiteValues(values);
  // Only KS and Wasserstein need the current side sorted; the binned tests search the edges.
  if (test === 'ks' || test === 'wasserstein') finite.sort();
  const counts = { reference_count: ref.sorted.length, current_count: finite.length };
  const base = { ...counts, curDropped: { nan, infinite } };
  if (ref.sorted.length === 0 || finite.length === 0) {
    const refSide = ref.sorted.length === 0;
    const droppedSome = refSide ? ref.dropped.nan + ref.dropped.infinite > 0 : nan + infinite > 0;
    return { ...none, ...base, status: 'empty', note: emptyNote(refSide ? 'reference' : 'current', droppedSome ? 'finite value left' : 'value') };
  }
  if (choice.asCategories) {
    const levels = referenceLevels(ref);
    const seen = new Map<number, number>();
    for (let i = 0; i < finite.length; i++) seen.set(finite[i] as number, (seen.get(finite[i] as number) ?? 0) + 1);
    const t = countTable(levels.counts, levels.index, [...seen.keys()], [...seen.values()]);
    return { ...countsFeature(t.ref, t.cur, ref.sorted.length, finite.length, test), curDropped: { nan, infinite } };
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
  const perCategory = new Float64Array(col.categories.length);
  for (let i = 0; i < col.codes.length; i++) perCategory[col.codes[i] as number] = (perCategory[col.codes[i] as number] ?? 0) + 1;
  const t = countTable(ref.counts, index, col.categories, perCategory);
  const nRef = ref.counts.reduce((s, x) => s + x, 0);
  const nCur = col.codes.length;
  if (nRef === 0 || nCur === 0) {
    return { ...none, reference_count: nRef, current_count: nCur, status: 'empty', note: emptyNote(nRef === 0 ? 'reference' : 'current', 'value') };
  }
  return countsFeature(t.ref, t.cur, nRef, nCur, test);
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

/**
 * A column with no value at all on one side says nothing about its type (an empty CSV column reads
 * as numeric): that side takes the other side's type, so the feature reports an empty sample
 * instead of a type mismatch.
 */
function alignEmptySide(profile: FeatureProfile, col: Column): { profile: FeatureProfile; col: Column } {
  if (col.kind === profile.kind) return { profile, col };
  const refEmpty = profileValueCount(profile) === 0;
  if (!refEmpty && columnValueCount(col) > 0) {
    throw new DriftInputError(`column "${profile.name}" is ${profile.kind} in the reference but ${col.kind} in the current sample`);
  }
  if (!refEmpty) {
    const empty: Column =
      profile.kind === 'numeric'
        ? { kind: 'numeric', name: col.name, values: new Float64Array(0), missing: col.missing }
        : { kind: 'categorical', name: col.name, codes: new Int32Array(0), categories: [], missing: col.missing };
    return { profile, col: empty };
  }
  const empty: FeatureProfile =
    col.kind === 'numeric'
      ? { kind: 'numeric', name: profile.name, sorted: new Float64Array(0), dropped: profile.dropped, edges: new Float64Array(0), binCounts: new Float64Array(1), std: 0 }
      : { kind: 'categorical', name: profile.name, categories: [], counts: new Float64Array(0), dropped: profile.dropped };
  return { profile: empty, col };
}

function compareFeature(original: FeatureProfile, current: Column, options: DriftOptions): DriftFeatureResult {
  const { profile, col } = alignEmptySide(original, current);
  const choice = resolveTest(profile, options);
  const test = choice.test;
  const threshold = options.threshold ?? DEFAULT_THRESHOLDS[test];
  let part: Partial_;
  let cur: Dropped;
  if (profile.kind === 'numeric' && col.kind === 'numeric') {
    const r = numericFeature(profile, col.values, choice, options.alternative ?? 'two-sided');
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
    reason: choice.reason,
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
