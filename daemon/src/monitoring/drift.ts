/**
 * Live drift: each closed window's input sample against the deployment's reference dataset
 * (`monitoring.reference`), with the drift engine and a cached reference profile (built once per
 * dataset version), following the dataset-level `share` rule; the prediction distribution against
 * the version's first window (chi-square of predicted labels for classifiers, two-sample KS of the
 * predicted values for regressions); and the binned reference vs window distribution of every feature,
 * stored for the dashboards (shared edges, so the webview never sees raw rows).
 */
import { type DistributionResponse, type DriftWindowResult, type FeatureDrift } from '../../../schemas/src/monitoring';
import { type SampleColumn, type WindowSample } from '../../../schemas/src/monitoring-wire';
import { type DriftFeatureResult } from '../../../schemas/src/drift';
import { categoricalColumn, compareWindow, numericColumn, prepareReference, readCsv, ReferenceCache, type Column, type FeatureProfile, type ReferenceProfile } from '../../../shared/src/drift';
import { chi2Homogeneity } from '../../../shared/src/drift/distances';
import { ks2sampSorted, sortedCopy } from '../../../shared/src/drift/ks';
import { type MonitoringSettings } from '../../../shared/src/monitoring/config';
import { type ObjectStore } from '../../../shared/src/objects';
import { type Datasets } from '../datasets/datasets';

const BINS = 20;
const MAX_CATEGORIES = 50;

export type DistributionData = Omit<DistributionResponse, 'deployment' | 'window' | 'feature'>;

/** A version's first window: its predicted-label counts (classification) or sorted predicted values (regression). */
export type PredictionBaseline = Record<string, number> | number[];

export interface DriftOutcome {
  result: DriftWindowResult;
  distributions: Map<string, DistributionData>;
}

export class LiveDrift {
  private readonly profiles = new ReferenceCache(8);

  constructor(
    private readonly datasets: Datasets,
    private readonly objects: ObjectStore,
  ) {}

  /** "train" (latest version) or "train@3" → the label and the CSV file of that version in the object store. */
  private referenceFile(ref: string): { label: string; file: string } {
    const m = /^([^@]+)(?:@(\d+))?$/.exec(ref);
    if (!m) throw new Error(`monitoring.reference "${ref}" is not a dataset name or name@version`);
    const name = m[1] as string;
    const version = m[2] ? Number(m[2]) : this.datasets.latestVersions([name])[0]?.version;
    if (version === undefined) throw new Error(`dataset "${name}" (monitoring.reference) has no version yet; snapshot it with \`mlops data snapshot ${name}\``);
    const files = this.datasets.manifest(name, version).files.filter((f) => f.path.toLowerCase().endsWith('.csv'));
    const first = files[0];
    if (!first) throw new Error(`dataset ${name}@${version} (monitoring.reference) has no CSV file to compare with`);
    return { label: `${name}@${version}`, file: this.objects.pathOf(first.sha256) };
  }

  private profile(ref: string): { label: string; profile: ReferenceProfile } {
    const { label, file } = this.referenceFile(ref);
    return { label, profile: this.profiles.get(label, () => {
      const table = readCsv(file);
      return prepareReference(table.columns, table.rows);
    }) };
  }

  evaluate(m: MonitoringSettings, sample: WindowSample, baseline: PredictionBaseline | undefined): DriftOutcome {
    if (!m.reference) return evaluateWindow(m, sample, baseline, { note: 'set monitoring.reference to a dataset to measure drift' });
    try {
      return evaluateWindow(m, sample, baseline, this.profile(m.reference));
    } catch (e) {
      return evaluateWindow(m, sample, baseline, { note: e instanceof Error ? e.message : String(e), reference: m.reference });
    }
  }
}

