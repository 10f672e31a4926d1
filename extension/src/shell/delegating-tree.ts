/**
 * A tree provider that forwards to the real one once the core bundle has loaded. The shell creates
 * the tree views with it during activation; until the core arrives the views are simply empty.
 */
import * as vscode from 'vscode';

export class DelegatingTreeProvider<T> implements vscode.TreeDataProvider<T>, vscode.Disposable {
  private target?: vscode.TreeDataProvider<T>;
  private sub?: vscode.Disposable;
  private readonly changed = new vscode.EventEmitter<T | T[] | undefined | null | void>();
  readonly onDidChangeTreeData = this.changed.event;

  setTarget(target: vscode.TreeDataProvider<T>): void {
    this.sub?.dispose();
    this.target = target;
    this.sub = target.onDidChangeTreeData?.((e) => this.changed.fire(e));
    this.changed.fire(undefined);
  }

  getTreeItem(element: T): vscode.TreeItem | Thenable<vscode.TreeItem> {
    if (!this.target) throw new Error('MLOps is still loading');
    return this.target.getTreeItem(element);
  }

  getChildren(element?: T): vscode.ProviderResult<T[]> {
    return this.target ? this.target.getChildren(element) : [];
  }

  getParent(element: T): vscode.ProviderResult<T> {
    return this.target?.getParent?.(element);
  }

  dispose(): void {
    this.sub?.dispose();
    this.changed.dispose();
  }
}
