/**
 * Monitoring contracts (issue 15): alerts and their evidence, the current-window figures of
 * `mlops monitor`, predictions and feedback, the dashboard queries (time series of stored slices,
 * per-window results, binned distributions) and the messages a serving process sends the daemon.
 * Dashboards read only stored aggregates: no endpoint here returns raw per-request rows except
 * `predictions show`, which returns one prediction by id.
 */
import * as z from 'zod';
import { isoTime, reasonSchema } from './api';
import { driftTestKindSchema } from './drift';
import { ALERT_KINDS, durationSchema, nameSchema } from './mlops-yaml';

// ---------- Alerts ----------

/** Declared in mlops-yaml.ts (deployments.<name>.on_alert keys), which this file imports. */
export { ALERT_KINDS };
/** The kinds monitoring raises, plus `rollback_failed`: raised by the automatic rollback itself when
 * the version an alert names has no earlier Production version to go back to (not an `on_alert` key). */
export const alertKindEnum = z.enum([...ALERT_KINDS, 'rollback_failed']);
export type AlertKind = z.infer<typeof alertKindEnum>;
export const ALERT_STATES = ['open', 'resolved'] as const;
export const alertStateEnum = z.enum(ALERT_STATES);

/** The span of data a figure was computed on. */
export const windowSpanSchema = z.object({
  id: z.number().int().nullable().describe('Stored window id (GET …/monitoring/windows), null for a figure over recent slices'),
  start: isoTime,
  end: isoTime,
  predictions: z.number().int().nonnegative().describe('Predictions (instances) in the span'),
});
export type WindowSpan = z.infer<typeof windowSpanSchema>;

/** One drifted (or checked) feature in drift evidence. */
export const driftEvidenceFeatureSchema = z.object({
  name: z.string(),
  test: driftTestKindSchema,
  statistic: z.number().nullable(),
  p_value: z.number().nullable().describe('p-value (after correction) for ks/chi2; null for distances'),
  distance: z.number().nullable().describe('Normalized distance for psi/wasserstein/jensenshannon; null for p-value tests'),
  threshold: z.number(),
});
export type DriftEvidenceFeature = z.infer<typeof driftEvidenceFeatureSchema>;

export const alertEvidenceSchema = z.object({
  values: z
    .record(z.string(), z.number().nullable())
    .describe('The figures the rule judged, e.g. {p95_ms: 812} or {error_rate: 0.04, errors: 12, requests: 300} or {accuracy: 0.61, labelled: 200} or {drift_share: 0.67}'),
  threshold: z.number().describe('The configured limit (p95 ms, error share, accuracy floor, drift share)'),
  window: windowSpanSchema,
  features: z.array(driftEvidenceFeatureSchema).optional().describe('Drift: the features that drifted, with their statistics'),
  message: z.string().describe('One readable sentence, e.g. "p95 latency 812 ms > 500 ms"'),
});
export type AlertEvidence = z.infer<typeof alertEvidenceSchema>;

export const alertSchema = z.object({
  id: z.string().describe('Stable id, e.g. "al-12"'),
  deployment: z.string(),
  kind: alertKindEnum,
  state: alertStateEnum,
  opened_at: isoTime,
  resolved_at: isoTime.nullable(),
  updated_at: isoTime.describe('Last time the condition was evaluated while open (deduplicated re-evaluations)'),
  version: z.number().int().nullable().describe('Model version served when the alert opened'),
  evidence: alertEvidenceSchema.describe('What opened the alert'),
  latest: alertEvidenceSchema.nullable().describe('The latest evaluation (while open) or the one that resolved it'),
  acknowledged: z.boolean(),
  acknowledged_by: z.string().nullable(),
  acknowledged_at: isoTime.nullable(),
  silenced_until: isoTime.nullable().describe('The deployment was silenced until then when the alert last changed'),
});
export type Alert = z.infer<typeof alertSchema>;

export const alertsQuery = z
  .object({
    all: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true')
      .describe('Resolved alerts too (most recent first)'),
    deployment: nameSchema.optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
  })
  .strict();
export const alertsResponse = z.object({
  alerts: z.array(alertSchema),
  silenced: z.array(z.object({ deployment: z.string(), until: isoTime })).describe('Deployments silenced now'),
});
export const alertIdParam = z.object({ id: z.string().regex(/^al-[0-9]{1,12}$/, 'expected an alert id such as "al-12"') });
export const ackRequest = z.object({ reason: reasonSchema.default('') }).strict();
export const silenceRequest = z
  .object({
    for: durationSchema.describe('How long, e.g. "1h"'),
    reason: reasonSchema.default(''),
  })
  .strict();
