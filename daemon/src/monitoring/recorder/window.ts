/**
 * One monitoring window as the serving process accumulates it: a reservoir sample of input rows
 * (Vitter's algorithm R, so every instance of the window has the same chance whatever the traffic
 * shape) with the predicted value of each sampled row, missing and out-of-range counts over every
 * instance, the prediction distribution and the mean confidence. Memory is bounded by the sample size.
 * Sampled rows are kept column by column as they are sampled (ColumnSample).
 */
import { type FeatureValue } from '../../../../schemas/src/serving';
import { type WindowSampleWire } from '../../../../schemas/src/monitoring';
import { type ColumnSample } from './column-sample';
import { confidenceOf, scalarOf, type OutputRoles } from '../../../../shared/src/monitoring/outputs';
import { type RunOutputs } from '../../../../shared/src/serving/model';

/** Distinct predicted labels counted per window; more are pooled under "(other)" so memory stays bounded. */
const MAX_LABELS = 200;
/** The key labels past MAX_LABELS are pooled under. */
const OTHER = Symbol('other');

export class WindowAcc {
  readonly startMs: number;
  predictions = 0;
  private seen = 0;
  private predicted: unknown[] = [];
  private readonly counts = new Map<string, { missing: number; out_of_range: number }>();
  /** Predicted labels as the model gave them (numbers or text): turned into text once, when the window closes. */
  private readonly labels = new Map<unknown, number>();
  /** Instances per version, the current version's counted apart (one version serves nearly always). */
  private readonly versions = new Map<number, number>();
  private current: { version: number; n: number } | undefined;
  private confidenceSum = 0;
  private confidenceN = 0;

  private readonly capacity: number;

  /** `sampled` is emptied and filled anew: the recorder passes the same one to every window. */
  constructor(
    now: number,
    private readonly sampled: ColumnSample,
    private readonly ranges: Record<string, [number, number]>,
  ) {
    this.startMs = now;
    this.capacity = sampled.capacity;
    sampled.clear();
  }

  private count(feature: string, what: 'missing' | 'out_of_range'): void {
    let c = this.counts.get(feature);
    if (!c) this.counts.set(feature, (c = { missing: 0, out_of_range: 0 }));
    c[what]++;
  }

  /** A refused request named a feature: counted as missing or out of range when that was the reason. */
  refused(feature: string, message: string): void {
    // Validation messages are the serving process's own (shared/src/serving/validate.ts).
    if (/: missing$|NaN or null/.test(message)) this.count(feature, 'missing');
    else if (/not one of the declared categories/.test(message)) this.count(feature, 'out_of_range');
  }

  /** Adds a request's instances, reading each one's prediction and confidence from the outputs. */
  add(version: number, features: readonly string[], rows: FeatureValue[][], outputs: RunOutputs, roles: OutputRoles, classification: boolean): void {
    const pred = roles.prediction ? outputs.get(roles.prediction)?.perRow : undefined;
    const prob = roles.probability ? outputs.get(roles.probability)?.perRow : undefined;
    this.countVersion(version, rows.length);
    for (let i = 0; i < rows.length; i++) this.addRow(features, rows[i] as FeatureValue[], pred ? scalarOf(pred[i]) : undefined, prob ? confidenceOf(prob[i]) : undefined, classification);
  }

  /** Adds a request's instances with their prediction and confidence already made (writeScores: pairs, NaN for none). */
  addScored(version: number, features: readonly string[], rows: FeatureValue[][], scores: Float64Array, classification: boolean): void {
    this.countVersion(version, rows.length);
    for (let i = 0; i < rows.length; i++) {
      const p = scores[2 * i] as number;
      const c = scores[2 * i + 1] as number;
      this.addRow(features, rows[i] as FeatureValue[], Number.isNaN(p) ? undefined : p, Number.isNaN(c) ? undefined : c, classification);
    }
  }

  /**
   * addScored() for rows read in place: `n` rows of `width` values from `f64[rowsAt]`, their scores
   * (pairs) following them from `f64[scoresAt]` (the ring's layout, RequestView). No array is made.
   */
  addFlat(version: number, features: readonly string[], f64: Float64Array, rowsAt: number, n: number, width: number, scoresAt: number, classification: boolean): void {
    this.countVersion(version, n);
    for (let i = 0; i < n; i++) {
      const at = rowsAt + i * width;
      const p = f64[scoresAt + 2 * i] as number;
      const c = f64[scoresAt + 2 * i + 1] as number;
      this.checkRangesFlat(features, f64, at);
      this.sampleFlat(f64, at, width, Number.isNaN(p) ? null : p);
      this.scored(Number.isNaN(p) ? undefined : p, Number.isNaN(c) ? undefined : c, classification);
    }
  }

