/** The status bar item: daemon state and each model's Production version; click shows details. */
import * as vscode from 'vscode';
import { statusView } from './status-model';
import { type DaemonState } from './supervisor';

export const SHOW_DETAILS_COMMAND = 'mlops.showDaemonDetails';

export class DaemonStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('mlops.daemon', vscode.StatusBarAlignment.Left, 50);
  private state: DaemonState = { kind: 'stopped' };
  private production: { model: string; version: number | null }[] = [];

  constructor(private readonly showVersions: () => boolean) {
    this.item.name = 'MLOps Daemon';
    this.item.command = SHOW_DETAILS_COMMAND;
    this.render();
    this.item.show();
  }

  setState(state: DaemonState): void {
    this.state = state;
    this.render();
  }

  setProduction(production: { model: string; version: number | null }[]): void {
    this.production = production;
    this.render();
  }

  private render(): void {
    const v = statusView(this.state, this.production, this.showVersions());
    this.item.text = v.text;
    this.item.tooltip = v.tooltip;
    this.item.backgroundColor =
      v.severity === 'normal' ? undefined : new vscode.ThemeColor(v.severity === 'error' ? 'statusBarItem.errorBackground' : 'statusBarItem.warningBackground');
  }

  dispose(): void {
    this.item.dispose();
  }
}
