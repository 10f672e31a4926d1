/**
 * MLflow REST API 2.0 wire shapes (proto3 JSON, as MLflow's server writes them), for the
 * compatibility layer under `/api/2.0/mlflow/`. Field names, string enums and defaults follow
 * MLflow's `service.proto` and `model_registry.proto`; int64 fields are answered as numbers and
 * accepted as numbers or decimal strings, as protobuf's JSON mapping allows.
 */
import * as z from 'zod';

/** int64 in proto3 JSON: a number, or a string of digits. */
export const int64 = z.union([z.number().int(), z.string().regex(/^-?\d+$/, 'expected an integer').transform(Number)]);

/** A metric value: a number, or NaN/Infinity as proto3 JSON spells them. */
export const metricValue = z.union([
  z.number(),
  z.enum(['NaN', 'Infinity', '-Infinity']).transform((s) => (s === 'NaN' ? Number.NaN : s === 'Infinity' ? Infinity : -Infinity)),
  z.string().regex(/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i, 'expected a number').transform(Number),
]);

export const MLFLOW_ERROR_CODES = [
  'INTERNAL_ERROR',
  'INVALID_PARAMETER_VALUE',
  'RESOURCE_DOES_NOT_EXIST',
  'RESOURCE_ALREADY_EXISTS',
  'INVALID_STATE',
  'BAD_REQUEST',
  'ENDPOINT_NOT_FOUND',
  'PERMISSION_DENIED',
  'UNAUTHENTICATED',
  'REQUEST_LIMIT_EXCEEDED',
  'NOT_IMPLEMENTED',
] as const;
export type MlflowErrorCode = (typeof MLFLOW_ERROR_CODES)[number];
export const mlflowErrorSchema = z.object({ error_code: z.enum(MLFLOW_ERROR_CODES), message: z.string() });
export type MlflowError = z.infer<typeof mlflowErrorSchema>;

/** MLflow's HTTP status for each error code (mlflow/protos/databricks.proto → server handlers). */
export const MLFLOW_ERROR_STATUS: Record<MlflowErrorCode, number> = {
  INTERNAL_ERROR: 500,
  INVALID_PARAMETER_VALUE: 400,
  RESOURCE_DOES_NOT_EXIST: 404,
  RESOURCE_ALREADY_EXISTS: 400,
  INVALID_STATE: 400,
  BAD_REQUEST: 400,
  ENDPOINT_NOT_FOUND: 404,
  PERMISSION_DENIED: 403,
  UNAUTHENTICATED: 401,
  REQUEST_LIMIT_EXCEEDED: 429,
  NOT_IMPLEMENTED: 501,
};

export const RUN_STATUS = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] as const;
export const LIFECYCLE = ['active', 'deleted'] as const;
export const VIEW_TYPES = ['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'] as const;
export const MLFLOW_STAGES = ['None', 'Staging', 'Production', 'Archived'] as const;

const key = z.string().min(1).max(250);
export const keyValue = z.object({ key, value: z.string().max(8000) });
export const experimentTag = keyValue;
export const runTag = keyValue;
export const param = z.object({ key, value: z.string().max(6000) });
export const metric = z.object({ key, value: metricValue, timestamp: int64, step: int64.default(0) });

export const experimentSchema = z.object({
  experiment_id: z.string(),
  name: z.string(),
  artifact_location: z.string(),
  lifecycle_stage: z.enum(LIFECYCLE),
  last_update_time: z.number().int(),
  creation_time: z.number().int(),
  tags: z.array(experimentTag).optional(),
});

export const runInfoSchema = z.object({
  run_id: z.string(),
  run_uuid: z.string(),
  run_name: z.string(),
  experiment_id: z.string(),
  user_id: z.string(),
  status: z.enum(RUN_STATUS),
  start_time: z.number().int(),
  end_time: z.number().int().optional(),
  artifact_uri: z.string(),
  lifecycle_stage: z.enum(LIFECYCLE),
});

/** A metric as answered: NaN and ±Infinity spelled as proto3 JSON spells them. */
export const metricOut = z.object({
  key: z.string(),
  value: z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])]),
  timestamp: z.number().int(),
  step: z.number().int(),
});

export const datasetSchema = z.object({
  name: z.string().max(500),
  digest: z.string().max(36),
  source_type: z.string().max(36),
  source: z.string().max(65535),
  schema: z.string().max(1048576).optional(),
  profile: z.string().max(16384).optional(),
});
export const datasetInputSchema = z.object({ tags: z.array(keyValue).optional(), dataset: datasetSchema });

export const runSchema = z.object({
  info: runInfoSchema,
  data: z.object({ metrics: z.array(metricOut).optional(), params: z.array(param).optional(), tags: z.array(runTag).optional() }),
  inputs: z.object({ dataset_inputs: z.array(datasetInputSchema).optional() }).optional(),
});