  private countVersion(version: number, n: number): void {
    if (this.current?.version === version) this.current.n += n;
    else {
      if (this.current) this.versions.set(this.current.version, (this.versions.get(this.current.version) ?? 0) + this.current.n);
      this.current = { version, n: (this.versions.get(version) ?? 0) + n };
      this.versions.delete(version);
    }
    this.predictions += n;
  }

  private addRow(features: readonly string[], row: FeatureValue[], p: number | string | boolean | undefined, c: number | undefined, classification: boolean): void {
    this.checkRanges(features, row);
    this.sample(row, p);
    this.scored(p, c, classification);
  }

  /** Counts an instance's predicted label (classifiers) and confidence, when it has them. */
  private scored(p: number | string | boolean | undefined, c: number | undefined, classification: boolean): void {
    if (p !== undefined && classification) this.label(p);
    if (c !== undefined) {
      this.confidenceSum += c;
      this.confidenceN++;
    }
  }

  /** Indices of the features that declare a range, for the feature list last seen (the same array while a version serves). */
  private ranged: { features: readonly string[] | undefined; idx: number[] } = { features: undefined, idx: [] };

  private rangedOf(features: readonly string[]): number[] {
    if (this.ranged.features !== features) this.ranged = { features, idx: features.flatMap((f, j) => (this.ranges[f] ? [j] : [])) };
    return this.ranged.idx;
  }

  private checkRanges(features: readonly string[], row: FeatureValue[]): void {
    for (const j of this.rangedOf(features)) {
      const r = this.ranges[features[j] as string] as [number, number];
      const v = row[j];
      if (typeof v === 'number' && (v < r[0] || v > r[1])) this.count(features[j] as string, 'out_of_range');
    }
  }

  private checkRangesFlat(features: readonly string[], f64: Float64Array, at: number): void {
    for (const j of this.rangedOf(features)) {
      const r = this.ranges[features[j] as string] as [number, number];
      const v = f64[at + j] as number;
      if (v < r[0] || v > r[1]) this.count(features[j] as string, 'out_of_range');
    }
  }

  private sample(row: FeatureValue[], predicted: unknown): void {
    const k = this.slot(row.length);
    if (k < 0) return;
    this.sampled.put(k, row);
    this.predicted[k] = predicted ?? null;
  }

  private sampleFlat(f64: Float64Array, at: number, width: number, predicted: number | null): void {
    const k = this.slot(width);
    if (k < 0) return;
    this.sampled.putFlat(k, f64, at, width);
    this.predicted[k] = predicted;
  }

  /** The reservoir's slot for the next instance (algorithm R), or -1 when it is not sampled. */
  private slot(width: number): number {
    if (width !== this.sampled.width) {
      // A version with another feature list: its rows are not mixed with the earlier ones.
      this.sampled.reset(width);
      this.predicted = [];
      this.seen = 0;
    }
    this.seen++;
    if (this.sampled.size < this.capacity) return this.sampled.size;
    const j = Math.floor(Math.random() * this.seen);
    return j < this.capacity ? j : -1;
  }

  private label(key: unknown): void {
    const k = this.labels.has(key) || this.labels.size < MAX_LABELS ? key : OTHER;
    this.labels.set(k, (this.labels.get(k) ?? 0) + 1);
  }

  /** The prediction distribution by label text (1 and "1" are one label). */
  private distribution(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, n] of this.labels) {
      const key = k === OTHER ? '(other)' : String(k);
      out[key] = (out[key] ?? 0) + n;
    }
    return out;
  }

  /** The version that served most of the window. */
  version(): number | null {
    let best: number | null = null;
    let n = -1;
    for (const [v, c] of this.versions) if (c > n) [best, n] = [v, c];
    if (this.current && this.current.n > n) best = this.current.version;
    return best;
  }

  /** The window as it is sent. */
  finish(endMs: number, features: readonly string[]): WindowSampleWire {
    // No row sampled yet, or rows of another feature list than the one being served: no sample.
    const ok = this.sampled.width === features.length;
    return {
      start_ms: this.startMs,
      end_ms: endMs,
      version: this.version(),
      predictions: this.predictions,
      features: [...features],
      size: ok ? this.sampled.size : 0,
      columns: ok ? this.sampled.columns() : features.map(() => ({ values: [] })),
      predicted: ok ? this.predicted : [],
      counts: Object.fromEntries(this.counts),
      prediction_distribution: this.distribution(),
      confidence_sum: this.confidenceSum,
      confidence_n: this.confidenceN,
    };
  }
}