export const silenceResponse = z.object({ deployment: z.string(), silenced_until: isoTime });

// ---------- Current window (`mlops monitor`) ----------

export const latencyFiguresSchema = z.object({
  p50_ms: z.number().nullable(),
  p95_ms: z.number().nullable(),
  p99_ms: z.number().nullable(),
});

export const featureDriftSchema = z.object({
  name: z.string(),
  test: driftTestKindSchema.nullable().describe('null when the feature could not be tested (see note)'),
  statistic: z.number().nullable(),
  p_value: z.number().nullable(),
  distance: z.number().nullable(),
  threshold: z.number().nullable(),
  drifted: z.boolean(),
  missing: z.number().int().nonnegative().describe('Missing values of this feature in the window (all requests, not the sample)'),
  out_of_range: z.number().int().nonnegative().describe('Values outside the declared range or categories (all requests)'),
  note: z.string().nullable(),
});
export type FeatureDrift = z.infer<typeof featureDriftSchema>;

export const driftWindowResultSchema = z.object({
  reference: z.string().nullable().describe('Reference dataset version ("train@3"); null when monitoring.reference is not set'),
  drifted: z.boolean().describe('Dataset-level verdict (the `share` rule)'),
  share: z.number().describe('Share of tested features that drifted'),
  drifted_features: z.array(z.string()),
  sample: z.number().int().nonnegative().describe('Sampled rows compared'),
  features: z.array(featureDriftSchema),
  prediction: featureDriftSchema.nullable().describe('Drift of the prediction distribution against the reference predictions, when known'),
  note: z.string().nullable().describe('Why drift was not computed, e.g. no reference set'),
});
export type DriftWindowResult = z.infer<typeof driftWindowResultSchema>;

export const accuracyFiguresSchema = z.object({
  task: z.enum(['classification', 'regression']).nullable(),
  labelled: z.number().int().nonnegative(),
  accuracy: z.number().nullable().describe('Classification: share of labelled predictions that were right'),
  mae: z.number().nullable().describe('Regression: mean absolute error'),
  rmse: z.number().nullable().describe('Regression: root mean squared error'),
});
export type AccuracyFigures = z.infer<typeof accuracyFiguresSchema>;

/** What a finished (or the current) window holds. */
export const windowResultSchema = z.object({
  id: z.number().int().nullable().describe('null for the window still open'),
  deployment: z.string(),
  version: z.number().int().nullable().describe('Version that served most of the window'),
  start: isoTime,
  end: isoTime,
  predictions: z.number().int().nonnegative(),
  requests: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative().describe('Requests answered 5xx'),
  error_rate: z.number().nullable(),
  throughput_rps: z.number().nullable(),
  latency: latencyFiguresSchema,
  accuracy: accuracyFiguresSchema,
  prediction_distribution: z
    .record(z.string(), z.number().int().nonnegative())
    .describe('Classification: predicted label → count; regression: empty'),
  mean_confidence: z.number().nullable().describe('Classification: mean top probability, when the model outputs probabilities'),
  prediction_sample: z
    .array(z.number())
    .optional()
    .describe("Regression, first window of a version only: its sample's predicted values, sorted; later windows' prediction drift is a KS test against them"),
  drift: driftWindowResultSchema.nullable().describe('null while the window is open'),
});
export type WindowResult = z.infer<typeof windowResultSchema>;

/** `GET /deployments/:name/monitor`, `mlops monitor --json`. */
export const monitorResponse = z.object({
  deployment: z.string(),
  state: z.string().describe('Deployment state (serving, stopped, …)'),
  version: z.number().int().nullable(),
  current: windowResultSchema.describe('The recent slices of the open window: latency, errors, throughput, accuracy so far'),
  last_window: windowResultSchema.nullable().describe('The last closed window, with its drift per feature'),
  open_alerts: z.array(alertSchema),
});
export type MonitorResponse = z.infer<typeof monitorResponse>;

// ---------- Predictions and feedback ----------

/** Request ids a caller may choose (`X-Request-Id`); the serving process makes a UUIDv7 otherwise. */
export const REQUEST_ID_PATTERN = /^[\w.:-]{1,128}$/;
export const requestIdSchema = z.string().regex(REQUEST_ID_PATTERN, 'expected a request id (letters, digits, "_", ".", ":" or "-", at most 128)');
export const labelSchema = z.union([z.number(), z.string(), z.boolean()]);