/** One window against a reference profile (or, without one, a result saying why drift was not measured). */
export function evaluateWindow(
  m: MonitoringSettings,
  sample: WindowSample,
  baseline: PredictionBaseline | undefined,
  ref: { label: string; profile: ReferenceProfile } | { note: string; reference?: string },
): DriftOutcome {
  const distributions = new Map<string, DistributionData>();
  const prediction = Array.isArray(baseline) ? valueDrift(predictedValues(sample), baseline, m.drift.threshold) : predictionDrift(sample.prediction_distribution, baseline, m.drift.threshold);
  if (Object.keys(sample.prediction_distribution).length) distributions.set('prediction', categorical(sample.prediction_distribution, Array.isArray(baseline) ? {} : (baseline ?? {})));
  const base = { sample: sample.size, prediction };
  if ('note' in ref) {
    const features = sample.features.map((name) => featureDrift(name, undefined, sample.counts[name], ref.note));
    return { result: { reference: ref.reference ?? null, drifted: false, share: 0, drifted_features: [], features, note: ref.note, ...base }, distributions };
  }
  const byName = new Map(ref.profile.features.map((f) => [f.name, f]));
  const columns = sample.features.map((name, j) => columnOf(name, sample.columns[j] ?? [], byName.get(name)));
  const only = sample.features.filter((f) => byName.has(f));
  const report = compareWindow(ref.profile, columns.filter((c) => byName.has(c.name)), {
    test: m.drift.test,
    features: m.drift.features,
    threshold: m.drift.threshold,
    share: m.drift.share,
    correction: m.drift.correction,
    ...(m.drift.auto ? { auto: { maxDistinct: m.drift.auto.max_distinct, distanceAbove: m.drift.auto.distance_above ?? null } } : {}),
    only,
  }, sample.size);
  const results = new Map(report.features.map((f) => [f.feature, f]));
  const features = sample.features.map((name) => featureDrift(name, results.get(name), sample.counts[name]));
  for (const c of columns) {
    const p = byName.get(c.name);
    if (p) distributions.set(c.name, binned(p, c));
  }
  const drifted = features.filter((f) => f.drifted).map((f) => f.name);
  return { result: { reference: ref.label, drifted: report.dataset.drifted, share: report.dataset.share, drifted_features: drifted, features, note: null, ...base }, distributions };
}

/** An engine column from the sample's values of one feature, of the reference's kind when it has one. */
function columnOf(name: string, values: SampleColumn, ref: FeatureProfile | undefined): Column {
  const numeric = ref ? ref.kind === 'numeric' : values.every((v) => typeof v === 'number' || typeof v === 'boolean' || v == null);
  if (numeric) return numericColumn(name, values.map((v) => (typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : null)));
  return categoricalColumn(name, values.map((v) => (v == null ? null : String(v))));
}

function featureDrift(name: string, r: DriftFeatureResult | undefined, counts: { missing: number; out_of_range: number } | undefined, note?: string): FeatureDrift {
  const base = { name, missing: counts?.missing ?? 0, out_of_range: counts?.out_of_range ?? 0 };
  if (!r) return { ...base, test: null, statistic: null, p_value: null, distance: null, threshold: null, drifted: false, note: note ?? 'not in the reference dataset' };
  return {
    ...base,
    test: r.test,
    statistic: r.statistic,
    p_value: r.p_value_adjusted ?? r.p_value,
    distance: r.normalized ?? r.distance,
    threshold: r.threshold,
    drifted: r.drifted,
    note: r.note,
  };
}

/** Chi-square of this window's predicted labels against the version's first window. */
function predictionDrift(current: Record<string, number>, baseline: Record<string, number> | undefined, threshold: number): FeatureDrift | null {
  if (!baseline || !Object.keys(current).length) return null;
  const keys = [...new Set([...Object.keys(baseline), ...Object.keys(current)])];
  const chi = chi2Homogeneity(keys.map((k) => baseline[k] ?? 0), keys.map((k) => current[k] ?? 0));
  const base = { name: 'prediction', missing: 0, out_of_range: 0, distance: null, threshold };
  if (!chi) return { ...base, test: null, statistic: null, p_value: null, drifted: false, note: 'a single predicted class in both windows' };
  return { ...base, test: 'chi2', statistic: chi.statistic, p_value: chi.pValue, drifted: chi.pValue < threshold, note: null };
}

