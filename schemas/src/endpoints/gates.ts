/** Promotion gates: evaluate a version against Production, and the last results stored per version. */
import { modelNameParam, versionParam } from '../api';
import { defineEndpoint } from '../endpoint';
import { checkReportSchema, checkVersionRequest, modelGateRunsResponse } from '../gates';

export const checkModelVersion = defineEndpoint({
  method: 'POST',
  path: '/models/:name/versions/:version/check',
  params: versionParam,
  body: checkVersionRequest,
  response: checkReportSchema,
  errors: ['not_found', 'conflict', 'invalid_config', 'unknown_signature'],
  timeoutMs: 600_000,
});

export const listGateRuns = defineEndpoint({
  method: 'GET',
  path: '/models/:name/gates',
  params: modelNameParam,
  response: modelGateRunsResponse,
  errors: ['not_found'],
});
