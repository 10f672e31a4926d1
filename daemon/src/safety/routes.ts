/** Handlers of the safety endpoints (schemas/src/endpoints/safety.ts). */
import { getShadowReport, setDeploymentFlag } from '../../../schemas/src/endpoints/safety';
import { serve, type Route } from '../http/router';
import { type Deployments } from '../serving/deployments';
import { writeFlag } from './flag';

export function safetyRoutes(deployments: Deployments, root: string): Route[] {
  return [
    serve(setDeploymentFlag, ({ params, body, actor }) => {
      deployments.status(params.name);
      const r = writeFlag(root, params.name, body.enabled);
      // Applied now (the file watcher would too, a moment later): the answer reflects the new state.
      deployments.applyConfig(actor, body.reason);
      return { deployment: params.name, enabled: body.enabled, changed: r.changed, file: r.file };
    }),
    serve(getShadowReport, ({ params }) => deployments.shadowReport(params.name)),
  ];
}