export const modelVersionSchema = z.object({
  name: z.string(),
  version: z.string(),
  creation_timestamp: z.number().int(),
  last_updated_timestamp: z.number().int(),
  user_id: z.string().optional(),
  current_stage: z.enum(MLFLOW_STAGES),
  description: z.string().optional(),
  source: z.string(),
  run_id: z.string().optional(),
  status: z.enum(['PENDING_REGISTRATION', 'FAILED_REGISTRATION', 'READY']),
  status_message: z.string().optional(),
  tags: z.array(keyValue).optional(),
  run_link: z.string().optional(),
  aliases: z.array(z.string()).optional(),
});

export const registeredModelSchema = z.object({
  name: z.string(),
  creation_timestamp: z.number().int(),
  last_updated_timestamp: z.number().int(),
  user_id: z.string().optional(),
  description: z.string().optional(),
  latest_versions: z.array(modelVersionSchema).optional(),
  tags: z.array(keyValue).optional(),
  aliases: z.array(z.object({ alias: z.string(), version: z.string() })).optional(),
});

const pageToken = z.string().max(1000).optional();
const id = z.string().min(1, 'must not be empty');
const runRef = z.object({ run_id: z.string().optional(), run_uuid: z.string().optional() });

/** Request bodies (POST/PATCH/DELETE) and query strings (GET), one per MLflow endpoint. */
export const mlflowRequests = {
  createExperiment: z.object({ name: z.string().min(1), artifact_location: z.string().optional(), tags: z.array(experimentTag).optional() }),
  getExperiment: z.object({ experiment_id: id }),
  getExperimentByName: z.object({ experiment_name: z.string().min(1) }),
  searchExperiments: z.object({
    max_results: int64.optional(),
    page_token: pageToken,
    filter: z.string().optional(),
    order_by: z.union([z.array(z.string()), z.string().transform((s) => [s])]).optional(),
    view_type: z.enum(VIEW_TYPES).optional(),
  }),
  updateExperiment: z.object({ experiment_id: id, new_name: z.string().min(1) }),
  experimentId: z.object({ experiment_id: id }),
  setExperimentTag: z.object({ experiment_id: id, key, value: z.string().max(5000) }),
  createRun: z.object({
    experiment_id: z.string().optional(),
    user_id: z.string().optional(),
    run_name: z.string().max(250).optional(),
    start_time: int64.optional(),
    tags: z.array(runTag).optional(),
  }),
  getRun: runRef,
  updateRun: runRef.extend({ status: z.enum(RUN_STATUS).optional(), end_time: int64.optional(), run_name: z.string().max(250).optional() }),
  runId: runRef,
  searchRuns: z.object({
    experiment_ids: z.union([z.array(z.string()), z.string().transform((s) => [s])]).optional(),
    filter: z.string().optional(),
    run_view_type: z.enum(VIEW_TYPES).optional(),
    max_results: int64.optional(),
    order_by: z.union([z.array(z.string()), z.string().transform((s) => [s])]).optional(),
    page_token: pageToken,
  }),
  logMetric: runRef.extend({ key, value: metricValue, timestamp: int64, step: int64.optional() }),
  logParam: runRef.extend({ key, value: z.string().max(6000) }),
  logBatch: z.object({
    run_id: z.string(),
    metrics: z.array(metric).max(1000, 'A batch logging request can contain at most 1000 metrics').optional(),
    params: z.array(param).max(100, 'A batch logging request can contain at most 100 params').optional(),
    tags: z.array(runTag).max(100, 'A batch logging request can contain at most 100 tags').optional(),
  }),
  setTag: runRef.extend({ key, value: z.string().max(8000) }),
  deleteTag: z.object({ run_id: z.string(), key }),
  logInputs: z.object({ run_id: z.string(), datasets: z.array(datasetInputSchema).optional() }),
  logModel: z.object({ run_id: z.string(), model_json: z.string() }),
  getMetricHistory: runRef.extend({ metric_key: key, page_token: pageToken, max_results: int64.optional() }),
  createRegisteredModel: z.object({ name: z.string().min(1), tags: z.array(keyValue).optional(), description: z.string().optional() }),
  registeredModelName: z.object({ name: z.string().min(1) }),
  updateRegisteredModel: z.object({ name: z.string().min(1), description: z.string().optional() }),
  renameRegisteredModel: z.object({ name: z.string().min(1), new_name: z.string().min(1) }),
  searchModels: z.object({
    filter: z.string().optional(),
    max_results: int64.optional(),
    order_by: z.union([z.array(z.string()), z.string().transform((s) => [s])]).optional(),
    page_token: pageToken,
  }),
  setAlias: z.object({ name: z.string().min(1), alias: z.string().min(1), version: z.string().min(1) }),
  aliasRef: z.object({ name: z.string().min(1), alias: z.string().min(1) }),
  getLatestVersions: z.object({ name: z.string().min(1), stages: z.union([z.array(z.string()), z.string().transform((s) => [s])]).optional() }),
  createModelVersion: z.object({
    name: z.string().min(1),
    source: z.string().min(1),
    run_id: z.string().optional(),
    tags: z.array(keyValue).optional(),
    run_link: z.string().optional(),
    description: z.string().optional(),
  }),
  modelVersionRef: z.object({ name: z.string().min(1), version: z.string().min(1) }),
  updateModelVersion: z.object({ name: z.string().min(1), version: z.string().min(1), description: z.string().optional() }),
  transitionStage: z.object({
    name: z.string().min(1),
    version: z.string().min(1),
    stage: z.string().min(1),
    archive_existing_versions: z.union([z.boolean(), z.enum(['true', 'false']).transform((s) => s === 'true')]).default(false),
  }),
};

