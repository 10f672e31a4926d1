/**
 * The Deployments tree as plain data: deployments → version, state, URL, requests per second and p95
 * latency. Also the status bar's Production endpoint. No `vscode` import.
 */
import { type MlopsEvent } from '../../../schemas/src/api';
import { type DeploymentStatus } from '../../../schemas/src/serving';
import { localTime, shortMetric, type ItemView } from '../shared/tree/item';
import { GroupedModel, type GroupNode, type LeafNode } from '../shared/tree/model';

export interface DetailRow {
  key: 'version' | 'state' | 'url' | 'rps' | 'p95';
  label: string;
  value: string;
  order: number;
}
export type DeploymentNode = GroupNode<'deployment', DeploymentStatus>;
export type DetailNode = LeafNode<'deploymentDetail', DetailRow>;
export type DeploymentsModel = GroupedModel<'deployment', DeploymentStatus, 'deploymentDetail', DetailRow>;

export function deploymentsModel(): DeploymentsModel {
  return new GroupedModel({ groupKind: 'deployment', leafKind: 'deploymentDetail', leafOrder: (a, b) => a.order - b.order });
}

/** Deployment events name their deployment; registry moves arrive as deployment.switched; alerts change its icon. */
export function deploymentOfEvent(ev: Pick<MlopsEvent, 'kind' | 'subject'>): string | undefined {
  if (!ev.kind.startsWith('deployment.') && !ev.kind.startsWith('breaker.') && !ev.kind.startsWith('alert.')) return undefined;
  return /^deployment:(.+)$/.exec(ev.subject)?.[1];
}

const STATE_ICON: Record<DeploymentStatus['state'], [string, string | undefined]> = {
  serving: ['radio-tower', 'testing.iconPassed'],
  starting: ['loading~spin', undefined],
  stopped: ['circle-outline', undefined],
  failed: ['error', 'testing.iconFailed'],
};

function follows(d: DeploymentStatus): string {
  return d.follows.kind === 'version' ? `fixed v${d.follows.value}` : `follows ${d.follows.kind === 'alias' ? '@' : ''}${d.follows.value}`;
}

export function traffic(d: DeploymentStatus): string {
  if (!d.stats) return '';
  return `${shortMetric(d.stats.rps)} req/s · p95 ${d.stats.p95_ms === null ? '—' : `${shortMetric(d.stats.p95_ms)} ms`}`;
}

/** Safety nets worth a glance: the flag off, or the breaker not closed (the rules answer). */
export function safetyNote(d: DeploymentStatus): { text: string; icon: string; tooltip: string } | undefined {
  if (!d.enabled) return { text: 'disabled: fallback', icon: 'circle-slash', tooltip: 'Disabled (feature flag): answers come from the fallback rules, or 503 without rules.' };
  const b = d.breaker;
  if (!b || b.state === 'closed') return undefined;
  const text = b.state === 'open' ? 'breaker open: fallback' : 'breaker half-open: probing';
  return { text, icon: 'debug-disconnect', tooltip: `Circuit breaker ${b.state.replace('_', '-')} since ${localTime(b.since)}: ${b.reason}. ${b.fallback_answers} fallback answers.` };
}

/** `openAlerts`: one line per open alert of the deployment; any turns the icon into a warning. */
export function deploymentView(node: DeploymentNode, openAlerts: readonly string[] = []): ItemView {
  const d = node.info;
  const note = safetyNote(d);
  const [stateIcon, stateColor] = STATE_ICON[d.state];
  const [icon, color] = openAlerts.length
    ? ['warning', 'problemsWarningIcon.foreground']
    : note && d.state === 'serving'
      ? [note.icon, 'list.warningForeground']
      : [stateIcon, stateColor];
  const version = d.version === null ? '' : `v${d.version} · `;
  return {
    id: `deployment:${d.name}`,
    label: d.name,
    description: [`${d.model} ${version}${d.state}`, note?.text ?? '', d.state === 'serving' ? traffic(d) : ''].filter(Boolean).join(' · '),
    tooltip: [
      `**${d.name}**: ${d.model}, ${follows(d)}`,
      `State: ${d.state}${d.url ? ` at ${d.url}` : ''}`,
      note ? `⚠ ${note.tooltip}` : '',
      d.error ? `⚠ ${d.error}` : '',
      d.started_at ? `Started ${localTime(d.started_at)}${d.restarts ? `, ${d.restarts} restarts` : ''}` : '',
      d.auth === 'token' ? 'Prediction routes need the serving token (mlops deployments show --json).' : '',
      ...openAlerts.map((a) => `⚠ Open alert: ${a}`),
    ]
      .filter(Boolean)
      .join('\n\n'),
    icon,
    ...(color ? { iconColor: color } : {}),
    contextValue: `deployment;${d.state};${d.enabled ? 'enabled' : 'disabled'}`,
    collapsible: true,
  };
}

