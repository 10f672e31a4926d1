/** Handlers of the deployment endpoints (declared in schemas/src/endpoints/serving.ts). Thin: Deployments does the work. */
import { deployDeployment, getDeployment, listDeployments, stopDeployment } from '../../../schemas/src/endpoints/serving';
import { serve, type Route } from '../http/router';
import { type Deployments } from './deployments';

export function servingRoutes(deployments: Deployments): Route[] {
  return [
    serve(listDeployments, () => ({ deployments: deployments.list() })),
    serve(getDeployment, ({ params }) => deployments.detail(params.name)),
    serve(deployDeployment, ({ params, query, actor }) => deployments.deploy(params.name, actor, query.wait_ms)),
    serve(stopDeployment, ({ params, actor }) => deployments.stop(params.name, actor)),
  ];
}
