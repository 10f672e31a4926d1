/** Deployments: list, show (with the serving token), deploy (waits until serving or failed), stop. */
import { defineEndpoint } from '../endpoint';
import { deployQuery, deploymentDetailSchema, deploymentNameParam, deploymentStatusSchema, listDeploymentsResponse } from '../serving';

export const listDeployments = defineEndpoint({ method: 'GET', path: '/deployments', response: listDeploymentsResponse, errors: ['invalid_config'] });

export const getDeployment = defineEndpoint({
  method: 'GET',
  path: '/deployments/:name',
  params: deploymentNameParam,
  response: deploymentDetailSchema,
  errors: ['not_found'],
});

export const deployDeployment = defineEndpoint({
  method: 'POST',
  path: '/deployments/:name/deploy',
  params: deploymentNameParam,
  query: deployQuery,
  response: deploymentStatusSchema,
  errors: ['not_found', 'conflict', 'disabled', 'unknown_signature'],
  timeoutMs: 130_000,
});

export const stopDeployment = defineEndpoint({
  method: 'POST',
  path: '/deployments/:name/stop',
  params: deploymentNameParam,
  response: deploymentStatusSchema,
  errors: ['not_found'],
});
