/**
 * The Alerts tree as plain data: deployments with alerts → their alerts, open first then the most
 * recent; the evidence (values, threshold, window, version, drifted features) in the tooltip. Also
 * the notification text of a newly opened alert and which dashboard an alert opens. No `vscode` import.
 */
import { type MlopsEvent } from '../../../schemas/src/api';
import { alertSchema, type Alert } from '../../../schemas/src/monitoring';
import { age, localTime, markdownTable, plural, shortMetric, type ItemView } from '../shared/tree/item';
import { GroupedModel, type GroupNode, type LeafNode } from '../shared/tree/model';

export interface AlertGroup {
  name: string;
  open: number;
  total: number;
}
export type AlertGroupNode = GroupNode<'alertDeployment', AlertGroup>;
export type AlertNode = LeafNode<'alert', Alert>;
export type AlertsModel = GroupedModel<'alertDeployment', AlertGroup, 'alert', Alert>;

/** Open alerts first, then the most recently opened. */
export function alertOrder(a: Alert, b: Alert): number {
  if (a.state !== b.state) return a.state === 'open' ? -1 : 1;
  return b.opened_at.localeCompare(a.opened_at);
}

export function alertsModel(): AlertsModel {
  return new GroupedModel({ groupKind: 'alertDeployment', leafKind: 'alert', leafOrder: alertOrder, groupOrder: (a, b) => Number(b.open > 0) - Number(a.open > 0) || a.name.localeCompare(b.name) });
}

/** Deployments that have alerts, with their counts, by name. */
export function alertGroups(alerts: readonly Alert[]): AlertGroup[] {
  const by = new Map<string, AlertGroup>();
  for (const a of alerts) {
    const g = by.get(a.deployment) ?? { name: a.deployment, open: 0, total: 0 };
    g.total++;
    if (a.state === 'open') g.open++;
    by.set(a.deployment, g);
  }
  return [...by.values()].sort((a, b) => b.open - a.open || a.name.localeCompare(b.name));
}

/** Alert events name their deployment ("deployment:<name>"). */
export function alertDeploymentOfEvent(ev: Pick<MlopsEvent, 'kind' | 'subject'>): string | undefined {
  if (!ev.kind.startsWith('alert.')) return undefined;
  return /^deployment:(.+)$/.exec(ev.subject)?.[1];
}

/** The alert an `alert.opened` event carries (its `after`), when it parses. */
export function openedAlert(ev: Pick<MlopsEvent, 'kind' | 'after'>): Alert | undefined {
  if (ev.kind !== 'alert.opened') return undefined;
  const parsed = alertSchema.safeParse(ev.after);
  return parsed.success ? parsed.data : undefined;
}

const KIND_LABEL: Record<Alert['kind'], string> = { latency: 'Latency', error_rate: 'Error rate', drift: 'Drift', accuracy: 'Accuracy', rollback_failed: 'Rollback failed' };

export function notificationText(a: Alert): string {
  return `${KIND_LABEL[a.kind]} alert on ${a.deployment}${a.version === null ? '' : ` (v${a.version})`}: ${a.evidence.message}`;
}

/** Which dashboard shows an alert's evidence: drift for drift, latency (with errors and versions) otherwise. */
export function dashboardOf(a: Pick<Alert, 'kind'>): 'drift' | 'latency' {
  return a.kind === 'drift' ? 'drift' : 'latency';
}

export function groupView(node: AlertGroupNode): ItemView {
  const g = node.info;
  return {
    id: `alerts:${g.name}`,
    label: g.name,
    description: g.open ? `${plural(g.open, 'open alert')} · ${g.total} recent` : `${plural(g.total, 'resolved alert')}`,
    tooltip: `**${g.name}**: ${plural(g.open, 'open alert')}, ${plural(g.total, 'alert')} in the recent history`,
    icon: g.open ? 'warning' : 'pass',
    ...(g.open ? { iconColor: 'problemsWarningIcon.foreground' } : {}),
    contextValue: `alertDeployment;${g.open ? 'open' : 'clear'}`,
    collapsible: true,
  };
}

export function evidenceMarkdown(a: Alert): string {
  const e = a.latest ?? a.evidence;
  const rows: [string, string][] = Object.entries(e.values).map(([k, v]) => [k, v === null ? '—' : shortMetric(v)]);
  rows.push(['threshold', shortMetric(e.threshold)], ['window', `${localTime(e.window.start)} – ${localTime(e.window.end)} (${plural(e.window.predictions, 'prediction')})`]);
  const parts = [`**${KIND_LABEL[a.kind]}** on **${a.deployment}**${a.version === null ? '' : ` v${a.version}`}: ${e.message}`, markdownTable(rows, ['figure', 'value'])];
  if (e.features?.length) {
    parts.push(
      'Drifted features:',
      markdownTable(e.features.map((f) => [f.name, `${f.test} ${f.p_value !== null ? `p=${shortMetric(f.p_value)}` : `d=${shortMetric(f.distance ?? 0)}`} (threshold ${shortMetric(f.threshold)})`]), ['feature', 'test']),
    );
  }
  parts.push(`Opened ${localTime(a.opened_at)}${a.resolved_at ? `, resolved ${localTime(a.resolved_at)}` : ''}${a.acknowledged ? `; acknowledged by ${a.acknowledged_by ?? 'someone'}` : ''}`);
  return parts.join('\n\n');
}

export function alertView(node: AlertNode, now = Date.now()): ItemView {
  const a = node.data;
  const open = a.state === 'open';
  return {
    id: `alert:${a.id}`,
    label: `${KIND_LABEL[a.kind]}${a.version === null ? '' : ` v${a.version}`}`,
    description: [open ? (a.acknowledged ? 'open, acknowledged' : 'open') : 'resolved', age(open ? a.opened_at : (a.resolved_at ?? a.opened_at), now), a.evidence.message].join(' · '),
    tooltip: evidenceMarkdown(a),
    icon: open ? (a.acknowledged ? 'bell-slash' : 'warning') : 'pass',
    ...(open ? { iconColor: 'problemsWarningIcon.foreground' } : {}),
    contextValue: `alert;${a.state}${a.acknowledged ? ';acked' : ''}`,
    collapsible: false,
  };
}
