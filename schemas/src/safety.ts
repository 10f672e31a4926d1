/**
 * Safety-net contracts: what a serving process is told about its fallback rules, feature flag,
 * circuit breaker and shadow (boot spec and IPC), the breaker and shadow figures it reports, the
 * deployment flag and shadow report endpoints' bodies and the CLI `--json` shapes of
 * `mlops deployments enable|disable` and `mlops shadow report`.
 */
import * as z from 'zod';
import { isoTime } from './api';

export const BREAKER_STATES = ['closed', 'open', 'half_open'] as const;
export const breakerStateEnum = z.enum(BREAKER_STATES);
export type BreakerState = z.infer<typeof breakerStateEnum>;

export const fallbackValue = z.union([z.number(), z.string(), z.boolean()]);

/** The safety settings a serving process follows; sent at boot and again whenever mlops.yaml changes them. */
export const servingSafetySchema = z.object({
  enabled: z.boolean().default(true),
  fallback: z
    .object({ rules: z.array(z.string()), default: fallbackValue, output: z.string().optional() })
    .nullable()
    .default(null),
  breaker: z
    .object({
      window: z.number().int().positive(),
      min_requests: z.number().int().positive(),
      cooldown_ms: z.number().positive(),
      error_rate_max: z.number().min(0).max(1),
      p95_ms: z.number().positive(),
    })
    .nullable()
    .default(null)
    .describe('null = no breaker (the exported container, or a deployment without thresholds)'),
});
export type ServingSafety = z.infer<typeof servingSafetySchema>;

/** The breaker as `mlops deployments show` reports it. */
export const breakerStatusSchema = z.object({
  state: breakerStateEnum,
  since: isoTime,
  reason: z.string().describe('Why it is in this state (the error, the latency breach, the probe result)'),
  fallback_answers: z.number().int().nonnegative().describe('Requests answered from the fallback rules since the process started'),
});
export type BreakerStatus = z.infer<typeof breakerStatusSchema>;

/** Fixed latency buckets (ms, upper bounds) of the shadow comparison; the last one is +Inf. */
export const SHADOW_BUCKETS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, Infinity] as const;

/** What a serving process adds up about its shadow between two reports (deltas, summed by the daemon). */
export const shadowDeltaSchema = z.object({
  shadow_version: z.number().int(),
  primary_version: z.number().int(),
  compared: z.number().int().nonnegative(),
  agreed: z.number().int().nonnegative(),
  score_diff_sum: z.number().nonnegative(),
  score_count: z.number().int().nonnegative(),
  dropped: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  primary_buckets: z.array(z.number().int().nonnegative()),
  shadow_buckets: z.array(z.number().int().nonnegative()),
});
export type ShadowDelta = z.infer<typeof shadowDeltaSchema>;

export const latencySummarySchema = z.object({
  count: z.number().int().nonnegative(),
  p50_ms: z.number().nullable(),
  p95_ms: z.number().nullable(),
  p99_ms: z.number().nullable(),
});

/** One (primary version, shadow version) pair of a deployment's shadow traffic. */
export const shadowSummarySchema = z.object({
  deployment: z.string(),
  model: z.string(),
  primary_version: z.number().int(),
  shadow_version: z.number().int(),
  compared: z.number().int().nonnegative().describe('Requests both versions answered'),
  agreement: z.number().min(0).max(1).nullable().describe('Share of instances with the same label; null before any'),
  mean_abs_score_diff: z.number().nonnegative().nullable().describe('Mean absolute difference of the scores (probabilities, or the value of a regression)'),
  dropped: z.number().int().nonnegative().describe('Copies dropped because the shadow queue was full'),
  failed: z.number().int().nonnegative().describe('Copies the shadow failed to answer'),
  primary_latency: latencySummarySchema,
  shadow_latency: latencySummarySchema,
  updated_at: isoTime,
});
export type ShadowSummary = z.infer<typeof shadowSummarySchema>;

/** `GET /deployments/:name/shadow` and `mlops shadow report --json`. */
export const shadowReportSchema = z.object({
  deployment: z.string(),
  shadow: z.string().nullable().describe('What `deployments.<name>.shadow` names, null when none'),
  pairs: z.array(shadowSummarySchema).describe('Newest first'),
});
export type ShadowReport = z.infer<typeof shadowReportSchema>;
export const shadowReportJson = shadowReportSchema;

/** `POST /deployments/:name/flag` body. */
export const setFlagBody = z.object({ enabled: z.boolean(), reason: z.string().default('') }).strict();
/** Its answer and `mlops deployments enable|disable --json`. */
export const flagResultSchema = z.object({
  deployment: z.string(),
  enabled: z.boolean(),
  changed: z.boolean().describe('False when mlops.yaml already said so'),
  file: z.string().describe('The mlops.yaml edited'),
});
export const flagJson = flagResultSchema;
