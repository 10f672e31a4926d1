/**
 * The tracking routes this view reads, as thin typed calls on `DaemonClient` (response schemas from
 * schemas/src/tracking.ts).
 */
import { type DaemonClient } from '../../../daemon/src/client/client';
import { compareRunsResponse, listExperimentsResponse, listRunsResponse, metricSeriesResponse, runDetailSchema } from '../../../schemas/src/tracking';

const enc = encodeURIComponent;

export const tracking = {
  experiments: (c: DaemonClient) => c.call('GET', '/experiments', listExperimentsResponse),
  runs: (c: DaemonClient, experiment: string, limit = 200) => c.call('GET', '/runs', listRunsResponse, { query: { experiment, limit } }),
  run: (c: DaemonClient, id: string) => c.call('GET', `/runs/${enc(id)}`, runDetailSchema),
  metrics: (c: DaemonClient, id: string) => c.call('GET', `/runs/${enc(id)}/metrics`, metricSeriesResponse),
  compare: (c: DaemonClient, ids: string[]) => c.call('GET', '/runs/compare', compareRunsResponse, { query: { ids: ids.join(',') } }),
};
