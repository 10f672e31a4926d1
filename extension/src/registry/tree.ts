/**
 * The Model Registry view. Loads a snapshot when the daemon connects; afterwards each daemon event
 * re-reads only the model it names (one HTTP request, no process) and refreshes only that node.
 */
import * as vscode from 'vscode';
import { type MlopsEvent } from '../../../schemas/src/api';
import { ApiError, type DaemonClient } from '../../../client/src/client';
import { type Logger } from '../util/logger';
import { errorMessage } from '../util/errors';
import { KeyedCoalescer } from '../util/coalesce';
import { Emitter } from '../util/emitter';
import { RegistryTreeModel, modelOfEvent, modelView, versionView, type ItemView, type ModelNode, type RegistryNode } from './model';
import * as endpoints from '../../../schemas/src/endpoints';

export function toTreeItem(view: ItemView): vscode.TreeItem {
  const item = new vscode.TreeItem(
    view.label,
    view.collapsible ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
  );
  item.id = view.id;
  item.description = view.description;
  item.tooltip = new vscode.MarkdownString(view.tooltip);
  item.contextValue = view.contextValue;
  item.iconPath = new vscode.ThemeIcon(view.icon, view.iconColor ? new vscode.ThemeColor(view.iconColor) : undefined);
  return item;
}

export class RegistryTreeProvider implements vscode.TreeDataProvider<RegistryNode>, vscode.Disposable {
  readonly model = new RegistryTreeModel();
  /** Fired after any change lands, with the model name (or undefined for a full reload). */
  readonly onDidApply = new Emitter<string | undefined>();
  private readonly changed = new vscode.EventEmitter<RegistryNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly refresher: KeyedCoalescer;
  private loaded = false;

  constructor(
    private readonly client: () => Promise<DaemonClient>,
    private readonly log: Logger,
  ) {
    this.refresher = new KeyedCoalescer((name, e) => this.log.warn(`could not refresh model ${name}: ${errorMessage(e)}`));
  }

  get isLoaded(): boolean {
    return this.loaded;
  }

  async reload(): Promise<void> {
    const c = await this.client();
    this.model.load(await c.allModels());
    this.loaded = true;
    this.changed.fire(undefined);
    this.onDidApply.fire(undefined);
  }

  /** Applies one daemon event: re-reads the named model, coalescing bursts into one request at a time. */
  handleEvent(ev: MlopsEvent): void {
    const name = modelOfEvent(ev);
    if (!name || !this.loaded) return;
    void this.refresher.request(name, () => this.refreshModel(name));
  }

  private async refreshModel(name: string): Promise<void> {
    const c = await this.client();
    let fresh;
    try {
      fresh = await c.request(endpoints.getModel, { params: { name }, query: { limit: 1000 } });
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) {
        if (this.model.removeModel(name)) this.changed.fire(undefined);
        this.onDidApply.fire(name);
        return;
      }
      throw e;
    }
    const { refresh } = this.model.setModel(fresh.model, fresh.versions);
    this.changed.fire(refresh);
    this.onDidApply.fire(name);
  }

  getTreeItem(node: RegistryNode): vscode.TreeItem {
    return toTreeItem(node.kind === 'model' ? modelView(node) : versionView(node));
  }

  async getChildren(node?: RegistryNode): Promise<RegistryNode[]> {
    if (!node) return this.model.roots();
    if (node.kind === 'version') return [];
    const known = this.model.versionsOf(node.name);
    if (known) return known;
    try {
      const c = await this.client();
      const fresh = await c.request(endpoints.getModel, { params: { name: node.name }, query: { limit: 1000 } });
      this.model.setModel(fresh.model, fresh.versions);
      return this.model.versionsOf(node.name) ?? [];
    } catch (e) {
      this.log.warn(`could not list versions of ${node.name}: ${errorMessage(e)}`);
      return [];
    }
  }

  getParent(node: RegistryNode): ModelNode | undefined {
    return node.kind === 'version' ? this.model.model(node.model) : undefined;
  }

  dispose(): void {
    this.changed.dispose();
    this.onDidApply.clear();
  }
}