export const predictionSchema = z.object({
  request_id: requestIdSchema,
  deployment: z.string(),
  time: isoTime,
  version: z.number().int(),
  latency_ms: z.number(),
  status: z.number().int(),
  outputs: z.array(z.record(z.string(), z.unknown())).describe('One record per instance, as /predict answers'),
  inputs: z
    .array(z.record(z.string(), z.unknown()))
    .nullable()
    .describe('Inputs when stored (monitoring.store_inputs); left-out features are absent; null when none are kept'),
  feedback: z
    .array(z.object({ label: labelSchema, received_at: isoTime }))
    .describe('Labels received for this prediction (one per instance, in order)'),
});
export type Prediction = z.infer<typeof predictionSchema>;
export const predictionParam = z.object({ request_id: requestIdSchema });
export const predictionQuery = z.object({ deployment: nameSchema.optional() }).strict();

export const feedbackItemSchema = z.object({ request_id: requestIdSchema, label: labelSchema }).strict();
export type FeedbackItem = z.infer<typeof feedbackItemSchema>;
/** `POST /feedback` on a serving endpoint and `POST /deployments/:name/feedback` on the daemon: one item or a batch. */
export const feedbackRequest = z.union([
  feedbackItemSchema,
  z.object({ feedback: z.array(feedbackItemSchema).min(1).max(100_000) }).strict(),
]);
export type FeedbackRequest = z.infer<typeof feedbackRequest>;
export const feedbackResponse = z.object({
  accepted: z.number().int().nonnegative(),
  unknown: z.array(z.string()).describe('Request ids never seen, or pruned past the horizon (the first 1000)'),
  unknown_count: z.number().int().nonnegative(),
  duplicate: z.number().int().nonnegative().describe('Labels that replaced an earlier label of the same prediction'),
  invalid: z.array(z.object({ request_id: z.string(), reason: z.string() })).describe('Labels refused, e.g. a string for a regression model'),
});
export type FeedbackResponse = z.infer<typeof feedbackResponse>;

/** `mlops feedback --json`: the daemon's answers summed over the batches sent. */
export const feedbackJson = feedbackResponse.extend({ deployment: z.string(), rows: z.number().int().nonnegative(), seconds: z.number() });

// ---------- Dashboard queries (stored aggregates only) ----------

export const rangeQuery = z
  .object({
    from: isoTime.optional().describe('Start (default: `to` minus one hour)'),
    to: isoTime.optional().describe('End (default: now)'),
    step: z.coerce.number().int().min(1).max(86_400).optional().describe('Seconds per point (default: the slice, or coarser so at most 3000 points)'),
  })
  .strict();

export const seriesPointSchema = z.object({
  time: isoTime.describe('Start of the step'),
  requests: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
  error_rate: z.number().nullable(),
  throughput_rps: z.number(),
  p50_ms: z.number().nullable(),
  p95_ms: z.number().nullable(),
  p99_ms: z.number().nullable(),
  in_flight: z.number().nonnegative().describe('Highest in-flight count sampled in the step'),
  version: z.number().int().nullable().describe('Version that served most requests of the step'),
  versions: z.array(z.number().int()).describe('Every version that served in the step'),
  cpu_pct: z.number().nullable().describe('CPU of the serving process, percent of one core'),
  rss_mb: z.number().nullable().describe('Resident memory of the serving process'),
});
export type SeriesPoint = z.infer<typeof seriesPointSchema>;
export const seriesResponse = z.object({
  deployment: z.string(),
  from: isoTime,
  to: isoTime,
  step: z.number().int().positive(),
  points: z.array(seriesPointSchema).describe('One per step that had data, in time order'),
});
export type SeriesResponse = z.infer<typeof seriesResponse>;

export const windowsResponse = z.object({ deployment: z.string(), windows: z.array(windowResultSchema).describe('Closed windows in the range, oldest first') });