export const mlflowResponses = {
  empty: z.object({}),
  experimentId: z.object({ experiment_id: z.string() }),
  experiment: z.object({ experiment: experimentSchema }),
  experiments: z.object({ experiments: z.array(experimentSchema).optional(), next_page_token: z.string().optional() }),
  run: z.object({ run: runSchema }),
  runInfo: z.object({ run_info: runInfoSchema }),
  runs: z.object({ runs: z.array(runSchema).optional(), next_page_token: z.string().optional() }),
  metrics: z.object({ metrics: z.array(metricOut).optional(), next_page_token: z.string().optional() }),
  registeredModel: z.object({ registered_model: registeredModelSchema }),
  registeredModels: z.object({ registered_models: z.array(registeredModelSchema).optional(), next_page_token: z.string().optional() }),
  modelVersion: z.object({ model_version: modelVersionSchema }),
  modelVersions: z.object({ model_versions: z.array(modelVersionSchema).optional(), next_page_token: z.string().optional() }),
  downloadUri: z.object({ artifact_uri: z.string() }),
  artifactList: z.object({ files: z.array(z.object({ path: z.string(), is_dir: z.boolean(), file_size: z.number().int().optional() })).optional() }),
};

export type MlflowExperiment = z.infer<typeof experimentSchema>;
export type MlflowRun = z.infer<typeof runSchema>;
export type MlflowRunInfo = z.infer<typeof runInfoSchema>;
export type MlflowModelVersion = z.infer<typeof modelVersionSchema>;
export type MlflowRegisteredModel = z.infer<typeof registeredModelSchema>;

// ── MLflow 3: logged models (what `log_model` creates in 3.x clients before any registration) ──
export const LOGGED_MODEL_STATUS = ['LOGGED_MODEL_STATUS_UNSPECIFIED', 'LOGGED_MODEL_PENDING', 'LOGGED_MODEL_READY', 'LOGGED_MODEL_UPLOAD_FAILED'] as const;
export const loggedModelSchema = z.object({
  info: z.object({
    model_id: z.string(),
    experiment_id: z.string(),
    name: z.string(),
    creation_timestamp_ms: z.number().int(),
    last_updated_timestamp_ms: z.number().int(),
    artifact_uri: z.string(),
    status: z.enum(LOGGED_MODEL_STATUS),
    model_type: z.string().optional(),
    source_run_id: z.string().optional(),
    tags: z.array(keyValue).optional(),
  }),
  data: z.object({ params: z.array(keyValue).optional(), metrics: z.array(metricOut).optional() }),
});
export type MlflowLoggedModel = z.infer<typeof loggedModelSchema>;

export const loggedModelRequests = {
  create: z.object({
    experiment_id: z.string().min(1),
    name: z.string().max(500).optional(),
    model_type: z.string().max(500).optional(),
    source_run_id: z.string().optional(),
    params: z.array(keyValue).optional(),
    tags: z.array(keyValue).optional(),
  }),
  modelId: z.object({ model_id: z.string().min(1) }),
  finalize: z.object({ model_id: z.string().optional(), status: z.enum(LOGGED_MODEL_STATUS) }),
  setTags: z.object({ model_id: z.string().optional(), tags: z.array(keyValue).optional() }),
  search: z.object({
    experiment_ids: z.array(z.string()).optional(),
    filter: z.string().optional(),
    max_results: int64.optional(),
    order_by: z.array(z.object({ field_name: z.string(), ascending: z.boolean().optional() })).optional(),
    page_token: z.string().max(1000).optional(),
  }),
};
export const loggedModelResponses = {
  model: z.object({ model: loggedModelSchema }),
  models: z.object({ models: z.array(loggedModelSchema).optional(), next_page_token: z.string().optional() }),
};
