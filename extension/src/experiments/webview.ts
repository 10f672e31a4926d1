/**
 * What this view feeds to the Run Comparison webview (contract: schemas/src/webview.ts): runs side
 * by side, their params, final metrics and every metric's curve over steps.
 */
import { type RunComparison } from '../../../schemas/src/tracking';
import { type ComparisonData, type ComparisonSource, type Series } from '../../../schemas/src/webview';
import { type DaemonClient } from '../../../client/src/client';
import { metricRows, type MetricDirections } from '../comparison/data';
import { tracking } from './api';

export interface RunSeries {
  key: string;
  steps: number[];
  values: (number | null)[];
}

export function fromRuns(cmp: RunComparison, series: Map<string, RunSeries[]>, directions: MetricDirections = {}): ComparisonData {
  const items = cmp.runs.map((r) => ({
    id: r.id,
    label: r.name || r.id,
    detail: `${r.experiment} · ${r.status}${r.git_commit ? ` · ${r.git_commit.slice(0, 7)}` : ''}`,
    run_id: r.id,
  }));
  const curves: Series[] = cmp.runs.flatMap((r) => (series.get(r.id) ?? []).map((s) => ({ item: r.id, key: s.key, steps: s.steps, values: s.values })));
  const finals = cmp.runs.map((_, i) => Object.fromEntries(cmp.metrics.flatMap((m) => (m.values[i] === null || m.values[i] === undefined ? [] : [[m.key, m.values[i]]]))));
  return {
    title: `Run Comparison: ${items.map((i) => i.label).join(' vs ')}`,
    items,
    params: cmp.params.map((p) => ({ key: p.key, values: p.values, differs: p.differs })),
    metrics: metricRows(finals, directions),
    series: curves,
  };
}

export async function loadRunsComparison(c: DaemonClient, source: Extract<ComparisonSource, { type: 'runs' }>, directions: MetricDirections): Promise<ComparisonData> {
  const cmp = await tracking.compare(c, source.ids);
  const series = new Map<string, RunSeries[]>();
  await Promise.all(source.ids.map(async (id) => series.set(id, (await tracking.metrics(c, id)).series)));
  return fromRuns(cmp, series, directions);
}
