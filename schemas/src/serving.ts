/**
 * Serving contracts: the daemon's deployment endpoints, the CLI `--json` shapes of `mlops deploy`,
 * `mlops deployments ...` and `mlops predict`, the boot spec and IPC messages between the daemon and
 * a serving process, and the wire shapes of the three prediction protocols a serving process speaks.
 */
import * as z from 'zod';
import { isoTime } from './api';
import { nameSchema } from './mlops-yaml';
import { breakerStateEnum, breakerStatusSchema, servingSafetySchema, shadowDeltaSchema } from './safety';
import { monitoringBootSchema, monitoringFromServing, monitoringToServing } from './monitoring';

// ---------- Deployments (daemon API and CLI --json) ----------

export const servingFeatureSchema = z.object({
  name: z.string(),
  type: z.enum(['float', 'double', 'int32', 'int64', 'bool', 'string']),
  categories: z.array(z.union([z.string(), z.number()])).optional(),
});
export type ServingFeature = z.infer<typeof servingFeatureSchema>;

/** One model version as a serving process loads it. */
export const servingModelSpecSchema = z.object({
  model: z.string(),
  version: z.number().int().positive(),
  artifact_path: z.string().min(1),
  artifact_sha256: z.string(),
  task: z.enum(['classification', 'regression']).nullable(),
  input_mode: z.enum(['tensor', 'columns']),
  /** Features in signature order; empty = take them from the ONNX graph (tensor width, metadata names). */
  features: z.array(servingFeatureSchema),
});
export type ServingModelSpec = z.infer<typeof servingModelSpecSchema>;


export const DEPLOYMENT_STATES = ['starting', 'serving', 'stopped', 'failed'] as const;
export const deploymentStateEnum = z.enum(DEPLOYMENT_STATES);
export type DeploymentState = z.infer<typeof deploymentStateEnum>;

export const followsSchema = z.object({
  kind: z.enum(['stage', 'alias', 'version']),
  value: z.string().describe('Stage name, alias, or version number as text'),
});
export type Follows = z.infer<typeof followsSchema>;

export const servingStatsSchema = z.object({
  requests: z.number().int().nonnegative().describe('Prediction requests since the process started'),
  errors: z.number().int().nonnegative().describe('Of those, answered 5xx'),
  rps: z.number().nonnegative().describe('Requests per second over the last 10 s'),
  p95_ms: z.number().nonnegative().nullable().describe('95th percentile latency of the last 60 s; null without requests'),
});
export type ServingStats = z.infer<typeof servingStatsSchema>;

export const deploymentStatusSchema = z.object({
  name: z.string(),
  model: z.string(),
  version: z.number().int().nullable().describe('Version being served; null when none is'),
  follows: followsSchema,
  state: deploymentStateEnum,
  url: z.string().nullable().describe('Base URL, e.g. http://127.0.0.1:8401; null unless serving'),
  port: z.number().int().nullable(),
  pid: z.number().int().nullable(),
  auth: z.enum(['none', 'token']),
  enabled: z.boolean(),
  error: z.string().nullable().describe('Why it failed, or the last load failure while the old version kept serving'),
  restarts: z.number().int().nonnegative().describe('Crash restarts since the deployment was started'),
  started_at: isoTime.nullable(),
  stats: servingStatsSchema.nullable(),
  breaker: breakerStatusSchema.nullable().describe('Circuit breaker of the running process; null when not running'),
});
export type DeploymentStatus = z.infer<typeof deploymentStatusSchema>;

/** `show`: the status plus what exports and clients need. */
export const deploymentDetailSchema = deploymentStatusSchema.extend({
  token: z
    .string()
    .nullable()
    .describe('Serving token: prediction routes need it with `auth: token`; `POST /feedback` always does. null before the first deploy'),
  log_path: z.string().describe('The serving process log (bounded: rotated past 1 MiB, one old file kept as .log.1)'),
  artifact_sha256: z.string().nullable(),
  artifact_path: z.string().nullable(),
  config: z.record(z.string(), z.unknown()).describe('The deployment section of mlops.yaml, defaults applied'),
  spec: servingModelSpecSchema.nullable().describe('What a serving process loads for the version served'),
});
export type DeploymentDetail = z.infer<typeof deploymentDetailSchema>;

export const deploymentNameParam = z.object({ name: nameSchema });
export const listDeploymentsResponse = z.object({ deployments: z.array(deploymentStatusSchema) });
export const deployQuery = z
  .object({
    wait_ms: z.coerce.number().int().min(0).max(600_000).default(120_000).describe('How long to wait for serving or failed'),
  })
  .strict();

/** `mlops deployments list --json`. */
export const deploymentsListJson = z.array(deploymentStatusSchema);
/** `mlops deploy --json`, `mlops deployments stop --json`. */
export const deployJson = deploymentStatusSchema;
/** `mlops deployments show --json`. */
export const deploymentShowJson = deploymentDetailSchema;

export const refusedRowSchema = z.object({
  row: z.number().int().positive().describe('Row number in the input file, 1 = first data row'),
  reason: z.string(),
});
/** `mlops predict --json`. */
export const predictJson = z.object({
  model: z.string(),
  version: z.number().int(),
  input: z.string(),
  output: z.string(),
  rows: z.number().int().nonnegative().describe('Data rows read'),
  scored: z.number().int().nonnegative(),
  refused: z.number().int().nonnegative(),
  refused_rows: z.array(refusedRowSchema).describe('The first 1000 refused rows and why'),
  seconds: z.number().nonnegative(),
  rows_per_second: z.number().nonnegative(),
});
export type PredictJson = z.infer<typeof predictJson>;

