/**
 * Builds what the Run Comparison webview shows, from runs (params, final metrics, metric curves) or
 * from model versions (tags and lineage as params, registered metrics as single points). No `vscode` import.
 */
import { type ModelVersionSummary } from '../../../schemas/src/api';
import { type RunComparison } from '../../../schemas/src/tracking';
import { type ComparisonData, type Series } from '../../../schemas/src/webview';

type Scalar = string | number | boolean | null;

export interface RunSeries {
  key: string;
  steps: number[];
  values: (number | null)[];
}

/** Rows for every key any item has, marking the rows whose values differ. */
export function paramRows(perItem: Record<string, Scalar>[]): ComparisonData['params'] {
  const keys = [...new Set(perItem.flatMap((p) => Object.keys(p)))].sort();
  return keys.map((key) => {
    const values = perItem.map((p) => (key in p ? p[key] : undefined));
    const shown = values.map((v) => JSON.stringify(v ?? null));
    return { key, values, differs: new Set(shown).size > 1 };
  });
}

export function metricRows(perItem: Record<string, number>[]): ComparisonData['metrics'] {
  const keys = [...new Set(perItem.flatMap((m) => Object.keys(m)))].sort();
  return keys.map((key) => ({ key, values: perItem.map((m) => m[key] ?? null) }));
}

export function fromRuns(cmp: RunComparison, series: Map<string, RunSeries[]>): ComparisonData {
  const items = cmp.runs.map((r) => ({
    id: r.id,
    label: r.name || r.id,
    detail: `${r.experiment} · ${r.status}${r.git_commit ? ` · ${r.git_commit.slice(0, 7)}` : ''}`,
    run_id: r.id,
  }));
  const curves: Series[] = [];
  for (const r of cmp.runs) {
    for (const s of series.get(r.id) ?? []) curves.push({ item: r.id, key: s.key, steps: s.steps, values: s.values });
  }
  return {
    title: `Run Comparison: ${items.map((i) => i.label).join(' vs ')}`,
    items,
    params: cmp.params.map((p) => ({ key: p.key, values: p.values, differs: p.differs })),
    metrics: cmp.metrics,
    series: curves,
  };
}

export function fromVersions(model: string, versions: ModelVersionSummary[]): ComparisonData {
  const items = versions.map((v) => ({
    id: `${model}/${v.version}`,
    label: `${model} v${v.version}`,
    detail: v.stage,
    run_id: v.source_run_id,
  }));
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
    metrics: metricRows(versions.map((v) => v.metrics)),
    series,
  };
}
