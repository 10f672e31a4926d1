/** The monitoring endpoints this view calls (declarations in schemas/src/endpoints/monitoring.ts). */
import { type DaemonClient } from '../../../client/src/client';
import * as endpoints from '../../../schemas/src/endpoints';

export const alertsApi = {
  list: (c: DaemonClient, deployment?: string) => c.request(endpoints.listAlerts, { query: { all: 'true', limit: 200, ...(deployment ? { deployment } : {}) } }),
  open: (c: DaemonClient) => c.request(endpoints.listAlerts, { query: { all: 'false', limit: 1000 } }),
  ack: (c: DaemonClient, id: string, reason: string) => c.request(endpoints.ackAlert, { params: { id }, body: { reason } }),
};
