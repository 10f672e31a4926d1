/**
 * The base of every tree view: a TreeDataProvider over a GroupedModel that loads a snapshot when the
 * daemon connects, applies daemon events by re-reading only the group they name (bursts coalesced
 * into one request at a time per group), loads a group's leaves when it is first expanded, reloads
 * when mlops.yaml changes, and re-renders every few seconds while visible so relative ages stay true.
 * A view supplies what to fetch and how a node looks (see docs/EXTENSION.md, "Adding a view").
 */
import * as vscode from 'vscode';
import { type MlopsEvent } from '../../../../schemas/src/api';
import { type DaemonClient } from '../../../../client/src/client';
import { KeyedCoalescer } from '../../util/coalesce';
import { Emitter } from '../../util/emitter';
import { errorMessage } from '../../util/errors';
import { type ShowableLog } from '../../ui';
import { type ItemView } from './item';
import { type GroupNode, type GroupedModel, type LeafNode } from './model';

/** What a view gets from the workbench: the daemon, the log. */
export interface TreeContext {
  client(): Promise<DaemonClient>;
  log: ShowableLog;
}

/** How often a visible view re-renders its rows (relative ages); no request is made. */
export const AGE_TICK_MS = 20_000;

export function toTreeItem(view: ItemView): vscode.TreeItem {
  const item = new vscode.TreeItem(view.label, view.collapsible ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
  item.id = view.id;
  item.description = view.description;
  item.tooltip = new vscode.MarkdownString(view.tooltip);
  item.contextValue = view.contextValue;
  item.iconPath = new vscode.ThemeIcon(view.icon, view.iconColor ? new vscode.ThemeColor(view.iconColor) : undefined);
  return item;
}

export abstract class GroupedTree<GK extends string, I extends { name: string }, LK extends string, D>
  implements vscode.TreeDataProvider<GroupNode<GK, I> | LeafNode<LK, D>>, vscode.Disposable
{
  /** Fired after a change lands: the group's name, or undefined after a full reload. */
  readonly onDidApply = new Emitter<string | undefined>();
  private readonly changed = new vscode.EventEmitter<GroupNode<GK, I> | LeafNode<LK, D> | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly refresher: KeyedCoalescer;
  private readonly subscriptions: vscode.Disposable[] = [];
  private ticker?: NodeJS.Timeout;
  private loaded = false;
  protected view?: vscode.TreeView<GroupNode<GK, I> | LeafNode<LK, D>>;

  protected constructor(
    readonly model: GroupedModel<GK, I, LK, D>,
    protected readonly ctx: TreeContext,
    /** What a group is called in log lines ("model", "experiment"). */
    private readonly noun: string,
  ) {
    this.refresher = new KeyedCoalescer((key, e) => this.ctx.log.warn(`could not refresh ${this.noun} ${key}: ${errorMessage(e)}`));
  }

  // ---- what each view supplies ----

  /** The groups (roots), from the daemon. */
  protected abstract fetchGroups(c: DaemonClient): Promise<readonly I[]>;
  /** One group's leaves, from the daemon. */
  protected abstract fetchLeaves(c: DaemonClient, group: string): Promise<readonly D[]>;
  /** The group a daemon event is about, if this view shows it. */
  protected abstract groupOfEvent(ev: MlopsEvent): string | undefined;
  protected abstract groupView(node: GroupNode<GK, I>, now: number): ItemView;
  protected abstract leafView(node: LeafNode<LK, D>, now: number): ItemView;

  // ---- shared behaviour ----

  get isLoaded(): boolean {
    return this.loaded;
  }

  /** The shell created the TreeView at activation; reveal, selection and visibility go through it. */
  attachView(view: vscode.TreeView<GroupNode<GK, I> | LeafNode<LK, D>>): void {
    this.view = view;
    this.subscriptions.push(view.onDidChangeVisibility((e) => this.tick(e.visible)));
    this.tick(view.visible);
  }

  /** Full reload: the groups now, leaves again when next expanded. */
  async reload(): Promise<void> {
    const c = await this.ctx.client();
    this.model.setGroups(await this.fetchGroups(c));
    this.model.clearLeaves();
    this.loaded = true;
    this.changed.fire(undefined);
    this.onDidApply.fire(undefined);
  }

  /** mlops.yaml changed: what the daemon lists may have changed with it. */
  onConfigChanged(): void {
    if (this.loaded) void this.reload().catch((e: unknown) => this.ctx.log.warn(`could not reload the ${this.noun}s: ${errorMessage(e)}`));
  }

  handleEvent(ev: MlopsEvent): void {
    const name = this.groupOfEvent(ev);
    if (name !== undefined) this.schedule(name, async () => this.refreshGroup(await this.ctx.client(), name));
  }

  /** Runs `work` for `key` at most once at a time (bursts collapse into one more run); only once loaded. */
  protected schedule(key: string, work: () => Promise<void>): void {
    if (this.loaded) void this.refresher.request(key, work);
  }

  /** Re-reads the group list and, when they are shown, the group's leaves; refreshes only that node. */
  protected async refreshGroup(c: DaemonClient, name: string): Promise<void> {
    const [groups, leaves] = await Promise.all([this.fetchGroups(c), this.model.leavesOf(name) ? this.fetchLeaves(c, name) : undefined]);
    const rootChanged = this.model.setGroups(groups);
    if (leaves) this.model.setLeaves(name, leaves);
    this.changed.fire(rootChanged ? undefined : this.model.group(name));
    this.onDidApply.fire(name);
  }

  /** Tells VS Code that `node` (or everything) changed. */
  protected fire(node?: GroupNode<GK, I>): void {
    this.changed.fire(node);
  }

  getTreeItem(node: GroupNode<GK, I> | LeafNode<LK, D>): vscode.TreeItem {
    const now = Date.now();
    return toTreeItem(node.kind === this.groupKind ? this.groupView(node as GroupNode<GK, I>, now) : this.leafView(node as LeafNode<LK, D>, now));
  }

  async getChildren(node?: GroupNode<GK, I> | LeafNode<LK, D>): Promise<(GroupNode<GK, I> | LeafNode<LK, D>)[]> {
    if (!node) return this.model.roots();
    if (node.kind !== this.groupKind) return [];
    const name = (node as GroupNode<GK, I>).name;
    const known = this.model.leavesOf(name);
    if (known) return known;
    try {
      this.model.setLeaves(name, await this.fetchLeaves(await this.ctx.client(), name));
    } catch (e) {
      this.ctx.log.warn(`could not list the contents of ${this.noun} ${name}: ${errorMessage(e)}`);
    }
    return this.model.leavesOf(name) ?? [];
  }

  getParent(node: GroupNode<GK, I> | LeafNode<LK, D>): GroupNode<GK, I> | undefined {
    return node.kind === this.groupKind ? undefined : this.model.group((node as LeafNode<LK, D>).parent);
  }

  private get groupKind(): string {
    return this.model.kinds.group;
  }

  /** While visible, re-render every AGE_TICK_MS from the cached data, so "6 min ago" stays true. */
  private tick(visible: boolean): void {
    clearInterval(this.ticker);
    this.ticker = visible ? setInterval(() => this.changed.fire(undefined), AGE_TICK_MS) : undefined;
  }

  dispose(): void {
    clearInterval(this.ticker);
    for (const s of this.subscriptions.splice(0)) s.dispose();
    this.changed.dispose();
    this.onDidApply.clear();
  }
}