export const distributionParams = z.object({ name: nameSchema, window: z.coerce.number().int().positive() });
export const distributionQuery = z.object({ feature: z.string().min(1).max(200).describe('Feature name, or "prediction"') }).strict();
/** Reference vs window distribution of one feature on shared bins (numeric) or categories. */
export const distributionResponse = z.object({
  deployment: z.string(),
  window: z.number().int(),
  feature: z.string(),
  kind: z.enum(['numeric', 'categorical']),
  edges: z.array(z.number()).describe('Numeric: bin edges (bins = edges.length - 1); categorical: empty'),
  categories: z.array(z.string()).describe('Categorical: the categories; numeric: empty'),
  reference: z.array(z.number().nonnegative()).describe('Reference count per bin or category'),
  current: z.array(z.number().nonnegative()).describe('Window sample count per bin or category'),
  below: z.number().int().nonnegative().describe('Numeric: window values below the first edge'),
  above: z.number().int().nonnegative().describe('Numeric: window values above the last edge'),
});
export type DistributionResponse = z.infer<typeof distributionResponse>;

export const monitoringDeploymentParam = z.object({ name: nameSchema });

// ---------- CLI --json ----------

/** `mlops alerts --json`. */
export const alertsJson = alertsResponse;
/** `mlops alerts ack --json`. */
export const alertAckJson = alertSchema;
/** `mlops alerts silence --json`. */
export const alertSilenceJson = silenceResponse;
/** `mlops monitor --json`. */
export const monitorJson = monitorResponse;
/** `mlops predictions show --json`. */
export const predictionShowJson = predictionSchema;

// ---------- Serving process → daemon (IPC) ----------

/** A log-spaced latency histogram: bucket i counts latencies in [base·r^(i-1), base·r^i) ms; bucket 0 is below base. */
export const LATENCY_HISTOGRAM = { baseMs: 0.05, ratio: 1.1, buckets: 160 } as const;

export const sliceStatsSchema = z.object({
  start_ms: z.number().int().describe('Slice start, epoch ms'),
  version: z.number().int().nullable(),
  requests: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative().describe('5xx'),
  client_errors: z.number().int().nonnegative().describe('4xx'),
  predictions: z.number().int().nonnegative(),
  latency: z.array(z.tuple([z.number().int(), z.number().int()])).describe('Sparse histogram: [bucket, count] pairs'),
  in_flight_max: z.number().int().nonnegative(),
  cpu_pct: z.number().nullable(),
  rss_mb: z.number().nullable(),
});
export type SliceStats = z.infer<typeof sliceStatsSchema>;


/** Per feature counts over every request of a window (not only the sample). */
export const featureCountsSchema = z.object({ missing: z.number().int().nonnegative(), out_of_range: z.number().int().nonnegative() });

/**
 * A binary part of a log chunk or of a window's sample: base64 text over the IPC channel (JSON), the bytes themselves on the
 * monitoring stream (monitorLogFrameSchema, monitorSampleFrameSchema), where neither side spends time on base64.
 */
