/**
 * The MLflow REST API 2.0 (and MLflow 3's logged models) under MLflow's own prefixes, answering
 * errors in MLflow's convention. Shapes are in ../mlflow.ts. `/ajax-api/2.0/…` is served as
 * `/api/2.0/…` (the daemon's server maps it), so each endpoint is declared once.
 */
import * as z from 'zod';
import { defineEndpoint, defineStreamEndpoint, type HttpMethod } from '../endpoint';
import { loggedModelRequests as LM, loggedModelResponses as LR, mlflowRequests as Q, mlflowResponses as R } from '../mlflow';

export const MLFLOW_PREFIX = '/api/2.0/mlflow';
export const MLFLOW_ARTIFACTS_PREFIX = '/api/2.0/mlflow-artifacts';

/** GET endpoints take their input as a query string, the others as a JSON body (as MLflow's client sends). */
function mlflow<B extends z.ZodType, Res extends z.ZodType>(method: HttpMethod, path: string, input: B, response: Res) {
  return method === 'GET'
    ? defineEndpoint({ method, path, prefix: MLFLOW_PREFIX, errorStyle: 'mlflow', query: input, response })
    : defineEndpoint({ method, path, prefix: MLFLOW_PREFIX, errorStyle: 'mlflow', body: input, response });
}

// experiments
export const mlflowCreateExperiment = mlflow('POST', '/experiments/create', Q.createExperiment, R.experimentId);
export const mlflowGetExperiment = mlflow('GET', '/experiments/get', Q.getExperiment, R.experiment);
export const mlflowGetExperimentByName = mlflow('GET', '/experiments/get-by-name', Q.getExperimentByName, R.experiment);
export const mlflowSearchExperiments = mlflow('POST', '/experiments/search', Q.searchExperiments, R.experiments);
export const mlflowUpdateExperiment = mlflow('POST', '/experiments/update', Q.updateExperiment, R.empty);
export const mlflowDeleteExperiment = mlflow('POST', '/experiments/delete', Q.experimentId, R.empty);
export const mlflowRestoreExperiment = mlflow('POST', '/experiments/restore', Q.experimentId, R.empty);
export const mlflowSetExperimentTag = mlflow('POST', '/experiments/set-experiment-tag', Q.setExperimentTag, R.empty);

// runs
export const mlflowCreateRun = mlflow('POST', '/runs/create', Q.createRun, R.run);
export const mlflowGetRun = mlflow('GET', '/runs/get', Q.getRun, R.run);
export const mlflowUpdateRun = mlflow('POST', '/runs/update', Q.updateRun, R.runInfo);
export const mlflowDeleteRun = mlflow('POST', '/runs/delete', Q.runId, R.empty);
export const mlflowRestoreRun = mlflow('POST', '/runs/restore', Q.runId, R.empty);
export const mlflowSearchRuns = mlflow('POST', '/runs/search', Q.searchRuns, R.runs);
export const mlflowLogMetric = mlflow('POST', '/runs/log-metric', Q.logMetric, R.empty);
export const mlflowLogParam = mlflow('POST', '/runs/log-parameter', Q.logParam, R.empty);
export const mlflowLogBatch = mlflow('POST', '/runs/log-batch', Q.logBatch, R.empty);
export const mlflowSetTag = mlflow('POST', '/runs/set-tag', Q.setTag, R.empty);
export const mlflowDeleteTag = mlflow('POST', '/runs/delete-tag', Q.deleteTag, R.empty);
export const mlflowLogInputs = mlflow('POST', '/runs/log-inputs', Q.logInputs, R.empty);
export const mlflowLogModel = mlflow('POST', '/runs/log-model', Q.logModel, R.empty);
export const mlflowMetricHistory = mlflow('GET', '/metrics/get-history', Q.getMetricHistory, R.metrics);
export const mlflowListArtifacts = mlflow(
  'GET',
  '/artifacts/list',
  z.object({ run_id: z.string().optional(), run_uuid: z.string().optional(), path: z.string().optional(), page_token: z.string().optional() }),
  R.artifactList.extend({ root_uri: z.string(), next_page_token: z.string().optional() }),
);

