/**
 * The Model Registry tree as plain data: models → versions, and how each row looks (label,
 * description with the headline metric, icon, tooltip with local times, context value for the
 * `when` conditions in ./ids.ts). No `vscode` import.
 */
import { type MlopsEvent, type ModelSummary, type ModelVersionSummary, type Stage } from '../../../schemas/src/api';
import { type GateResult, type StoredGateRun } from '../../../schemas/src/gates';
import { formatMetric, localTime, markdownTable, plural, shortMetric, type ItemView } from '../shared/tree/item';
import { GroupedModel, type GroupNode, type LeafNode } from '../shared/tree/model';

export type ModelNode = GroupNode<'model', ModelSummary>;
export type VersionNode = LeafNode<'version', ModelVersionSummary>;
export type RegistryNode = ModelNode | VersionNode;
export type RegistryModel = GroupedModel<'model', ModelSummary, 'version', ModelVersionSummary>;

export function registryModel(): RegistryModel {
  return new GroupedModel({ groupKind: 'model', leafKind: 'version', leafOrder: (a, b) => b.version - a.version });
}

/** `model → Production version` for the status bar. */
export function productionVersions(model: RegistryModel): { model: string; version: number | null }[] {
  return model.roots().map((m) => ({ model: m.name, version: m.info.production_version }));
}

/** The model an event is about (`model:churn`, `model:churn/3`, `model:churn@champion`), if any. */
export function modelOfEvent(ev: Pick<MlopsEvent, 'kind' | 'subject'>): string | undefined {
  if (!ev.kind.startsWith('model.') && !ev.kind.startsWith('gates.')) return undefined;
  return /^model:([^/@]+)/.exec(ev.subject)?.[1];
}

/**
 * The metric a version row shows: the first of `preferred` it has (the metric the promotion gate
 * compares, then the ones mlops.yaml declares), else the first it logged (alphabetically).
 */
export function headlineMetric(metrics: Record<string, number>, preferred: readonly string[]): [string, number] | undefined {
  for (const key of preferred) {
    const v = metrics[key];
    if (v !== undefined) return [key, v];
  }
  const first = Object.keys(metrics).sort()[0];
  return first === undefined ? undefined : [first, metrics[first] as number];
}

const STAGE_ICONS: Record<Stage, { icon: string; color?: string }> = {
  Production: { icon: 'rocket', color: 'charts.green' },
  Staging: { icon: 'beaker', color: 'charts.yellow' },
  None: { icon: 'circle-outline' },
  Archived: { icon: 'archive', color: 'disabledForeground' },
};