/** `mlops export kserve|docker --json`. */
export const exportJson = z.object({
  kind: z.enum(['kserve', 'docker']),
  deployment: z.string(),
  model: z.string(),
  version: z.number().int(),
  files: z.array(z.string()).describe('Files written, absolute'),
});

/** `mlops daemon enable --json`. */
export const daemonEnableJson = z.object({
  installed: z.boolean(),
  unit: z.string().nullable().describe('Path of the systemd user unit written'),
  instructions: z.string().describe('What was done, or how to do it by hand where systemd does not run'),
});

// ---------- Daemon ↔ serving process ----------

/** Everything a serving process needs to start; sent as the first IPC message or read from `--spec <file>`. */
export const servingBootSchema = z.object({
  deployment: z.string(),
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65535),
  /** Host header names accepted besides loopback ones; ["*"] accepts any (containers behind an ingress). */
  allowed_hosts: z.array(z.string()).default([]),
  threads: z.number().int().min(1).max(64),
  max_batch: z.number().int().min(1),
  max_delay_ms: z.number().min(0),
  max_body_bytes: z.number().int().positive(),
  max_instances: z.number().int().positive(),
  /** Serving token (never the project token); null = no auth. */
  token: z.string().nullable(),
  model: servingModelSpecSchema,
  /** Fallback rules, feature flag and breaker thresholds (schemas/src/safety.ts). */
  safety: servingSafetySchema.default(() => servingSafetySchema.parse({})),
  /** The version that gets a copy of each request after the answer; null = none. */
  shadow: servingModelSpecSchema.nullable().default(null),
  /** Monitoring (schemas/src/monitoring.ts); null in an exported container, which has no daemon to report to. */
  monitoring: monitoringBootSchema.nullable().default(null),
});
export type ServingBoot = z.infer<typeof servingBootSchema>;
export type ServingBootInput = z.input<typeof servingBootSchema>;

export const toServingMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('boot'), boot: servingBootSchema }),
  z.object({ type: z.literal('load'), model: servingModelSpecSchema }),
  z.object({ type: z.literal('shutdown') }),
  z.object({ type: z.literal('safety'), safety: servingSafetySchema }),
  z.object({ type: z.literal('shadow'), model: servingModelSpecSchema.nullable() }),
  ...monitoringToServing.options,
]);
export type ToServingMessage = z.infer<typeof toServingMessage>;

export const fromServingMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('listening'), port: z.number().int() }),
  z.object({ type: z.literal('loaded'), version: z.number().int(), load_ms: z.number(), warmup_ms: z.number() }),
  z.object({ type: z.literal('load_failed'), version: z.number().int(), error: z.string() }),
  z.object({ type: z.literal('released'), version: z.number().int() }),
  z.object({ type: z.literal('stats'), stats: servingStatsSchema }),
  z.object({ type: z.literal('breaker'), state: breakerStateEnum, reason: z.string(), version: z.number().int().nullable(), fallback_answers: z.number().int() }),
  z.object({ type: z.literal('shadow_stats'), delta: shadowDeltaSchema }),
  ...monitoringFromServing.options,
]);
export type FromServingMessage = z.infer<typeof fromServingMessage>;

// ---------- Prediction protocols (what a serving process answers) ----------

export type FeatureValue = number | string | boolean;
export type PredictionValue = number | string | boolean | (number | string | boolean)[];

/** `POST /predict` answer. */
export const predictResponse = z.object({
  predictions: z.array(z.record(z.string(), z.unknown())),
  model: z.string(),
  model_version: z.number().int(),
  request_id: z.string(),
});

/** Every 4xx/5xx body of a serving process. 400s from validation name the instance and the feature. */
export const servingErrorBody = z.object({
  error: z.object({
    status: z.number().int(),
    code: z.string(),
    message: z.string(),
    instance: z.number().int().optional(),
    feature: z.string().optional(),
  }),
});
export type ServingErrorBody = z.infer<typeof servingErrorBody>;

export const V2_DATATYPES = ['BOOL', 'INT32', 'INT64', 'FP32', 'FP64', 'BYTES'] as const;
export const v2DatatypeEnum = z.enum(V2_DATATYPES);
export type V2Datatype = z.infer<typeof v2DatatypeEnum>;

export const v2TensorSchema = z.object({
  name: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  datatype: z.string(),
  parameters: z.record(z.string(), z.unknown()).optional(),
  data: z.array(z.unknown()),
});
export const v2InferRequest = z.object({
  id: z.string().optional(),
  parameters: z.record(z.string(), z.unknown()).optional(),
  inputs: z.array(v2TensorSchema).min(1),
  outputs: z.array(z.object({ name: z.string(), parameters: z.record(z.string(), z.unknown()).optional() })).optional(),
});
export type V2InferRequest = z.infer<typeof v2InferRequest>;
export const v2InferResponse = z.object({
  model_name: z.string(),
  model_version: z.string(),
  id: z.string(),
  outputs: z.array(
    z.object({ name: z.string(), shape: z.array(z.number().int()), datatype: v2DatatypeEnum, data: z.array(z.unknown()) }),
  ),
});
export const v2MetadataTensor = z.object({ name: z.string(), datatype: v2DatatypeEnum, shape: z.array(z.number().int()) });
export const v2ModelMetadata = z.object({
  name: z.string(),
  versions: z.array(z.string()),
  platform: z.string(),
  inputs: z.array(v2MetadataTensor),
  outputs: z.array(v2MetadataTensor),
});
