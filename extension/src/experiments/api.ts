/**
 * The tracking endpoints this view reads, as calls of the generic typed `request` (declarations in
 * schemas/src/endpoints/).
 */
import { type DaemonClient } from '../../../client/src/client';
import * as endpoints from '../../../schemas/src/endpoints';

export const tracking = {
  experiments: (c: DaemonClient) => c.request(endpoints.listExperiments),
  runs: (c: DaemonClient, experiment: string, limit = 200) => c.request(endpoints.listRuns, { query: { experiment, limit } }),
  run: (c: DaemonClient, id: string) => c.request(endpoints.getRun, { params: { id } }),
  metrics: (c: DaemonClient, id: string) => c.request(endpoints.getMetricSeries, { params: { id } }),
  compare: (c: DaemonClient, ids: string[]) => c.request(endpoints.compareRuns, { query: { ids: ids.join(',') } }),
};
