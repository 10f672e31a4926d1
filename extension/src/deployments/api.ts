/** The deployment endpoints this view calls (declarations in schemas/src/endpoints/serving.ts). */
import { type DaemonClient } from '../../../client/src/client';
import * as endpoints from '../../../schemas/src/endpoints';

export const deploymentsApi = {
  list: (c: DaemonClient) => c.request(endpoints.listDeployments),
  deploy: (c: DaemonClient, name: string) => c.request(endpoints.deployDeployment, { params: { name }, query: {} }),
  stop: (c: DaemonClient, name: string) => c.request(endpoints.stopDeployment, { params: { name } }),
  openAlerts: (c: DaemonClient) => c.request(endpoints.listAlerts, { query: { all: 'false', limit: 1000 } }),
};
