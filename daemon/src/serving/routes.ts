/** HTTP routes of deployments: `/api/v1/deployments/...`. Thin: the Deployments domain does the work. */
import {
  deployQuery,
  deploymentDetailSchema,
  deploymentNameParam,
  deploymentStatusSchema,
  listDeploymentsResponse,
} from '../../../schemas/src/serving';
import { route, type Route } from '../http/router';
import { type Deployments } from './deployments';

export function servingRoutes(deployments: Deployments): Route[] {
  return [
    route({
      method: 'GET',
      path: '/deployments',
      response: listDeploymentsResponse,
      handler: () => ({ deployments: deployments.list() }),
    }),
    route({
      method: 'GET',
      path: '/deployments/:name',
      params: deploymentNameParam,
      response: deploymentDetailSchema,
      handler: ({ params }) => deployments.detail(params.name),
    }),
    route({
      method: 'POST',
      path: '/deployments/:name/deploy',
      params: deploymentNameParam,
      query: deployQuery,
      response: deploymentStatusSchema,
      handler: ({ params, query, actor }) => deployments.deploy(params.name, actor, query.wait_ms),
    }),
    route({
      method: 'POST',
      path: '/deployments/:name/stop',
      params: deploymentNameParam,
      response: deploymentStatusSchema,
      handler: ({ params, actor }) => deployments.stop(params.name, actor),
    }),
  ];
}
