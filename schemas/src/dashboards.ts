/**
 * What the drift and latency dashboards show: the daemon's dataset drift answer and the data the
 * extension posts to the two webviews. Aggregates only (per-feature results, counts on bins,
 * per-step series): no raw row ever reaches a webview. Written with `zod/mini` because the webview
 * bundle validates these shapes too (the classic API would add ~150 KB there); classic schemas
 * (the endpoint declarations) embed them as they are.
 */
import * as z from 'zod/mini';

const count = z.int().check(z.nonnegative());
const counts = z.array(z.number().check(z.nonnegative()));
const num = z.nullable(z.number());

/** Who is compared: two dataset versions, or a deployment's recent windows against its reference. */
export const driftSubjectSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('dataset'),
    dataset: z.string(),
    version: z.int(),
    reference: z.object({ dataset: z.string(), version: z.int() }),
  }),
  z.object({ kind: z.literal('deployment'), deployment: z.string(), reference: z.nullable(z.string()) }),
]);
export type DriftSubject = z.infer<typeof driftSubjectSchema>;

/** The dataset-level verdict: the `share` rule and the multiple-testing correction named. */
export const driftVerdictSchema = z.object({
  drifted: z.boolean(),
  drifted_features: count,
  tested_features: count,
  share: z.number(),
  share_threshold: z.number(),
  correction: z.string(),
});

/** One row of the features table. */
export const driftFeatureRowSchema = z.object({
  feature: z.string(),
  type: z.enum(['numeric', 'categorical']),
  /** null when the feature could not be tested (see note). */
  test: z.nullable(z.string()),
  /** Why this test: the engine's reason ("auto: numeric with 4 distinct values (≤ 5)"). */
  reason: z.string(),
  statistic: num,
  /** p-value after the correction (ks, chi2); null for distances. */
  p_value: num,
  /** Normalised distance compared with the threshold (psi, wasserstein, jensenshannon); null for p-value tests. */
  distance: num,
  threshold: num,
  drifted: z.boolean(),
  note: z.nullable(z.string()),
  /** Empty, NaN or infinite values of the current side. */
  missing: count,
  /** Current values outside the declared range or categories; null when nothing is declared. */
  out_of_range: z.nullable(count),
});
export type DriftFeatureRow = z.infer<typeof driftFeatureRowSchema>;

/** Reference vs current distribution of one feature: shared bins (numeric) or one bar per category. */
export const distributionSchema = z.discriminatedUnion('kind', [
  z.object({ feature: z.string(), kind: z.literal('histogram'), edges: z.array(z.number()), reference: counts, current: counts }),
  z.object({ feature: z.string(), kind: z.literal('bars'), categories: z.array(z.string()), reference: counts, current: counts }),
]);
export type Distribution = z.infer<typeof distributionSchema>;

/** A feature's drift score per window (p-value or normalised distance), for the over-time chart. */
export const scoreHistorySchema = z.object({
  feature: z.string(),
  /** Window ends, epoch ms. */
  times: z.array(z.number()),
  scores: z.array(num),
  threshold: num,
  /** 'p_value': drifted below the threshold; 'distance': at or above. */
  measure: z.enum(['p_value', 'distance']),
});
export type ScoreHistory = z.infer<typeof scoreHistorySchema>;

export const WINDOW_CHOICES = ['hour', 'day', 'week', 'custom'] as const;
export const windowChoiceSchema = z.object({
  kind: z.enum(WINDOW_CHOICES),
  /** Epoch ms; for `custom` as the user gave them, else computed when the data was read. */
  from: z.number(),
  to: z.number(),
});
export type WindowChoice = z.infer<typeof windowChoiceSchema>;

export const driftDashboardSchema = z.object({
  title: z.string(),
  subject: driftSubjectSchema,
  generated_at: z.string(),
  reference_rows: count,
  current_rows: count,
  verdict: driftVerdictSchema,
  features: z.array(driftFeatureRowSchema),
  /** One per feature (datasets), or the selected feature's (deployments: asked per window). */
  distributions: z.array(distributionSchema),
  /** Deployments: score per window per feature; empty for datasets. */
  history: z.array(scoreHistorySchema),
  /** Deployments: the window shown; null for datasets. */
  window: z.nullable(windowChoiceSchema),
  /** Versions the reference picker offers (datasets: "train@3"), newest first. */
  references: z.array(z.string()),
});
export type DriftDashboard = z.infer<typeof driftDashboardSchema>;

/** Parallel arrays of the latency dashboard, one entry per step (decimated when long). */
export const latencySeriesSchema = z.object({
  t: z.array(z.number()),
  p50: z.array(num),
  p95: z.array(num),
  p99: z.array(num),
  error_rate: z.array(num),
  throughput: z.array(z.number()),
  in_flight: z.array(z.number()),
});
export type LatencySeries = z.infer<typeof latencySeriesSchema>;

export const BREAKER_STATES = ['closed', 'open', 'half_open'] as const;
/** A marker on the time axis: a circuit-breaker transition or a model-version change. */
export const timeMarkSchema = z.object({ time: z.number(), kind: z.enum(['breaker', 'version']), label: z.string() });
export type TimeMark = z.infer<typeof timeMarkSchema>;

/** What the latency page shows of a deployment's shadow: the newest (primary, shadow) pair's figures. */
export const latencyShadowSchema = z.object({
  /** What `deployments.<name>.shadow` names (a stage, alias or version). */
  shadow: z.string(),
  /** The newest pair; null while the shadow has compared nothing yet. */
  primary_version: z.nullable(z.int()),
  shadow_version: z.nullable(z.int()),
  compared: count,
  agreement: num,
  mean_abs_score_diff: num,
  dropped: count,
  failed: count,
  primary_p95_ms: num,
  shadow_p95_ms: num,
});
export type LatencyShadow = z.infer<typeof latencyShadowSchema>;

export const latencyDashboardSchema = z.object({
  title: z.string(),
  deployment: z.string(),
  generated_at: z.string(),
  /** monitoring latency.p95_ms for this deployment (mlops.yaml). */
  sla_p95_ms: num,
  error_rate_max: num,
  window: windowChoiceSchema,
  step_ms: z.int().check(z.positive()),
  /** Points the daemon stored for the range, before decimation. */
  source_points: count,
  series: latencySeriesSchema,
  breaker: z.enum(BREAKER_STATES),
  marks: z.array(timeMarkSchema),
  /** The newest shadow comparison (`GET /deployments/:name/shadow`); null when no shadow is configured. */
  shadow: z.nullable(latencyShadowSchema),
});
export type LatencyDashboard = z.infer<typeof latencyDashboardSchema>;

/** Appended to a latency dashboard by a live update: new steps (and a changed last step), marks, breaker state, shadow figures. */
export const latencyPatchSchema = z.object({
  /** Steps at or after this time are replaced by `series` (the last step may still be filling). */
  from: z.number(),
  series: latencySeriesSchema,
  marks: z.array(timeMarkSchema),
  breaker: z.optional(z.enum(BREAKER_STATES)),
  /** The shadow comparison when it changed since the last message (null: no shadow any more); absent: unchanged. */
  shadow: z.optional(z.nullable(latencyShadowSchema)),
});
export type LatencyPatch = z.infer<typeof latencyPatchSchema>;
