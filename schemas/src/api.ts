/**
 * Daemon HTTP API contracts (`/api/v1/...`). The daemon validates every request with these schemas
 * (400 on failure) and every response before it is sent (500 on failure); the CLI, the Node client
 * and the extension parse responses with the same schemas. Field names are snake_case on the wire.
 */
import * as z from 'zod';
import { NAME_PATTERN, nameSchema } from './mlops-yaml';

export const STAGES = ['None', 'Staging', 'Production', 'Archived'] as const;
export const stageEnum = z.enum(STAGES);
export type Stage = z.infer<typeof stageEnum>;

export const isoTime = z.string().describe('ISO-8601 UTC time');
export const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'expected a lowercase hex sha256');
const tagKey = z.string().min(1).max(128).regex(/^[A-Za-z0-9_.:/-]+$/, 'expected a tag key of letters, digits, _ . : / -');
export const tagsSchema = z.record(tagKey, z.string().max(4096));
export const metricsMapSchema = z.record(z.string().min(1).max(256), z.number());
export const reasonSchema = z.string().max(2000);
export const aliasSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'expected an alias of letters, digits, "_" or "-", starting with a letter');

/** Path parameters. */
export const modelNameParam = z.object({ name: nameSchema });
export const versionParam = z.object({
  name: nameSchema,
  version: z.coerce.number().int().positive(),
});
export const aliasParam = z.object({ name: nameSchema, alias: aliasSchema });

export const pageQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    cursor: z.string().max(200).optional(),
  })
  .strict();
export const pageInfo = z.object({ next_cursor: z.string().nullable() });

// ---------- Registry ----------

export const tensorSpecSchema = z.object({
  name: z.string(),
  type: z.string().describe('ONNX element type name, e.g. float, int64, string'),
  shape: z.array(z.union([z.number().int(), z.string(), z.null()])).describe('Dimensions; strings are symbolic'),
});
export const signatureSchema = z.object({
  inputs: z.array(tensorSpecSchema),
  outputs: z.array(tensorSpecSchema),
  features: z.array(z.object({ name: z.string(), type: z.string() })).optional(),
});
export type Signature = z.infer<typeof signatureSchema>;

export const modelVersionSchema = z.object({
  model: z.string(),
  version: z.number().int().positive(),
  stage: stageEnum,
  aliases: z.array(z.string()),
  artifact_sha256: sha256Hex,
  artifact_size: z.number().int().nonnegative(),
  format: z.literal('onnx'),
  signature: signatureSchema,
  description: z.string(),
  tags: tagsSchema,
  metrics: metricsMapSchema,
  source_run_id: z.string().nullable(),
  dataset_versions: z.array(z.object({ dataset: z.string(), version: z.number().int() })),
  created_at: isoTime,
  stage_changed_at: isoTime,
});
export type ModelVersion = z.infer<typeof modelVersionSchema>;
/** A version as listings show it: everything but the signature (GET the version for that). */
export const modelVersionSummarySchema = modelVersionSchema.omit({ signature: true });
export type ModelVersionSummary = z.infer<typeof modelVersionSummarySchema>;

export const modelSummarySchema = z.object({
  name: z.string(),
  description: z.string(),
  latest_version: z.number().int().nullable(),
  version_count: z.number().int().nonnegative(),
  production_version: z.number().int().nullable(),
  staging_versions: z.array(z.number().int()),
  aliases: z.record(z.string(), z.number().int()),
  created_at: isoTime,
  updated_at: isoTime,
});
export type ModelSummary = z.infer<typeof modelSummarySchema>;

export const listModelsResponse = z.object({ models: z.array(modelSummarySchema) }).extend(pageInfo.shape);
export const getModelResponse = z
  .object({ model: modelSummarySchema, versions: z.array(modelVersionSummarySchema) })
  .extend(pageInfo.shape);

export const registerVersionRequest = z
  .object({
    artifact_sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'expected a sha256 in lowercase hex')
      .describe('Hash of the ONNX file uploaded with POST /objects (the daemon never reads a path a client names)'),
    description: z.string().max(10000).default(''),
    tags: tagsSchema.default({}),
    metrics: metricsMapSchema.default({}),
    run_id: z.string().max(64).optional().describe('Source run; its dataset versions become the lineage'),
  })
  .strict();
export const registerVersionResponse = z.object({ version: modelVersionSchema, removed_versions: z.array(z.number()) });

export const setStageRequest = z
  .object({
    stage: stageEnum,
    reason: reasonSchema.default(''),
    force: z.boolean().default(false).describe('Into Production: promote even when a gate fails (needs a reason; audited with the gate results)'),
  })
  .strict();
