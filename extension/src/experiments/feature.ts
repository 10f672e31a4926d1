/** The Experiments view: experiments → runs, updated from run events; multi-select runs to compare them. */
import * as vscode from 'vscode';
import { type MlopsEvent } from '../../../schemas/src/api';
import { type DaemonClient } from '../../../client/src/client';
import { toTreeItem } from '../registry/tree';
import { runAction, type ShowableLog } from '../ui';
import { KeyedCoalescer } from '../util/coalesce';
import { Emitter } from '../util/emitter';
import { errorMessage } from '../util/errors';
import { type CommandSink } from '../shell/types';
import { tracking } from './api';
import { ExperimentsTreeModel, experimentView, runOfEvent, runView, selectedRunIds, type ExperimentsNode, type RunNode } from './model';

export class ExperimentsFeature implements vscode.TreeDataProvider<ExperimentsNode>, vscode.Disposable {
  readonly model = new ExperimentsTreeModel();
  readonly onDidApply = new Emitter<string | undefined>();
  private readonly changed = new vscode.EventEmitter<ExperimentsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly refresher: KeyedCoalescer;
  private view?: vscode.TreeView<ExperimentsNode>;
  private loaded = false;

  constructor(
    private readonly client: () => Promise<DaemonClient>,
    private readonly log: ShowableLog,
    private readonly compare: (ids: string[]) => Promise<void>,
  ) {
    this.refresher = new KeyedCoalescer((key, e) => this.log.warn(`could not refresh experiment ${key}: ${errorMessage(e)}`));
  }

  /** The shell created the view (multi-select) at activation; reveal and selection go through it. */
  attachView(view: vscode.TreeView<ExperimentsNode>): void {
    this.view = view;
  }

  registerCommands(r: CommandSink): void {
    r('mlops.experiments.refresh', () => runAction(this.log, 'Refreshing experiments', () => this.reload()));
    r('mlops.experiments.compare', (clicked?: ExperimentsNode, selection?: ExperimentsNode[]) =>
      this.compareSelected(clicked, selection),
    );
    r('mlops.experiments.showRun', (node?: RunNode) => (node ? this.showRun(node.run.id) : undefined));
  }

  async reload(): Promise<void> {
    const c = await this.client();
    this.model.setExperiments((await tracking.experiments(c)).experiments);
    this.loaded = true;
    this.changed.fire(undefined);
    this.onDidApply.fire(undefined);
  }

  handleEvent(ev: MlopsEvent): void {
    const run = runOfEvent(ev);
    if (!run || !this.loaded) return;
    if (run.experiment) this.model.noteRun(run.id, run.experiment);
    const known = this.model.experimentOfRun(run.id);
    const key = known ?? `?${run.id}`;
    void this.refresher.request(key, async () => {
      const c = await this.client();
      const experiment = known ?? (await tracking.run(c, run.id)).experiment;
      this.model.noteRun(run.id, experiment);
      await this.refreshExperiment(c, experiment);
    });
  }

  /** Re-reads one experiment's summary and (when they were shown) its runs; refreshes only that node. */
  private async refreshExperiment(c: DaemonClient, name: string): Promise<void> {
    const [list, runs] = await Promise.all([
      tracking.experiments(c),
      this.model.runsOf(name) ? tracking.runs(c, name) : Promise.resolve(undefined),
    ]);
    const rootChanged = this.model.setExperiments(list.experiments);
    if (runs) this.model.setRuns(name, runs.runs);
    this.changed.fire(rootChanged ? undefined : this.model.experiment(name));
    this.onDidApply.fire(name);
  }

  getTreeItem(node: ExperimentsNode): vscode.TreeItem {
    // No click command on runs: clicking selects them for "Compare Runs"; details are in the context menu.
    return toTreeItem(node.kind === 'experiment' ? experimentView(node) : runView(node));
  }

  async getChildren(node?: ExperimentsNode): Promise<ExperimentsNode[]> {
    if (!node) return this.model.roots();
    if (node.kind === 'run') return [];
    const known = this.model.runsOf(node.name);
    if (known) return known;
    try {
      this.model.setRuns(node.name, (await tracking.runs(await this.client(), node.name)).runs);
    } catch (e) {
      this.log.warn(`could not list runs of ${node.name}: ${errorMessage(e)}`);
    }
    return this.model.runsOf(node.name) ?? [];
  }

  getParent(node: ExperimentsNode): ExperimentsNode | undefined {
    return node.kind === 'run' ? this.model.experiment(node.experiment) : undefined;
  }

  private async compareSelected(clicked?: ExperimentsNode, selection?: readonly ExperimentsNode[]): Promise<void> {
    const ids = selectedRunIds(clicked, selection ?? this.view?.selection);
    if (ids.length < 2) {
      void vscode.window.showInformationMessage('Select two or more runs (Ctrl/Cmd+click) in the Experiments view, then choose "Compare Runs".');
      return;
    }
    await this.compare(ids);
  }

  /** Reveals a run in the view (loading its experiment), then shows its details. */
  async revealRun(id: string): Promise<void> {
    const shown = await runAction(this.log, `Finding run ${id}`, async () => {
      const c = await this.client();
      const detail = await tracking.run(c, id);
      if (!this.model.experiment(detail.experiment)) await this.reload();
      this.model.setRuns(detail.experiment, (await tracking.runs(c, detail.experiment)).runs);
      this.changed.fire(this.model.experiment(detail.experiment));
      return this.model.findRun(id);
    });
    if (shown && this.view) await this.view.reveal(shown, { select: true, focus: true, expand: true });
    await this.showRun(id);
  }

  private async showRun(id: string): Promise<void> {
    const r = await runAction(this.log, `Reading run ${id}`, async () => tracking.run(await this.client(), id));
    if (!r) return;
    const rows = (o: Record<string, unknown>) => Object.entries(o).map(([k, v]) => `| ${k} | ${String(JSON.stringify(v)).replace(/\|/g, '\\|')} |`);
    const content = [
      `# Run ${r.name || r.id} (${r.id})`,
      '',
      `- Experiment: ${r.experiment}`,
      `- Status: ${r.status}${r.exit_code !== null ? ` (exit ${r.exit_code})` : ''}`,
      `- Started: ${r.start_time}${r.end_time ? ` · ended ${r.end_time}` : ''}`,
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
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ language: 'markdown', content }), { preview: true });
  }

  dispose(): void {
    this.changed.dispose();
    this.onDidApply.clear();
  }
}
