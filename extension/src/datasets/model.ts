/** The Datasets tree as plain data: datasets → versions (file count, size, when, why). No `vscode` import. */
import { type MlopsEvent } from '../../../schemas/src/api';
import { type DatasetDiff, type DatasetVersion } from '../../../schemas/src/tracking';
import { type ItemView } from '../registry/model';
import { age, fmtBytes } from '../util/coalesce';

export interface DatasetInfo {
  name: string;
  paths: string[];
  format: string;
  configured: boolean;
  latest: DatasetVersion | null;
  version_count: number;
}

export interface DatasetNode {
  readonly kind: 'dataset';
  readonly name: string;
  info: DatasetInfo;
}

export interface DatasetVersionNode {
  readonly kind: 'datasetVersion';
  readonly dataset: string;
  readonly data: DatasetVersion;
}

export type DatasetsNode = DatasetNode | DatasetVersionNode;

export class DatasetsTreeModel {
  private datasets = new Map<string, DatasetNode>();
  private versions = new Map<string, DatasetVersionNode[]>();

  /** Replaces the list; true when the set of names changed. */
  setDatasets(list: DatasetInfo[]): boolean {
    const before = [...this.datasets.keys()].sort().join('\n');
    const next = new Map<string, DatasetNode>();
    for (const info of list) {
      const node = this.datasets.get(info.name) ?? { kind: 'dataset' as const, name: info.name, info };
      node.info = info;
      next.set(info.name, node);
    }
    this.datasets = next;
    return before !== [...next.keys()].sort().join('\n');
  }

  roots(): DatasetNode[] {
    return [...this.datasets.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  dataset(name: string): DatasetNode | undefined {
    return this.datasets.get(name);
  }

  versionsOf(name: string): DatasetVersionNode[] | undefined {
    return this.versions.get(name);
  }

  setVersions(name: string, versions: DatasetVersion[]): void {
    this.versions.set(
      name,
      [...versions].sort((a, b) => b.version - a.version).map((data) => ({ kind: 'datasetVersion' as const, dataset: name, data })),
    );
  }
}

export function datasetOfEvent(ev: Pick<MlopsEvent, 'kind' | 'subject'>): string | undefined {
  if (!ev.kind.startsWith('dataset.')) return undefined;
  return /^dataset:([^/]+)/.exec(ev.subject)?.[1];
}

export function datasetView(node: DatasetNode, now = Date.now()): ItemView {
  const i = node.info;
  const latest = i.latest;
  const description = latest
    ? `v${latest.version} · ${latest.file_count} files · ${fmtBytes(latest.total_bytes)} · ${age(latest.created_at, now)}`
    : 'no snapshot yet';
  return {
    id: `dataset:${i.name}`,
    label: i.name,
    description: i.configured ? description : `${description} · not in mlops.yaml`,
    tooltip: `**${i.name}** (${i.format})\n\nPaths: ${i.paths.join(', ') || '—'}\n\n${i.version_count} version(s)`,
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
    description: `${v.file_count} files · ${fmtBytes(v.total_bytes)} · ${age(v.created_at, now)} · ${v.reason}`,
    tooltip: `**${v.dataset} v${v.version}**\n\nCreated ${v.created_at} (${v.reason})\n\n${v.file_count} files, ${v.total_bytes} bytes${
      v.parent_version ? `\n\nPrevious version: v${v.parent_version}` : ''
    }`,
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
