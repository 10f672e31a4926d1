/** The deployment endpoints this view calls (declarations in schemas/src/endpoints/serving.ts). */
import { type DaemonClient } from '../../../client/src/client';
import * as endpoints from '../../../schemas/src/endpoints';

export const deploymentsApi = {
  list: (c: DaemonClient) => c.request(endpoints.listDeployments),
  deploy: (c: DaemonClient, name: string) => c.request(endpoints.deployDeployment, { params: { name }, query: {} }),
  stop: (c: DaemonClient, name: string) => c.request(endpoints.stopDeployment, { params: { name } }),
  setFlag: (c: DaemonClient, name: string, enabled: boolean) => c.request(endpoints.setDeploymentFlag, { params: { name }, body: { enabled, reason: 'VS Code' } }),
  promote: (c: DaemonClient, model: string, version: number, reason: string) => c.request(endpoints.setStage, { params: { name: model, version }, body: { stage: 'Production', reason } }),
  openAlerts: (c: DaemonClient) => c.request(endpoints.listAlerts, { query: { all: 'false', limit: 1000 } }),
};