/** The sample's numeric predictions (regression), sorted: what the next windows of the version are compared with. */
export function predictedValues(sample: WindowSample): number[] {
  return Array.from(sortedCopy(sample.predicted.filter((p): p is number => typeof p === 'number' && Number.isFinite(p))));
}

/** Two-sample KS of this window's predicted values against the version's first window's. */
function valueDrift(current: number[], baseline: number[], threshold: number): FeatureDrift | null {
  if (!baseline.length || !current.length) return null;
  const ks = ks2sampSorted(Float64Array.from(baseline), Float64Array.from(current));
  return { name: 'prediction', missing: 0, out_of_range: 0, distance: null, threshold, test: 'ks', statistic: ks.statistic, p_value: ks.pValue, drifted: ks.pValue < threshold, note: null };
}

function categorical(current: Record<string, number>, reference: Record<string, number>): DistributionData {
  const cats = [...new Set([...Object.keys(reference), ...Object.keys(current)])].slice(0, MAX_CATEGORIES);
  return { kind: 'categorical', edges: [], categories: cats, reference: cats.map((c) => reference[c] ?? 0), current: cats.map((c) => current[c] ?? 0), below: 0, above: 0 };
}

/** Reference and window counts on the same bins: equal-width over the reference's range, or the union of categories. */
function binned(ref: FeatureProfile, cur: Column): DistributionData {
  if (ref.kind === 'categorical' || cur.kind === 'categorical') {
    const refCounts: Record<string, number> = {};
    if (ref.kind === 'categorical') ref.categories.forEach((c, i) => (refCounts[c] = ref.counts[i] as number));
    const curCounts: Record<string, number> = {};
    if (cur.kind === 'categorical') for (let i = 0; i < cur.codes.length; i++) {
      const c = cur.categories[cur.codes[i] as number] as string;
      curCounts[c] = (curCounts[c] ?? 0) + 1;
    }
    return categorical(curCounts, refCounts);
  }
  const { edges, a, b, reference } = referenceBins(ref);
  const c = countBins(cur.values, a, b);
  return { kind: 'numeric', edges, categories: [], reference, current: c.counts, below: c.below, above: c.above };
}

/** Equal-width bins over the reference's range, counted once per profile (the profile is cached, so are they). */
const refBins = new WeakMap<FeatureProfile, { edges: number[]; a: number; b: number; reference: number[] }>();
function referenceBins(ref: Extract<FeatureProfile, { kind: 'numeric' }>): { edges: number[]; a: number; b: number; reference: number[] } {
  const hit = refBins.get(ref);
  if (hit) return hit;
  const n = ref.sorted.length;
  const lo = n ? (ref.sorted[0] as number) : 0;
  const hi = n ? (ref.sorted[n - 1] as number) : 1;
  const [a, b] = hi > lo ? [lo, hi] : [lo - 0.5, lo + 0.5];
  const edges = Array.from({ length: BINS + 1 }, (_, i) => a + ((b - a) * i) / BINS);
  const made = { edges, a, b, reference: countBins(ref.sorted, a, b).counts };
  refBins.set(ref, made);
  return made;
}

function countBins(values: ArrayLike<number>, a: number, b: number): { counts: number[]; below: number; above: number } {
  const counts = new Array<number>(BINS).fill(0);
  let below = 0;
  let above = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v < a) below++;
    else if (v > b) above++;
    else {
      const k = Math.min(BINS - 1, Math.floor(((v - a) / (b - a)) * BINS));
      counts[k] = (counts[k] as number) + 1;
    }
  }
  return { counts, below, above };
}
