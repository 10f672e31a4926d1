/**
 * The Model Registry tree as plain data: models → versions, plus how each node looks (label,
 * description, icon, tooltip, context value for `when` clauses). Nodes keep their identity across
 * updates so the view can refresh exactly the model an event touched. No `vscode` import.
 */
import { type MlopsEvent, type ModelSummary, type ModelVersionSummary, type Stage } from '../../../schemas/src/api';

export interface ModelNode {
  readonly kind: 'model';
  readonly name: string;
  summary: ModelSummary;
}

export interface VersionNode {
  readonly kind: 'version';
  readonly model: string;
  readonly data: ModelVersionSummary;
  /** The model's Production version at the time, for "Compare with Production". */
  readonly production: number | null;
}

export type RegistryNode = ModelNode | VersionNode;

/** How a node looks; the vscode adapter maps it 1:1 onto a TreeItem. */
export interface ItemView {
  id: string;
  label: string;
  description: string;
  tooltip: string;
  icon: string;
  iconColor?: string;
  contextValue: string;
  collapsible: boolean;
}

export class RegistryTreeModel {
  private models = new Map<string, ModelNode>();
  private versions = new Map<string, VersionNode[]>();

  /** Replaces everything (first load, or a reload after reconnecting). */
  load(summaries: ModelSummary[]): void {
    const next = new Map<string, ModelNode>();
    for (const s of summaries) {
      const node = this.models.get(s.name) ?? { kind: 'model' as const, name: s.name, summary: s };
      node.summary = s;
      next.set(s.name, node);
    }
    this.models = next;
    this.versions.clear();
  }

  roots(): ModelNode[] {
    return [...this.models.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  model(name: string): ModelNode | undefined {
    return this.models.get(name);
  }

  /** Version nodes, newest first; undefined until loaded. */
  versionsOf(name: string): VersionNode[] | undefined {
    return this.versions.get(name);
  }

  /**
   * Stores a fresh copy of one model. Returns the node to refresh: the model node when it existed,
   * or `undefined` (the root) when the model is new.
   */
  setModel(summary: ModelSummary, versions: ModelVersionSummary[]): { refresh: ModelNode | undefined } {
    const existing = this.models.get(summary.name);
    const node = existing ?? { kind: 'model' as const, name: summary.name, summary };
    node.summary = summary;
    this.models.set(summary.name, node);
    const production = summary.production_version;
    this.versions.set(
      summary.name,
      [...versions]
        .sort((a, b) => b.version - a.version)
        .map((data) => ({ kind: 'version' as const, model: summary.name, data, production })),
    );
    return { refresh: existing };
  }

  removeModel(name: string): boolean {
    this.versions.delete(name);
    return this.models.delete(name);
  }

  /** `model → Production version` for the status bar. */
  productionVersions(): { model: string; version: number | null }[] {
    return this.roots().map((m) => ({ model: m.name, version: m.summary.production_version }));
  }
}

/** The model an event is about (`model:churn`, `model:churn/3`, `model:churn@champion`), if any. */
export function modelOfEvent(ev: Pick<MlopsEvent, 'kind' | 'subject'>): string | undefined {
  if (!ev.kind.startsWith('model.')) return undefined;
  const m = /^model:([^/@]+)/.exec(ev.subject);
  return m?.[1];
}

const STAGE_ICONS: Record<Stage, { icon: string; color?: string }> = {
  Production: { icon: 'rocket', color: 'charts.green' },
  Staging: { icon: 'beaker', color: 'charts.yellow' },
  None: { icon: 'circle-outline' },
  Archived: { icon: 'archive', color: 'disabledForeground' },
};

export function modelView(node: ModelNode): ItemView {
  const s = node.summary;
  const parts = [`${s.version_count} version${s.version_count === 1 ? '' : 's'}`];
  if (s.production_version !== null) parts.unshift(`Production v${s.production_version}`);
  if (s.staging_versions.length) parts.push(`Staging v${s.staging_versions.join(', v')}`);
  const aliases = Object.entries(s.aliases).map(([a, v]) => `${a} → v${v}`);
  const tooltip = [`**${s.name}**`, s.description, aliases.length ? `Aliases: ${aliases.join(', ')}` : '', `Updated ${s.updated_at}`]
    .filter(Boolean)
    .join('\n\n');
  return {
    id: `model:${s.name}`,
    label: s.name,
    description: parts.join(' · '),
    tooltip,
    icon: 'package',
    contextValue: `model;${s.production_version !== null ? 'prod' : 'noprod'}`,
    collapsible: true,
  };
}

/**
 * Context value grammar, matched by the `when` clauses in package.json:
 * `version;stage=<Stage>;<prod|noprod>;<run|norun>` — prod means another version is in Production.
 */
export function versionContext(node: VersionNode): string {
  const v = node.data;
  const otherProd = node.production !== null && node.production !== v.version;
  return `version;stage=${v.stage};${otherProd ? 'prod' : 'noprod'};${v.source_run_id ? 'run' : 'norun'}`;
}

function markdownTable(rows: [string, string][], head: [string, string]): string {
  if (!rows.length) return '';
  const esc = (t: string) => t.replace(/\|/g, '\\|');
  return [`| ${head[0]} | ${head[1]} |`, '|---|---|', ...rows.map(([k, v]) => `| ${esc(k)} | ${esc(v)} |`)].join('\n');
}

export function formatMetric(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1000 || Math.abs(v) < 0.001 ? v.toExponential(3) : v.toFixed(4);
}

export function versionView(node: VersionNode): ItemView {
  const v = node.data;
  const style = STAGE_ICONS[v.stage];
  const description = [v.stage === 'None' ? '' : v.stage, v.aliases.length ? `@${v.aliases.join(' @')}` : '']
    .filter(Boolean)
    .join(' · ');
  const metrics = markdownTable(
    Object.entries(v.metrics).map(([k, n]) => [k, formatMetric(n)]),
    ['metric', 'value'],
  );
  const tags = markdownTable(Object.entries(v.tags), ['tag', 'value']);
  const tooltip = [
    `**${v.model} v${v.version}** — ${v.stage}`,
    v.description,
    metrics,
    tags,
    `Source run: ${v.source_run_id ?? 'none'}`,
    `Registered ${v.created_at} · ${v.artifact_size} bytes · sha256 ${v.artifact_sha256.slice(0, 12)}`,
  ]
    .filter(Boolean)
    .join('\n\n');
  return {
    id: `model:${v.model}/${v.version}`,
    label: `v${v.version}`,
    description,
    tooltip,
    icon: style.icon,
    ...(style.color ? { iconColor: style.color } : {}),
    contextValue: versionContext(node),
    collapsible: false,
  };
}

/** What a stage change will do, for the confirmation dialog (the daemon archives the old Production). */
export function describeStageChange(target: VersionNode, stage: Stage, all: VersionNode[]): string[] {
  const v = target.data;
  const lines = [`${v.model} v${v.version}: ${v.stage} → ${stage}`];
  if (stage === 'Production') {
    for (const other of all) {
      if (other.data.version !== v.version && other.data.stage === 'Production') {
        lines.push(`${v.model} v${other.data.version}: Production → Archived`);
      }
    }
  }
  return lines;
}

/** What a rollback will do: archive the current Production and restore the previous one. */
export function describeRollback(model: string, all: VersionNode[]): string[] {
  const prod = all.find((n) => n.data.stage === 'Production');
  if (!prod) return [`${model} has no Production version to roll back.`];
  return [`${model} v${prod.data.version}: Production → Archived`, `the version that was Production before it returns to Production`];
}
