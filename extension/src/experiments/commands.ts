/** Experiments commands: Compare Runs (multi-selection), Show Run, and Reveal Run for other views. */
import * as vscode from 'vscode';
import { type RunDetail } from '../../../schemas/src/tracking';
import { runAction } from '../ui';
import { type Handlers } from '../shell/contrib';
import { localTime } from '../shared/tree/item';
import { type ViewContext } from '../shared/view';
import { tracking } from './api';
import { type EXPERIMENTS_VIEW } from './ids';
import { selectedRunIds, type ExperimentsNode, type RunNode } from './model';
import { type ExperimentsTree } from './tree';

export class ExperimentsCommands {
  constructor(
    private readonly ctx: ViewContext,
    private readonly tree: ExperimentsTree,
  ) {}

  handlers(): Handlers<typeof EXPERIMENTS_VIEW.commands> {
    return {
      refresh: () => runAction(this.ctx.log, 'Refreshing experiments', () => this.tree.reload()),
      compare: (clicked?: ExperimentsNode, selection?: ExperimentsNode[]) => this.compareSelected(clicked, selection),
      showRun: (node?: RunNode) => (node ? this.showRun(node.data.id) : undefined),
      revealRun: (id?: string) => (typeof id === 'string' ? this.revealRun(id) : undefined),
    };
  }

  private async compareSelected(clicked?: ExperimentsNode, selection?: readonly ExperimentsNode[]): Promise<void> {
    const ids = selectedRunIds(clicked, selection ?? this.tree.selection);
    if (ids.length < 2) {
      void vscode.window.showInformationMessage('Select two or more runs (Ctrl/Cmd+click) in the Experiments view, then choose "Compare Runs".');
      return;
    }
    await this.ctx.compare({ type: 'runs', ids });
  }

  /** Reveals a run in the view (loading its experiment), then shows its details. */
  private async revealRun(id: string): Promise<void> {
    const run = await runAction(this.ctx.log, `Finding run ${id}`, async () => {
      const detail = await tracking.run(await this.ctx.client(), id);
      await this.tree.reveal(id, detail.experiment);
      return detail;
    });
    if (run) await this.ctx.showDocument(`runs/${run.id}.md`, runMarkdown(run));
  }

  private async showRun(id: string): Promise<void> {
    const r = await runAction(this.ctx.log, `Reading run ${id}`, async () => tracking.run(await this.ctx.client(), id));
    if (r) await this.ctx.showDocument(`runs/${r.id}.md`, runMarkdown(r));
  }
}

export function runMarkdown(r: RunDetail): string {
  const rows = (o: Record<string, unknown>) => Object.entries(o).map(([k, v]) => `| ${k} | ${String(JSON.stringify(v)).replace(/\|/g, '\\|')} |`);
  return [
    `# Run ${r.name || r.id} (${r.id})`,
    '',
    `- Experiment: ${r.experiment}`,
    `- Status: ${r.status}${r.exit_code !== null ? ` (exit ${r.exit_code})` : ''}`,
    `- Started: ${localTime(r.start_time)}${r.end_time ? ` · ended ${localTime(r.end_time)}` : ''}`,
    `- Git: ${r.git.commit ?? 'none'}${r.git.dirty ? ' (dirty)' : ''}${r.git.branch ? ` on ${r.git.branch}` : ''}`,
    `- Command: \`${r.command.join(' ')}\``,
    '',
    '## Params',
    '| param | value |',
    '|---|---|',
    ...rows(r.params),
    '',
    '## Metrics (last)',
    '| metric | value |',
    '|---|---|',
    ...rows(r.metrics),
    '',
  ].join('\n');
}
