/**
 * The Experiments tree as plain data: experiments → runs, with status icons, key metrics and the git
 * commit. Nodes keep their identity so one event refreshes one experiment. No `vscode` import.
 */
import { type MlopsEvent } from '../../../schemas/src/api';
import { type RunStatus, type RunSummary } from '../../../schemas/src/tracking';
import { formatMetric, type ItemView } from '../registry/model';
import { age } from '../util/coalesce';

export interface ExperimentInfo {
  name: string;
  run_count: number;
  last_run_time: string | null;
  created_at: string;
}

export interface ExperimentNode {
  readonly kind: 'experiment';
  readonly name: string;
  info: ExperimentInfo;
}

export interface RunNode {
  readonly kind: 'run';
  readonly experiment: string;
  readonly run: RunSummary;
}

export type ExperimentsNode = ExperimentNode | RunNode;

export class ExperimentsTreeModel {
  private experiments = new Map<string, ExperimentNode>();
  private runs = new Map<string, RunNode[]>();
  /** run id → experiment, learned from lists and events. */
  private runHome = new Map<string, string>();

  /** Replaces the experiment list; returns true when the set of names changed (the root must refresh). */
  setExperiments(list: ExperimentInfo[]): boolean {
    const before = [...this.experiments.keys()].sort().join('\n');
    const next = new Map<string, ExperimentNode>();
    for (const info of list) {
      const node = this.experiments.get(info.name) ?? { kind: 'experiment' as const, name: info.name, info };
      node.info = info;
      next.set(info.name, node);
    }
    for (const name of this.experiments.keys()) if (!next.has(name)) this.runs.delete(name);
    this.experiments = next;
    return before !== [...next.keys()].sort().join('\n');
  }

  roots(): ExperimentNode[] {
    return [...this.experiments.values()].sort((a, b) => (b.info.last_run_time ?? '').localeCompare(a.info.last_run_time ?? '') || a.name.localeCompare(b.name));
  }

  experiment(name: string): ExperimentNode | undefined {
    return this.experiments.get(name);
  }

  runsOf(name: string): RunNode[] | undefined {
    return this.runs.get(name);
  }

  setRuns(experiment: string, runs: RunSummary[]): void {
    const nodes = [...runs]
      .sort((a, b) => b.start_time.localeCompare(a.start_time))
      .map((run) => ({ kind: 'run' as const, experiment, run }));
    for (const r of runs) this.runHome.set(r.id, experiment);
    this.runs.set(experiment, nodes);
  }

  noteRun(id: string, experiment: string): void {
    this.runHome.set(id, experiment);
  }

  experimentOfRun(id: string): string | undefined {
    return this.runHome.get(id);
  }

  findRun(id: string): RunNode | undefined {
    const exp = this.runHome.get(id);
    return exp ? this.runs.get(exp)?.find((r) => r.run.id === id) : undefined;
  }
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
    description: `${i.run_count} run${i.run_count === 1 ? '' : 's'}${i.last_run_time ? ` · last ${age(i.last_run_time, now)}` : ''}`,
    tooltip: `**${i.name}**\n\nCreated ${i.created_at}`,
    icon: 'beaker',
    contextValue: 'experiment',
    collapsible: true,
  };
}

/** Up to `max` metrics, preferring the usual headline ones. */
export function keyMetrics(metrics: Record<string, number>, max = 2): [string, number][] {
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
  const r = node.run;
  const style = STATUS_ICONS[r.status];
  const metrics = keyMetrics(r.metrics).map(([k, v]) => `${k}=${formatMetric(v)}`);
  const commit = r.git_commit ? `${r.git_commit.slice(0, 7)}${r.git_dirty ? '*' : ''}` : '';
  const allMetrics = Object.entries(r.metrics).map(([k, v]) => `| ${k} | ${formatMetric(v)} |`);
  return {
    id: `run:${r.id}`,
    label: r.name || r.id,
    description: [r.status === 'finished' ? '' : r.status, ...metrics, commit, age(r.start_time, now)].filter(Boolean).join(' · '),
    tooltip: [
      `**${r.name || r.id}** (${r.id}) — ${r.status}`,
      `Started ${r.start_time}${r.end_time ? `, ended ${r.end_time}` : ''}`,
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
  const fromSelection = (selection ?? []).filter((n): n is RunNode => n.kind === 'run').map((n) => n.run.id);
  if (fromSelection.length) return [...new Set(fromSelection)];
  return clicked?.kind === 'run' ? [clicked.run.id] : [];
}
