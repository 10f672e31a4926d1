/** The Datasets tree as plain data: datasets → versions (file count, size, when, why). No `vscode` import. */
import type * as z from 'zod';
import { type MlopsEvent } from '../../../schemas/src/api';
import { type datasetSummarySchema, type DatasetDiff, type DatasetVersion } from '../../../schemas/src/tracking';
import { age, fmtBytes, localTime, plural, type ItemView } from '../shared/tree/item';
import { GroupedModel, type GroupNode, type LeafNode } from '../shared/tree/model';

export type DatasetInfo = z.infer<typeof datasetSummarySchema>;
export type DatasetNode = GroupNode<'dataset', DatasetInfo>;
export type DatasetVersionNode = LeafNode<'datasetVersion', DatasetVersion>;
export type DatasetsNode = DatasetNode | DatasetVersionNode;
export type DatasetsModel = GroupedModel<'dataset', DatasetInfo, 'datasetVersion', DatasetVersion>;

export function datasetsModel(): DatasetsModel {
  return new GroupedModel({ groupKind: 'dataset', leafKind: 'datasetVersion', leafOrder: (a, b) => b.version - a.version });
}

export function datasetOfEvent(ev: Pick<MlopsEvent, 'kind' | 'subject'>): string | undefined {
  if (!ev.kind.startsWith('dataset.')) return undefined;
  return /^dataset:([^/]+)/.exec(ev.subject)?.[1];
}

export function datasetView(node: DatasetNode, now = Date.now()): ItemView {
  const i = node.info;
  const latest = i.latest;
  const description = latest
    ? `v${latest.version} · ${plural(latest.file_count, 'file')} · ${fmtBytes(latest.total_bytes)} · ${age(latest.created_at, now)}`
    : 'no snapshot yet';
  return {
    id: `dataset:${i.name}`,
    label: i.name,
    description: i.configured ? description : `${description} · not in mlops.yaml`,
    tooltip: [
      `**${i.name}** (${i.format})`,
      `Paths: ${i.paths.join(', ') || '—'}`,
      plural(i.version_count, 'version'),
      latest ? `Latest snapshot ${localTime(latest.created_at)}` : '',
    ]
      .filter(Boolean)
      .join('\n\n'),
    icon: 'database',
    contextValue: `dataset;${i.configured ? 'configured' : 'unconfigured'}`,
    collapsible: true,
  };
}

export function datasetVersionView(node: DatasetVersionNode, now = Date.now()): ItemView {
  const v = node.data;
  return {
    id: `dataset:${v.dataset}/${v.version}`,
    label: `v${v.version}`,
    description: `${plural(v.file_count, 'file')} · ${fmtBytes(v.total_bytes)} · ${age(v.created_at, now)} · ${v.reason}`,
    tooltip: [
      `**${v.dataset} v${v.version}**`,
      `Created ${localTime(v.created_at)} (${v.reason})`,
      `${plural(v.file_count, 'file')}, ${plural(v.total_bytes, 'byte')}`,
      v.parent_version ? `Previous version: v${v.parent_version}` : '',
    ]
      .filter(Boolean)
      .join('\n\n'),
    icon: 'versions',
    contextValue: `datasetVersion;${v.parent_version ? 'parent' : 'first'}`,
    collapsible: false,
  };
}

/** A markdown report of a dataset diff. */
export function diffMarkdown(d: DatasetDiff): string {
  const lines = [`# ${d.dataset}: v${d.from} → v${d.to}`, '', `${d.added.length} added · ${d.removed.length} removed · ${d.changed.length} changed · ${d.unchanged} unchanged`, ''];
  if (d.added.length) lines.push('## Added', ...d.added.map((f) => `- \`${f.path}\` (${fmtBytes(f.size)})`), '');
  if (d.removed.length) lines.push('## Removed', ...d.removed.map((f) => `- \`${f.path}\` (${fmtBytes(f.size)})`), '');
  if (d.changed.length) lines.push('## Changed', ...d.changed.map((f) => `- \`${f.path}\`: ${fmtBytes(f.from_size)} → ${fmtBytes(f.to_size)}`), '');
  return lines.join('\n');
}