// model registry
export const mlflowCreateModel = mlflow('POST', '/registered-models/create', Q.createRegisteredModel, R.registeredModel);
export const mlflowGetModel = mlflow('GET', '/registered-models/get', Q.registeredModelName, R.registeredModel);
export const mlflowSearchModels = mlflow('GET', '/registered-models/search', Q.searchModels, R.registeredModels);
export const mlflowUpdateModel = mlflow('PATCH', '/registered-models/update', Q.updateRegisteredModel, R.registeredModel);
export const mlflowRenameModel = mlflow('POST', '/registered-models/rename', Q.renameRegisteredModel, R.registeredModel);
export const mlflowDeleteModel = mlflow('DELETE', '/registered-models/delete', Q.registeredModelName, R.empty);
export const mlflowSetAlias = mlflow('POST', '/registered-models/alias', Q.setAlias, R.empty);
export const mlflowDeleteAlias = mlflow('DELETE', '/registered-models/alias', Q.aliasRef, R.empty);
export const mlflowGetByAlias = mlflow('GET', '/registered-models/alias', Q.aliasRef, R.modelVersion);
export const mlflowLatestVersions = mlflow('POST', '/registered-models/get-latest-versions', Q.getLatestVersions, R.modelVersions);
export const mlflowCreateVersion = mlflow('POST', '/model-versions/create', Q.createModelVersion, R.modelVersion);
export const mlflowGetVersion = mlflow('GET', '/model-versions/get', Q.modelVersionRef, R.modelVersion);
export const mlflowSearchVersions = mlflow('GET', '/model-versions/search', Q.searchModels, R.modelVersions);
export const mlflowUpdateVersion = mlflow('PATCH', '/model-versions/update', Q.updateModelVersion, R.modelVersion);
export const mlflowDeleteVersion = mlflow('DELETE', '/model-versions/delete', Q.modelVersionRef, R.empty);
export const mlflowTransitionStage = mlflow('POST', '/model-versions/transition-stage', Q.transitionStage, R.modelVersion);
export const mlflowDownloadUri = mlflow('GET', '/model-versions/get-download-uri', Q.modelVersionRef, R.downloadUri);

// MLflow 3: logged models
const modelIdParam = z.object({ model_id: z.string().min(1).max(100) });
export const mlflowCreateLoggedModel = mlflow('POST', '/logged-models', LM.create, LR.model);
export const mlflowSearchLoggedModels = mlflow('POST', '/logged-models/search', LM.search, LR.models);
export const mlflowGetLoggedModel = defineEndpoint({ method: 'GET', path: '/logged-models/:model_id', prefix: MLFLOW_PREFIX, errorStyle: 'mlflow', params: modelIdParam, response: LR.model });
export const mlflowFinalizeLoggedModel = defineEndpoint({ method: 'PATCH', path: '/logged-models/:model_id', prefix: MLFLOW_PREFIX, errorStyle: 'mlflow', params: modelIdParam, body: LM.finalize, response: LR.model });
export const mlflowSetLoggedModelTags = defineEndpoint({ method: 'PATCH', path: '/logged-models/:model_id/tags', prefix: MLFLOW_PREFIX, errorStyle: 'mlflow', params: modelIdParam, body: LM.setTags, response: R.empty });

// artifacts proxy: raw bytes in and out, and a JSON listing
const artifactPath = z.object({ path: z.string().min(1).max(4096) });
export const MAX_MLFLOW_ARTIFACT_BYTES = 2 * 1024 ** 3;
export const mlflowUploadArtifact = defineStreamEndpoint({
  method: 'PUT',
  path: '/artifacts/:path*',
  prefix: MLFLOW_ARTIFACTS_PREFIX,
  errorStyle: 'mlflow',
  params: artifactPath,
  format: 'bytes',
  item: R.empty,
  maxBodyBytes: MAX_MLFLOW_ARTIFACT_BYTES,
  timeoutMs: 3_600_000,
});
export const mlflowDownloadArtifact = defineStreamEndpoint({
  method: 'GET',
  path: '/artifacts/:path*',
  prefix: MLFLOW_ARTIFACTS_PREFIX,
  errorStyle: 'mlflow',
  params: artifactPath,
  format: 'bytes',
  item: z.instanceof(Uint8Array),
  timeoutMs: 3_600_000,
});
export const mlflowListProxyArtifacts = defineEndpoint({
  method: 'GET',
  path: '/artifacts',
  prefix: MLFLOW_ARTIFACTS_PREFIX,
  errorStyle: 'mlflow',
  query: z.object({ path: z.string().max(4096).optional() }),
  response: R.artifactList,
});
