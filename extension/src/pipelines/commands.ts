/** Pipelines commands: Run Pipeline, Run Stage (node or picked), Open Stage Log, Show Pipeline Graph, Refresh. */
import * as vscode from 'vscode';
import { join } from 'node:path';
import { runAction } from '../ui';
import { type Handlers } from '../shell/contrib';
import { type ViewContext } from '../shared/view';
import { pipelinesApi } from './api';
import { type PIPELINES_VIEW } from './ids';
import { pipelineGraph, type StageNode } from './model';
import { type PipelinesTree } from './tree';
import { PipelinePanel } from './webview';

export class PipelinesCommands {
  constructor(
    private readonly ctx: ViewContext,
    private readonly tree: PipelinesTree,
  ) {}

  handlers(): Handlers<typeof PIPELINES_VIEW.commands> {
    return {
      run: () => this.run([]),
      runStage: async (node?: StageNode) => {
        const stage = node?.info.id ?? (await this.pickStage());
        if (stage) await this.run([stage]);
      },
      openLog: (node?: StageNode) => (node ? this.openLog(node.info.id) : undefined),
      showGraph: () => this.showGraph(),
      refresh: () => runAction(this.ctx.log, 'Refreshing the pipeline', () => this.tree.reload()),
    };
  }

  private async pickStage(): Promise<string | undefined> {
    const stages = this.tree.model.roots();
    if (!stages.length) {
      void vscode.window.showInformationMessage('mlops.yaml declares no stages under pipeline.stages.');
      return undefined;
    }
    const items = stages.map((s) => ({ label: s.info.id, description: `${s.info.state}${s.info.state === 'cached' ? '' : `: ${s.info.reason}`}` }));
    return (await vscode.window.showQuickPick(items, { title: 'Run Stage (with what it needs)' }))?.label;
  }

  /** Asks the daemon to run; states then follow its events. */
  private async run(stages: string[]): Promise<void> {
    const what = stages.length ? `stage ${stages.join(', ')}` : 'the pipeline';
    const r = await runAction(this.ctx.log, `Starting ${what}`, async () => pipelinesApi.run(await this.ctx.client(), stages));
    if (!r) return;
    this.ctx.log.info(`started ${what}${r.queued ? ' (after the pipeline running now)' : ''}: ${r.reason}`);
    void vscode.window.setStatusBarMessage(`MLOps: ${r.queued ? 'queued' : 'running'} ${what}`, 5000);
    this.tree.refreshSoon();
  }

  async openLog(id: string): Promise<void> {
    const status = this.tree.status;
    const stage = status?.stages.find((s) => s.id === id);
    if (!status || !stage?.log) {
      void vscode.window.showInformationMessage(`Stage ${id} has no log yet: it has not run here.`);
      return;
    }
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(join(status.root, stage.log)));
    await vscode.window.showTextDocument(doc, { preview: true });
  }

  private showGraph(): void {
    PipelinePanel.show({ extensionUri: this.ctx.extensionUri, log: this.ctx.log, graph: () => pipelineGraph(this.tree.status), openLog: (id) => this.openLog(id) });
    if (!this.tree.isLoaded) this.tree.refreshSoon();
  }
}
