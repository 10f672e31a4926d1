/** The model registry: models, versions, stages, aliases, rollback. */
import * as z from 'zod';
import {
  aliasParam,
  aliasResponse,
  getModelResponse,
  listModelsResponse,
  modelNameParam,
  modelVersionSchema,
  pageQuery,
  reasonSchema,
  registerVersionRequest,
  registerVersionResponse,
  rollbackRequest,
  rollbackResponse,
  setAliasRequest,
  setStageRequest,
  stageChangeResponse,
  versionParam,
} from '../api';
import { defineEndpoint } from '../endpoint';

export const listModels = defineEndpoint({ method: 'GET', path: '/models', query: pageQuery, response: listModelsResponse });

export const getModel = defineEndpoint({
  method: 'GET',
  path: '/models/:name',
  params: modelNameParam,
  query: pageQuery,
  response: getModelResponse,
  errors: ['not_found'],
});

export const getModelVersion = defineEndpoint({
  method: 'GET',
  path: '/models/:name/versions/:version',
  params: versionParam,
  response: modelVersionSchema,
  errors: ['not_found', 'conflict'],
});

export const registerVersion = defineEndpoint({
  method: 'POST',
  path: '/models/:name/versions',
  params: modelNameParam,
  body: registerVersionRequest,
  response: registerVersionResponse,
  status: 201,
  errors: ['not_found', 'artifact_too_large', 'invalid_artifact', 'invalid_config', 'signature_mismatch'],
  timeoutMs: 300_000,
});

export const setStage = defineEndpoint({
  method: 'POST',
  path: '/models/:name/versions/:version/stage',
  params: versionParam,
  body: setStageRequest,
  response: stageChangeResponse,
  errors: ['not_found', 'conflict', 'gates_failed', 'invalid_config', 'unknown_signature'],
  // Into Production the model's gates run first (holdout, latency: seconds to minutes).
  timeoutMs: 600_000,
});

export const setAlias = defineEndpoint({
  method: 'PUT',
  path: '/models/:name/aliases/:alias',
  params: aliasParam,
  body: setAliasRequest,
  response: aliasResponse,
  errors: ['not_found', 'conflict'],
});

export const removeAliasQuery = z.object({ reason: reasonSchema.default('') }).strict();
export const removeAlias = defineEndpoint({
  method: 'DELETE',
  path: '/models/:name/aliases/:alias',
  params: aliasParam,
  query: removeAliasQuery,
  response: aliasResponse,
  errors: ['not_found'],
});

export const rollbackModel = defineEndpoint({
  method: 'POST',
  path: '/models/:name/rollback',
  params: modelNameParam,
  body: rollbackRequest,
  response: rollbackResponse,
  errors: ['not_found', 'conflict'],
});