/** The rows under a deployment. */
export function detailRows(d: DeploymentStatus): DetailRow[] {
  const rows: DetailRow[] = [
    { key: 'version', label: 'version', value: d.version === null ? '—' : `v${d.version} (${follows(d)})`, order: 1 },
    { key: 'state', label: 'state', value: d.error ? `${d.state}: ${d.error}` : d.state, order: 2 },
  ];
  if (d.url) rows.push({ key: 'url', label: 'URL', value: d.url, order: 3 });
  if (d.stats) {
    rows.push({ key: 'rps', label: 'requests/s', value: shortMetric(d.stats.rps), order: 4 });
    rows.push({ key: 'p95', label: 'p95 latency', value: d.stats.p95_ms === null ? '—' : `${shortMetric(d.stats.p95_ms)} ms`, order: 5 });
  }
  return rows;
}

export function detailView(node: DetailNode): ItemView {
  const r = node.data;
  const icons: Record<DetailRow['key'], string> = { version: 'versions', state: 'pulse', url: 'link', rps: 'graph-line', p95: 'watch' };
  return {
    id: `deployment:${node.parent}/${r.key}`,
    label: r.label,
    description: r.value,
    tooltip: `${r.label}: ${r.value}`,
    icon: icons[r.key],
    contextValue: `deploymentDetail;${r.key}`,
    collapsible: false,
  };
}

/** The status bar text: the endpoint serving Production, or nothing when none is. */
export function productionEndpoint(list: readonly DeploymentStatus[]): { text: string; tooltip: string; url: string } | undefined {
  const d = list.find((x) => x.state === 'serving' && x.url && x.follows.kind === 'stage' && x.follows.value === 'Production');
  if (!d?.url) return undefined;
  const host = d.url.replace(/^https?:\/\//, '');
  return {
    text: `$(radio-tower) ${d.model} v${d.version ?? '?'} · ${host}`,
    tooltip: `Production endpoint of ${d.model}: ${d.url} (deployment ${d.name})${d.stats ? `\n${traffic(d)}` : ''}\nClick to copy the URL.`,
    url: d.url,
  };
}

/** What a `deployment.auto_rollback` event tells the user, and what Undo re-promotes. */
export function autoRollbackNotice(ev: Pick<MlopsEvent, 'kind' | 'subject' | 'after' | 'reason'>): { text: string; model: string; version: number } | undefined {
  if (ev.kind !== 'deployment.auto_rollback') return undefined;
  const a = ev.after as { outcome?: string; model?: string; rolled_back?: number; to_version?: number | null; alert?: { kind?: string } } | null;
  if (!a?.model || typeof a.rolled_back !== 'number') return undefined;
  const deployment = /^deployment:(.+)$/.exec(ev.subject)?.[1] ?? '';
  if (a.outcome !== 'rolled_back') return { text: `${deployment}: the ${a.alert?.kind ?? ''} alert asked to roll ${a.model} v${a.rolled_back} back, but there is no earlier Production version.`, model: a.model, version: a.rolled_back };
  return { text: `${deployment}: the ${a.alert?.kind ?? ''} alert rolled ${a.model} back from v${a.rolled_back} to v${a.to_version ?? '?'} automatically.`, model: a.model, version: a.rolled_back };
}
