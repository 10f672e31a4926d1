/**
 * The dataset endpoints this view reads, as calls of the generic typed `request` (declarations in
 * schemas/src/endpoints/).
 */
import { type DaemonClient } from '../../../client/src/client';
import * as endpoints from '../../../schemas/src/endpoints';

export const datasetsApi = {
  list: (c: DaemonClient) => c.request(endpoints.listDatasets),
  versions: (c: DaemonClient, name: string) => c.request(endpoints.listDatasetVersions, { params: { name } }),
  diff: (c: DaemonClient, name: string, from: number, to: number) => c.request(endpoints.diffDataset, { params: { name }, query: { from, to } }),
};

/** Runs a snapshot; the endpoint streams NDJSON progress lines, then one result or error line. */
export function snapshotDataset(c: DaemonClient, name: string, reason = 'vscode') {
  return c.snapshot(name, reason);
}