export function modelView(node: ModelNode): ItemView {
  const s = node.info;
  const parts = [plural(s.version_count, 'version')];
  if (s.production_version !== null) parts.unshift(`Production v${s.production_version}`);
  if (s.staging_versions.length) parts.push(`Staging v${s.staging_versions.join(', v')}`);
  const aliases = Object.entries(s.aliases).map(([a, v]) => `${a} → v${v}`);
  const tooltip = [`**${s.name}**`, s.description, aliases.length ? `Aliases: ${aliases.join(', ')}` : '', `Updated ${localTime(s.updated_at)}`]
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
 * Context value grammar, matched by the `when` conditions in ./ids.ts:
 * `version;stage=<Stage>;<prod|noprod>;<run|norun>`, where prod means another version is in Production.
 */
export function versionContext(node: VersionNode, production: number | null): string {
  const v = node.data;
  const otherProd = production !== null && production !== v.version;
  return `version;stage=${v.stage};${otherProd ? 'prod' : 'noprod'};${v.source_run_id ? 'run' : 'norun'}`;
}

export interface VersionViewOptions {
  /** The model's Production version. */
  production: number | null;
  /** Metrics to prefer in the description (see headlineMetric). */
  preferred?: readonly string[];
  /** The version's last gate evaluation, if any. */
  gates?: StoredGateRun;
}

const num = (v: number | null): string => (v === null ? '-' : formatMetric(v));

const VIA: Record<NonNullable<GateResult['measurements']>[number]['via'], string> = { in_process: 'in-process', endpoint: 'through an endpoint' };

/** The latency gate's measurements, one each: "✗ in-process: 14.6 ms vs Production 0.15 ms". */
function measurementLines(g: GateResult): string[] {
  return (g.measurements ?? []).map((m) => `${m.passed ? '✓' : '✗'} ${VIA[m.via]}: ${num(m.candidate)} ms vs Production ${num(m.production)} ms`);
}

/**
 * One line per gate, for the promotion dialogs: "✓ holdout: 0.85 vs Production 0.82 (auc ≥ Production + 0.01)";
 * a latency gate measured both ways adds an indented line per measurement.
 */
export function gateLines(gates: readonly GateResult[]): string[] {
  return gates.flatMap((g) => {
    const mark = g.status === 'pass' ? '✓' : g.status === 'fail' ? '✗' : '?';
    const what = g.status === 'error' ? g.detail : `${num(g.candidate)} vs Production ${num(g.production)}`;
    const each = g.measurements && g.measurements.length > 1 ? measurementLines(g).map((l) => `    ${l}`) : [];
    return [`${mark} ${g.name}: ${what} (${g.rule})`, ...each];
  });
}

/** The last gate results as a tooltip section. */
export function gatesMarkdown(run: StoredGateRun | undefined): string {
  if (!run) return '';
  const verdict = run.passed ? 'passed' : run.forced ? `failed, promoted anyway: ${run.reason}` : run.exit_code === 2 ? 'a gate could not run' : 'failed';
  const against = run.production_version === null ? 'no Production version' : `v${run.production_version}`;
  const rows = run.gates.map((g) => [g.name, num(g.candidate), num(g.production), g.rule, g.status === 'pass' ? 'pass' : g.status === 'fail' ? 'FAIL' : 'cannot run']);
  const each = run.gates.flatMap((g) => measurementLines(g).map((l) => `\n- ${g.name} ${l}`)).join('');
  return `Gates ${verdict} (against ${against}, ${localTime(run.evaluated_at)})\n\n${markdownTable(rows, ['gate', 'candidate', 'Production', 'rule', 'result'])}${each ? `\n${each}` : ''}`;
}

export function versionView(node: VersionNode, o: VersionViewOptions): ItemView {
  const v = node.data;
  const style = STAGE_ICONS[v.stage];
  const headline = headlineMetric(v.metrics, o.preferred ?? []);
  const description = [v.stage === 'None' ? '' : v.stage, v.aliases.length ? `@${v.aliases.join(' @')}` : '', headline ? `${headline[0]} ${shortMetric(headline[1])}` : '']
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
    gatesMarkdown(o.gates),
    `Source run: ${v.source_run_id ?? 'none'}`,
    `Registered ${localTime(v.created_at)} · ${plural(v.artifact_size, 'byte')} · sha256 ${v.artifact_sha256.slice(0, 12)}`,
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
    contextValue: versionContext(node, o.production),
    collapsible: false,
  };
}

/** What a stage change will do, for the confirmation dialog (the daemon archives the old Production). */
export function describeStageChange(target: VersionNode, stage: Stage, all: readonly VersionNode[]): string[] {
  const v = target.data;
  const lines = [`${v.model} v${v.version}: ${v.stage} → ${stage}`];
  if (stage === 'Production') {
    for (const other of all) {
      if (other.data.version !== v.version && other.data.stage === 'Production') lines.push(`${v.model} v${other.data.version}: Production → Archived`);
    }
  }
  return lines;
}

/** What a rollback will do: archive the current Production and restore the previous one. */
export function describeRollback(model: string, all: readonly VersionNode[]): string[] {
  const prod = all.find((n) => n.data.stage === 'Production');
  if (!prod) return [`${model} has no Production version to roll back.`];
  return [`${model} v${prod.data.version}: Production → Archived`, `the version that was Production before it returns to Production`];
}

/** Walkthrough facts: a model is registered; a version has been promoted (Staging or Production). */
export function registryFacts(model: RegistryModel): { hasModels: boolean; hasPromotedVersion: boolean } {
  const roots = model.roots();
  return { hasModels: roots.length > 0, hasPromotedVersion: roots.some((m) => m.info.production_version !== null || m.info.staging_versions.length > 0) };
}
