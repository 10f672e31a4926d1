/**
 * The tracking and dataset endpoints the extension reads, as calls of the generic typed
 * `request` (declarations in schemas/src/endpoints/). Kept here rather than importing the Node
 * tracking client, which pulls in the YAML loader the extension does not need.
 */
import { type DaemonClient } from '../../../client/src/client';
import * as endpoints from '../../../schemas/src/endpoints';

export const tracking = {
  experiments: (c: DaemonClient) => c.request(endpoints.listExperiments),
  runs: (c: DaemonClient, experiment: string, limit = 200) => c.request(endpoints.listRuns, { query: { experiment, limit } }),
  run: (c: DaemonClient, id: string) => c.request(endpoints.getRun, { params: { id } }),
  metrics: (c: DaemonClient, id: string) => c.request(endpoints.getMetricSeries, { params: { id } }),
  compare: (c: DaemonClient, ids: string[]) => c.request(endpoints.compareRuns, { query: { ids: ids.join(',') } }),
  datasets: (c: DaemonClient) => c.request(endpoints.listDatasets),
  datasetVersions: (c: DaemonClient, name: string) => c.request(endpoints.listDatasetVersions, { params: { name } }),
  datasetDiff: (c: DaemonClient, name: string, from: number, to: number) =>
    c.request(endpoints.diffDataset, { params: { name }, query: { from, to } }),
};

/** Runs a snapshot; the endpoint streams NDJSON progress lines, then one result or error line. */
export function snapshotDataset(c: DaemonClient, name: string, reason = 'vscode') {
  return c.snapshot(name, reason);
}
