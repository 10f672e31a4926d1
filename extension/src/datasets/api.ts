/**
 * The dataset routes this view reads, as thin typed calls on `DaemonClient` (response schemas from
 * schemas/src/tracking.ts).
 */
import { type DaemonClient } from '../../../daemon/src/client/client';
import { datasetDiffResponse, datasetVersionsResponse, listDatasetsResponse, snapshotStreamLine, type SnapshotStreamLine } from '../../../schemas/src/tracking';

const enc = encodeURIComponent;

export const datasetsApi = {
  list: (c: DaemonClient) => c.call('GET', '/datasets', listDatasetsResponse),
  versions: (c: DaemonClient, name: string) => c.call('GET', `/datasets/${enc(name)}/versions`, datasetVersionsResponse),
  diff: (c: DaemonClient, name: string, from: number, to: number) => c.call('GET', `/datasets/${enc(name)}/diff`, datasetDiffResponse, { query: { from, to } }),
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