export const stageChangeResponse = z.object({
  version: modelVersionSchema,
  archived: z.array(z.number().int()).describe('Versions this change moved to Archived'),
});

export const setAliasRequest = z.object({ version: z.number().int().positive(), reason: reasonSchema.default('') }).strict();
export const aliasResponse = z.object({
  model: z.string(),
  alias: z.string(),
  version: z.number().int().nullable(),
  previous_version: z.number().int().nullable(),
});

export const rollbackRequest = z.object({ reason: reasonSchema.default('') }).strict();
export const rollbackResponse = z.object({
  model: z.string(),
  from_version: z.number().int(),
  to_version: z.number().int(),
});

// ---------- Events / audit log ----------

export const EVENT_KINDS = [
  'model.created',
  'model.version_registered',
  'model.stage_changed',
  'model.alias_set',
  'model.alias_removed',
  'model.rolled_back',
  'model.version_removed',
  'model.updated',
  'model.deleted',
  'experiment.updated',
  'run.created',
  'run.updated',
  'run.metrics',
  'dataset.version_created',
  'dataset.checked_out',
  'deployment.changed',
  'deployment.started',
  'deployment.stopped',
  'deployment.switched',
  'deployment.load_failed',
  'deployment.crashed',
  'deployment.failed',
  // Monitoring (issue 15). Subject "deployment:<name>"; `after` is the alert (schemas/src/monitoring.ts).
  'alert.opened',
  'alert.resolved',
  'alert.acknowledged',
  'alert.silenced',
  'alert.notify_failed',
  // Safety nets (issue 15). Subject "deployment:<name>".
  'breaker.opened',
  'breaker.half_open',
  'breaker.closed',
  'deployment.flag_changed',
  'deployment.auto_rollback',
  // Gates (issue 19). Subject "model:<name>/<version>".
  'gates.evaluated',
  'model.promotion_forced',
  // Pipelines and notebooks (issues 17, 18). Subject "pipeline:<name>" / "notebook:<path>".
  'pipeline.triggered',
  'notebook.converted',
  'daemon.started',
  'daemon.stopping',
  'config.invalid',
] as const;
export const eventKindEnum = z.enum(EVENT_KINDS);
export type EventKind = z.infer<typeof eventKindEnum>;

/** One entry of the append-only event log; also the payload of each SSE message (id = seq). */
export const eventSchema = z.object({
  seq: z.number().int().positive(),
  time: isoTime,
  actor: z
    .string()
    .describe(
      'Who acted: the OS user owning the client end of the connection (else the daemon\'s user), or the daemon itself; a client\'s X-Mlops-Actor is recorded as is when it names that user ("cli:alice"), otherwise as a claim: "alice (claimed: ceo)"',
    ),
  kind: eventKindEnum,
  subject: z.string().describe('What changed, e.g. "model:churn/3", "run:abc"'),
  before: z.unknown().nullable(),
  after: z.unknown().nullable(),
  reason: z.string(),
});
export type MlopsEvent = z.infer<typeof eventSchema>;

export const eventsQuery = z
  .object({
    after: z.coerce.number().int().min(0).default(0),
    limit: z.coerce.number().int().min(1).max(10000).default(1000),
    subject: z.string().max(300).optional().describe('Prefix of the subject, e.g. "model:churn"'),
  })
  .strict();
export const eventsResponse = z.object({ events: z.array(eventSchema), last_seq: z.number().int() });

// ---------- Daemon ----------

export const daemonInfoSchema = z.object({
  pid: z.number().int(),
  port: z.number().int(),
  token: z.string().min(32),
  version: z.string(),
});
export type DaemonInfo = z.infer<typeof daemonInfoSchema>;
/** Exit code of a daemon that found another one already serving the project (its starter then connects to that one). */
export const EXIT_ALREADY_RUNNING = 75;

export const statusResponse = z.object({
  version: z.string(),
  pid: z.number().int(),
  root: z.string(),
  started_at: isoTime,
  uptime_s: z.number(),
  schema_version: z.number().int(),
  node_version: z.string(),
  last_event_seq: z.number().int(),
  counts: z.object({ models: z.number().int(), versions: z.number().int(), events: z.number().int() }),
  schedules: z
    .array(z.object({ cron: z.string(), next_run: isoTime.nullable() }))
    .default([])
    .describe('pipeline.triggers schedules and when each next starts the pipeline'),
});
export type DaemonStatus = z.infer<typeof statusResponse>;
export const stopResponse = z.object({ stopping: z.literal(true) });


export { NAME_PATTERN };
