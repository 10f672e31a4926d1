/** Safety nets: the feature flag of a deployment (edits mlops.yaml) and its shadow comparison report. */
import { defineEndpoint } from '../endpoint';
import { flagResultSchema, setFlagBody, shadowReportSchema } from '../safety';
import { deploymentNameParam } from '../serving';

export const setDeploymentFlag = defineEndpoint({
  method: 'POST',
  path: '/deployments/:name/flag',
  params: deploymentNameParam,
  body: setFlagBody,
  response: flagResultSchema,
  errors: ['not_found', 'invalid_config', 'conflict'],
});

export const getShadowReport = defineEndpoint({
  method: 'GET',
  path: '/deployments/:name/shadow',
  params: deploymentNameParam,
  response: shadowReportSchema,
  errors: ['not_found'],
});
