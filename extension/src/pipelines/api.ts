/** The pipeline endpoints this view calls (declarations in schemas/src/endpoints/pipelines.ts). */
import { type DaemonClient } from '../../../client/src/client';
import * as endpoints from '../../../schemas/src/endpoints';

export const pipelinesApi = {
  status: (c: DaemonClient) => c.request(endpoints.getPipeline),
  run: (c: DaemonClient, stages: string[]) => c.request(endpoints.startPipeline, { body: { stages, reason: 'VS Code' } }),
};