const binaryPart = z.union([z.string(), z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes')]);

const sampleWindowFields = {
  start_ms: z.number(),
  end_ms: z.number(),
  version: z.number().int().nullable(),
  predictions: z.number().int().nonnegative(),
  features: z.array(z.string()),
  /** Rows in the reservoir: the length of every column. */
  size: z.number().int().nonnegative(),
  /** Predicted value of the first output per sampled row. */
  predicted: z.array(z.unknown()),
  counts: z.record(z.string(), featureCountsSchema),
  prediction_distribution: z.record(z.string(), z.number().int().nonnegative()),
  confidence_sum: z.number(),
  confidence_n: z.number().int().nonnegative(),
};
const valuesColumn = z.object({ values: z.array(z.unknown()) }).strict();

export const windowSampleSchema = z.object({
  ...sampleWindowFields,
  /**
   * The reservoir, column by column in `features` order (sent for drift, stored only as binned
   * aggregates): a numeric column as little-endian float32 (NaN where a value is missing; base64
   * over IPC, bytes from the stream: binaryPart), any other as its values. monitoring-wire.ts says
   * why; decodeWindowSample reads it.
   */
  columns: z.array(z.union([z.object({ f32: binaryPart }).strict(), valuesColumn])),
});
export type WindowSampleWire = z.infer<typeof windowSampleSchema>;

/**
 * On the monitoring stream only: the header line of a window's sample sent as bytes. Its numeric
 * columns are announced by their length (`f32_bytes`) and follow the line as raw float32, in column
 * order, no newline; the daemon reads them back into the `monitor_window` they make (StreamDecoder).
 * Why: the columns in base64 inside a JSON line were as many bytes as the log itself, and
 * JSON.stringify scanning them was a quarter of the monitoring thread's time (docs/MONITORING.md).
 */
export const monitorSampleFrameSchema = z.object({
  type: z.literal('monitor_sample'),
  window: z.object({ ...sampleWindowFields, columns: z.array(z.union([z.object({ f32_bytes: z.number().int().nonnegative() }).strict(), valuesColumn])) }),
});
export type MonitorSampleFrame = z.infer<typeof monitorSampleFrameSchema>;

/**
 * On the monitoring stream only (fd 4, JSON lines): the header line of a log chunk sent as bytes. It
 * is followed by exactly `meta_bytes` then `inputs_bytes` (the float64 parts) then `log_bytes` (the
 * log's text, UTF-8), no newline; the daemon reads the three back into the `monitor_flush` they make
 * (monitoring-wire.ts, StreamDecoder; a frame past MAX_FRAME_BYTES is refused). Why: the log's text inside a JSON string was escaped by one
 * side and unescaped by the other, and the numbers went through base64 both ways.
 */
export const monitorLogFrameSchema = z.object({
  type: z.literal('monitor_log'),
  slices: z.array(sliceStatsSchema),
  count: z.number().int().nonnegative(),
  log_bytes: z.number().int().nonnegative(),
  meta_bytes: z.number().int().nonnegative(),
  inputs_bytes: z.number().int().nonnegative(),
});
export type MonitorLogFrame = z.infer<typeof monitorLogFrameSchema>;

export const monitoringFromServing = z.discriminatedUnion('type', [
  /**
   * Closed slices and a chunk of the prediction log: `count` predictions as lines of text (UTF-8
   * bytes as the serving process writes them, text over IPC and from the stream), their numbers
   * (`meta`) and the numeric inputs they announce, both little-endian float64 (base64 over IPC, bytes
   * from the stream: binaryPart; monitoring-wire.ts says why and how; decodePredictionLog reads them).
   */
  z.object({ type: z.literal('monitor_flush'), slices: z.array(sliceStatsSchema), log: binaryPart, count: z.number().int().nonnegative(), meta: binaryPart, inputs: binaryPart }),
  z.object({ type: z.literal('monitor_window'), window: windowSampleSchema }),
  z.object({ type: z.literal('feedback'), id: z.number().int(), body: z.unknown() }),
  /** Answers `monitor_sync` after every prediction recorded before it was sent (the monitoring stream keeps the order). */
  z.object({ type: z.literal('monitor_synced'), id: z.number().int() }),
]);
export type MonitoringFromServing = z.infer<typeof monitoringFromServing>;

export const monitoringToServing = z.discriminatedUnion('type', [
  z.object({ type: z.literal('feedback_result'), id: z.number().int(), status: z.number().int(), body: z.unknown() }),
  /**
   * Daemon → serving: send every logged prediction now, then `monitor_synced`. Feedback sent to the
   * daemon directly (`mlops feedback`) asks first, so labels for predictions still in the serving
   * process's ring (sent in chunks) are matched, not reported unknown.
   */
  z.object({ type: z.literal('monitor_sync'), id: z.number().int() }),
]);
export type MonitoringToServing = z.infer<typeof monitoringToServing>;

/** What a serving process needs to record for monitoring; part of its boot spec (absent: monitoring off). */
export const monitoringBootSchema = z.object({
  slice_ms: z.number().int().min(100),
  flush_ms: z.number().int().min(50),
  window_predictions: z.number().int().positive().nullable(),
  window_ms: z.number().int().positive().nullable(),
  sample_size: z.number().int().positive(),
  /** Keep the inputs of one request in this many (0 = never); features not in `stored_features` are nulled. */
  input_every: z.number().int().nonnegative(),
  stored_features: z.array(z.string()),
  /** Declared [min, max] per feature (mlops.yaml `range`): values outside are counted. */
  ranges: z.record(z.string(), z.tuple([z.number(), z.number()])),
  /** Predictions held between flushes; past it the oldest are dropped and counted. */
  ring: z.number().int().positive(),
  /** `POST /feedback` always needs this token, whatever `auth` says for prediction routes. */
  feedback_token: z.string().min(16),
  /**
   * The descriptor the daemon reads monitoring's reports from (JSON lines, in order: its fd 4, see
   * daemon/src/serving/supervisor.ts). Absent: they go over the IPC channel.
   */
  stream_fd: z.number().int().min(3).optional(),
});
export type MonitoringBoot = z.infer<typeof monitoringBootSchema>;
