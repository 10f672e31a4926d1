/**
 * The Experiments tree as plain data: experiments → runs, with status icons, a key metric and the
 * age (short enough for the default sidebar width), everything else in the tooltip. No `vscode` import.
 */
import type * as z from 'zod';
import { type MlopsEvent } from '../../../schemas/src/api';
import { type experimentSchema, type RunStatus, type RunSummary } from '../../../schemas/src/tracking';
import { age, formatMetric, localTime, plural, shortMetric, type ItemView } from '../shared/tree/item';
import { GroupedModel, type GroupNode, type LeafNode } from '../shared/tree/model';

export type ExperimentInfo = z.infer<typeof experimentSchema>;
export type ExperimentNode = GroupNode<'experiment', ExperimentInfo>;
export type RunNode = LeafNode<'run', RunSummary>;
export type ExperimentsNode = ExperimentNode | RunNode;
export type ExperimentsModel = GroupedModel<'experiment', ExperimentInfo, 'run', RunSummary>;

export function experimentsModel(): ExperimentsModel {
  return new GroupedModel({
    groupKind: 'experiment',
    leafKind: 'run',
    // Most recently active first.
    groupOrder: (a, b) => (b.last_run_time ?? '').localeCompare(a.last_run_time ?? '') || a.name.localeCompare(b.name),
    leafOrder: (a, b) => b.start_time.localeCompare(a.start_time),
  });
}

/** The run an event is about, and its experiment when the event says so (run.created does). */
export function runOfEvent(ev: Pick<MlopsEvent, 'kind' | 'subject' | 'after'>): { id: string; experiment?: string } | undefined {
  if (!ev.kind.startsWith('run.')) return undefined;
  const m = /^run:([a-z0-9]+)$/.exec(ev.subject);
  if (!m?.[1]) return undefined;
  const after = ev.after as { experiment?: unknown } | null;
  return typeof after?.experiment === 'string' ? { id: m[1], experiment: after.experiment } : { id: m[1] };
}

const STATUS_ICONS: Record<RunStatus, { icon: string; color?: string }> = {
  running: { icon: 'sync~spin', color: 'charts.blue' },
  finished: { icon: 'pass', color: 'charts.green' },
  failed: { icon: 'error', color: 'charts.red' },
  killed: { icon: 'circle-slash', color: 'charts.orange' },
};

export function experimentView(node: ExperimentNode, now = Date.now()): ItemView {
  const i = node.info;
  return {
    id: `experiment:${i.name}`,
    label: i.name,
    description: `${plural(i.run_count, 'run')}${i.last_run_time ? ` · last ${age(i.last_run_time, now)}` : ''}`,
    tooltip: [`**${i.name}**`, `Created ${localTime(i.created_at)}`, i.last_run_time ? `Last run started ${localTime(i.last_run_time)}` : '']
      .filter(Boolean)
      .join('\n\n'),
    icon: 'beaker',
    contextValue: 'experiment',
    collapsible: true,
  };
}

/** Up to `max` metrics, preferring the usual headline ones. */
export function keyMetrics(metrics: Record<string, number>, max = 1): [string, number][] {
  const preferred = ['auc', 'accuracy', 'f1', 'rmse', 'loss', 'val_loss', 'log_loss'];
  const entries = Object.entries(metrics);
  entries.sort(([a], [b]) => {
    const ia = preferred.indexOf(a);
    const ib = preferred.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
  });
  return entries.slice(0, max);
}

export function runView(node: RunNode, now = Date.now()): ItemView {
  const r = node.data;
  const style = STATUS_ICONS[r.status];
  const metrics = keyMetrics(r.metrics).map(([k, v]) => `${k} ${shortMetric(v)}`);
  const allMetrics = Object.entries(r.metrics).map(([k, v]) => `| ${k} | ${formatMetric(v)} |`);
  return {
    id: `run:${r.id}`,
    label: r.name || r.id,
    // Short: at the default sidebar width (~300 px) a longer description is cut off; the tooltip has it all.
    description: [r.status === 'finished' ? '' : r.status, ...metrics, age(r.start_time, now)].filter(Boolean).join(' · '),
    tooltip: [
      `**${r.name || r.id}** (${r.id}) — ${r.status}`,
      `Started ${localTime(r.start_time)}${r.end_time ? `, ended ${localTime(r.end_time)}` : ''}`,
      r.git_commit ? `Git ${r.git_commit}${r.git_dirty ? ' (uncommitted changes)' : ''}` : 'No git commit',
      allMetrics.length ? ['| metric | last |', '|---|---|', ...allMetrics].join('\n') : '',
    ]
      .filter(Boolean)
      .join('\n\n'),
    icon: style.icon,
    ...(style.color ? { iconColor: style.color } : {}),
    contextValue: `run;status=${r.status}`,
    collapsible: false,
  };
}

/** Run ids for "Compare Runs": the multi-selection when it holds runs, else the clicked run. */
export function selectedRunIds(clicked: ExperimentsNode | undefined, selection: readonly ExperimentsNode[] | undefined): string[] {
  const fromSelection = (selection ?? []).filter((n): n is RunNode => n.kind === 'run').map((n) => n.data.id);
  if (fromSelection.length) return [...new Set(fromSelection)];
  return clicked?.kind === 'run' ? [clicked.data.id] : [];
}
