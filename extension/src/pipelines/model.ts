/**
 * The Pipelines tree as plain data: one row per stage instance, in run order, with its state
 * (cached, stale and why, running, failed), and the graph the webview draws. No `vscode` import.
 */
import { type MlopsEvent } from '../../../schemas/src/api';
import { type PipelineStage, type PipelineStatus } from '../../../schemas/src/pipelines';
import { type PipelineGraph } from '../../../schemas/src/webview';
import { type ItemView } from '../shared/tree/item';
import { GroupedModel, type GroupNode } from '../shared/tree/model';

/** A stage row: the daemon's stage with `name` (= its instance id) and its place in run order. */
export interface StageRow extends PipelineStage {
  name: string;
  order: number;
}
export type StageNode = GroupNode<'pipelineStage', StageRow>;
export type PipelinesModel = GroupedModel<'pipelineStage', StageRow, 'none', never>;

export function pipelinesModel(): PipelinesModel {
  return new GroupedModel({ groupKind: 'pipelineStage', leafKind: 'none', groupOrder: (a, b) => a.order - b.order, leafOrder: () => 0 });
}

export function stageRows(status: PipelineStatus): StageRow[] {
  return status.stages.map((s, order) => ({ ...s, name: s.id, order }));
}

/** The single key every change refreshes under: any of these can change some stage's state. */
export const PIPELINE_KEY = 'pipeline';
const STATE_EVENTS = new Set(['run.created', 'run.updated', 'pipeline.triggered', 'dataset.version_created', 'dataset.checked_out']);

export function pipelineOfEvent(ev: Pick<MlopsEvent, 'kind'>): string | undefined {
  return STATE_EVENTS.has(ev.kind) ? PIPELINE_KEY : undefined;
}

const STATE_ICON: Record<PipelineStage['state'], [string, string]> = {
  cached: ['pass', 'testing.iconPassed'],
  stale: ['circle-large-outline', 'testing.iconQueued'],
  running: ['sync~spin', 'progressBar.background'],
  failed: ['error', 'testing.iconFailed'],
};
const KIND_NOTE: Record<PipelineStage['kind'], string> = { command: '', validate: 'validate · ', register: 'register · ', deploy: 'deploy · ' };

export function stageView(node: StageNode): ItemView {
  const s = node.info;
  const [icon, color] = STATE_ICON[s.state];
  const why = s.state === 'cached' ? '' : ` — ${s.reason}`;
  return {
    id: `pipelineStage:${s.id}`,
    label: s.id,
    description: `${KIND_NOTE[s.kind]}${s.state}${why}`,
    tooltip: [
      `**${s.id}** (${s.kind}): ${s.state}`,
      s.reason,
      s.needs.length ? `After: ${s.needs.join(', ')}` : 'Needs no other stage',
      s.log ? `Log: ${s.log}` : 'No log yet',
      s.run_id ? `Latest run: ${s.run_id}` : '',
    ]
      .filter(Boolean)
      .join('\n\n'),
    icon,
    iconColor: color,
    contextValue: `pipelineStage;${s.state};${s.log ? 'log' : 'nolog'}`,
    collapsible: false,
  };
}

/** What the webview draws: every stage, its state and edges, whether it has a log. */
export function pipelineGraph(status: PipelineStatus | undefined): PipelineGraph {
  return {
    nodes: (status?.stages ?? []).map((s) => ({ id: s.id, kind: s.kind, state: s.state, reason: s.reason, needs: s.needs, has_log: s.log !== null })),
    problems: status?.problems ?? [],
    running: status?.running ?? false,
  };
}
