/** The deployment routes this view calls (schemas/src/serving.ts). */
import { type DaemonClient } from '../../../daemon/src/client/client';
import { deploymentStatusSchema, listDeploymentsResponse } from '../../../schemas/src/serving';

const enc = encodeURIComponent;

export const deploymentsApi = {
  list: (c: DaemonClient) => c.call('GET', '/deployments', listDeploymentsResponse),
  deploy: (c: DaemonClient, name: string) => c.call('POST', `/deployments/${enc(name)}/deploy`, deploymentStatusSchema, { timeoutMs: 130_000 }),
  stop: (c: DaemonClient, name: string) => c.call('POST', `/deployments/${enc(name)}/stop`, deploymentStatusSchema),
};
