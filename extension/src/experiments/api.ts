/**
 * The tracking and dataset routes the extension reads, as thin typed calls on `DaemonClient`
 * (response schemas from schemas/src/tracking.ts). Kept here rather than importing the Node tracking
 * client, which pulls in the YAML loader the extension does not need.
 */
import { type DaemonClient } from '../../../client/src/client';
import {
  compareRunsResponse,
  datasetDiffResponse,
  datasetVersionsResponse,
  listDatasetsResponse,
  listExperimentsResponse,
  listRunsResponse,
  metricSeriesResponse,
  runDetailSchema,
  snapshotStreamLine,
  type SnapshotStreamLine,
} from '../../../schemas/src/tracking';

const enc = encodeURIComponent;

export const tracking = {
  experiments: (c: DaemonClient) => c.call('GET', '/experiments', listExperimentsResponse),
  runs: (c: DaemonClient, experiment: string, limit = 200) => c.call('GET', '/runs', listRunsResponse, { query: { experiment, limit } }),
  run: (c: DaemonClient, id: string) => c.call('GET', `/runs/${enc(id)}`, runDetailSchema),
  metrics: (c: DaemonClient, id: string) => c.call('GET', `/runs/${enc(id)}/metrics`, metricSeriesResponse),
  compare: (c: DaemonClient, ids: string[]) => c.call('GET', '/runs/compare', compareRunsResponse, { query: { ids: ids.join(',') } }),
  datasets: (c: DaemonClient) => c.call('GET', '/datasets', listDatasetsResponse),
  datasetVersions: (c: DaemonClient, name: string) => c.call('GET', `/datasets/${enc(name)}/versions`, datasetVersionsResponse),
  datasetDiff: (c: DaemonClient, name: string, from: number, to: number) =>
    c.call('GET', `/datasets/${enc(name)}/diff`, datasetDiffResponse, { query: { from, to } }),
};

/** Runs a snapshot; the route streams NDJSON progress lines, then one result or error line. */
export async function snapshotDataset(c: DaemonClient, name: string, reason = 'vscode'): Promise<Extract<SnapshotStreamLine, { type: 'result' }>> {
  const { status, text } = await c.raw('POST', `/datasets/${enc(name)}/snapshot`, { body: { reason }, timeoutMs: 3_600_000 });
  const lines = text.split('\n').filter((l) => l.trim());
  if (status !== 200) throw new Error(`snapshot of ${name}: daemon answered HTTP ${status}: ${text.slice(0, 300)}`);
  const last = snapshotStreamLine.safeParse(JSON.parse(lines[lines.length - 1] ?? '{}'));
  if (!last.success) throw new Error(`snapshot of ${name}: unexpected answer from the daemon`);
  if (last.data.type === 'error') throw new Error(last.data.message);
  if (last.data.type !== 'result') throw new Error(`snapshot of ${name}: the daemon stopped before finishing`);
  return last.data;
}
