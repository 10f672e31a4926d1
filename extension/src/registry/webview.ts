/**
 * What this view feeds to the Run Comparison webview (contract: schemas/src/webview.ts): model
 * versions side by side, tags and lineage as parameters, registered metrics as final values.
 */
import { type ModelVersionSummary } from '../../../schemas/src/api';
import * as endpoints from '../../../schemas/src/endpoints';
import { type ComparisonData, type ComparisonSource, type Series } from '../../../schemas/src/webview';
import { type DaemonClient } from '../../../client/src/client';
import { metricRows, paramRows, type MetricDirections } from '../comparison/data';

export function fromVersions(model: string, versions: readonly ModelVersionSummary[], directions: MetricDirections = {}): ComparisonData {
  const items = versions.map((v) => ({ id: `${model}/${v.version}`, label: `${model} v${v.version}`, detail: v.stage, run_id: v.source_run_id }));
  const params = paramRows(
    versions.map((v) => ({
      stage: v.stage,
      description: v.description,
      source_run: v.source_run_id,
      artifact_sha256: v.artifact_sha256.slice(0, 12),
      datasets: v.dataset_versions.map((d) => `${d.dataset}@${d.version}`).join(', ') || null,
      ...Object.fromEntries(Object.entries(v.tags).map(([k, t]) => [`tag.${k}`, t])),
    })),
  );
  const series: Series[] = versions.flatMap((v) =>
    Object.entries(v.metrics).map(([key, value]) => ({ item: `${model}/${v.version}`, key, steps: [0], values: [value] })),
  );
  return {
    title: `${model}: ${items.map((i) => i.label.replace(`${model} `, '')).join(' vs ')}`,
    items,
    params,
    metrics: metricRows(versions.map((v) => v.metrics), directions),
    series,
  };
}

export async function loadVersionsComparison(c: DaemonClient, source: Extract<ComparisonSource, { type: 'versions' }>, directions: MetricDirections): Promise<ComparisonData> {
  const versions = await Promise.all(source.versions.map((v) => c.request(endpoints.getModelVersion, { params: { name: source.model, version: v } })));
  return fromVersions(source.model, versions, directions);
}
