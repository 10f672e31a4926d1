/** Handlers of the gates endpoints (declared in schemas/src/endpoints/gates.ts). */
import { checkModelVersion, listGateRuns } from '../../../schemas/src/endpoints/gates';
import { serve, type Route } from '../http/router';
import { type Registry } from '../registry/registry';
import { type DaemonGatekeeper } from './gatekeeper';
import { type GateRuns } from './store';

export function gateRoutes(gatekeeper: DaemonGatekeeper, runs: GateRuns, registry: Registry): Route[] {
  return [
    serve(checkModelVersion, ({ params, body, actor }) => gatekeeper.check(params.name, params.version, body.against, actor)),
    serve(listGateRuns, ({ params }) => {
      registry.getModel(params.name, 1);
      return { model: params.name, versions: runs.lastRuns(params.name) };
    }),
  ];
}
