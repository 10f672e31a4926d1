/** The pipeline DAG webview: one panel, fed from the Pipelines tree's last status, redrawn as it changes. */
import * as vscode from 'vscode';
import { type PipelineGraph, type WebviewMessage } from '../../../schemas/src/webview';
import { BasePanel, panelOptions, type PanelEnv } from '../webview/base-panel';

export const PIPELINE_VIEW_TYPE = 'mlops.pipeline';

export interface PipelinePanelEnv extends PanelEnv {
  graph(): PipelineGraph;
  openLog(stage: string): Promise<void>;
}

export class PipelinePanel extends BasePanel {
  private static current?: PipelinePanel;

  private constructor(
    panel: vscode.WebviewPanel,
    private readonly penv: PipelinePanelEnv,
  ) {
    super(panel, penv, 'pipeline');
  }

  static show(env: PipelinePanelEnv): PipelinePanel {
    const existing = PipelinePanel.current;
    if (existing && !existing.disposed) {
      existing.panel.reveal(vscode.ViewColumn.Active);
      existing.update();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(PIPELINE_VIEW_TYPE, 'Pipeline', vscode.ViewColumn.Active, panelOptions(env.extensionUri));
    return (PipelinePanel.current = new PipelinePanel(panel, env));
  }

  /** Redraws the open panel, if any (the tree calls it after each change). */
  static refresh(): void {
    const p = PipelinePanel.current;
    if (p && !p.disposed) p.update();
  }

  private update(): void {
    this.post({ type: 'pipeline', kind: 'pipeline', graph: this.penv.graph() });
  }

  protected onReady(): void {
    this.update();
  }

  protected onMessage(msg: WebviewMessage): void {
    if (msg.type === 'openLog') void this.penv.openLog(msg.stage);
    else if (msg.type === 'pipelineRendered') this.env.log.info(`Pipeline graph rendered ${msg.stages} stage(s) and ${msg.edges} edge(s)`);
  }

  override dispose(): void {
    if (PipelinePanel.current === this) PipelinePanel.current = undefined;
    super.dispose();
  }
}
