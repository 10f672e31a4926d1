/** The Run Comparison webview: params diff table and metric curves, for runs or model versions. */
import * as vscode from 'vscode';
import { webviewStateSchema, type ComparisonData, type ComparisonSource, type WebviewMessage } from '../../../schemas/src/webview';
import { errorMessage } from '../util/errors';
import { BasePanel, panelOptions, type PanelEnv } from '../webview/base-panel';

import { COMPARISON_VIEW_TYPE } from '../shell/ids';

export type { ComparisonSource };

export interface ComparisonEnv extends PanelEnv {
  load(source: ComparisonSource): Promise<ComparisonData>;
  revealRun(runId: string): Promise<void>;
  /** Told after each render (count of charts and table rows): logged, and used by the e2e suite. */
  onRendered?(charts: number, rows: number): void;
}

export class ComparisonPanel extends BasePanel {
  private static current?: ComparisonPanel;

  private constructor(
    panel: vscode.WebviewPanel,
    private readonly cenv: ComparisonEnv,
    private source: ComparisonSource,
    private cached?: ComparisonData,
  ) {
    super(panel, cenv, 'comparison');
  }

  /** Opens (or reuses) the panel for `source`. */
  static show(env: ComparisonEnv, source: ComparisonSource): ComparisonPanel {
    const existing = ComparisonPanel.current;
    if (existing && !existing.disposed) {
      existing.source = source;
      existing.panel.reveal(vscode.ViewColumn.Active);
      void existing.refresh('update');
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(COMPARISON_VIEW_TYPE, 'Run Comparison', vscode.ViewColumn.Active, panelOptions(env.extensionUri));
    return (ComparisonPanel.current = new ComparisonPanel(panel, env, source));
  }

  /** Restores a panel VS Code kept across a restart, from the state the webview saved. */
  static restore(env: ComparisonEnv, panel: vscode.WebviewPanel, state: unknown): void {
    const parsed = webviewStateSchema.safeParse(state);
    if (!parsed.success || parsed.data.kind !== 'comparison') {
      env.log.warn('dropping a Run Comparison panel whose saved state is unreadable');
      panel.dispose();
      return;
    }
    ComparisonPanel.current = new ComparisonPanel(panel, env, parsed.data.source, parsed.data.data);
  }

  protected onReady(): Promise<void> {
    return this.refresh('init');
  }

  private async refresh(type: 'init' | 'update'): Promise<void> {
    try {
      const data = await this.cenv.load(this.source);
      this.cached = data;
      this.panel.title = data.title.length > 60 ? `${data.title.slice(0, 57)}…` : data.title;
      this.post({ type, kind: 'comparison', data, source: this.source });
    } catch (e) {
      this.env.log.warn(`Run Comparison: ${errorMessage(e)}`);
      if (this.cached) this.post({ type, kind: 'comparison', data: this.cached, source: this.source });
      else this.post({ type: 'error', message: errorMessage(e) });
    }
  }

  protected onMessage(msg: WebviewMessage): void {
    if (msg.type === 'revealRun') void this.cenv.revealRun(msg.run_id);
    else if (msg.type === 'rendered') {
      this.env.log.info(`Run Comparison rendered ${msg.charts} chart(s) and ${msg.rows} row(s)`);
      this.cenv.onRendered?.(msg.charts, msg.rows);
    }
  }

  override dispose(): void {
    if (ComparisonPanel.current === this) ComparisonPanel.current = undefined;
    super.dispose();
  }
}
