/** The Datasets view: datasets → versions, updated from dataset events; snapshot and diff commands. */
import * as vscode from 'vscode';
import { type MlopsEvent } from '../../../schemas/src/api';
import { type DaemonClient } from '../../../client/src/client';
import { snapshotDataset, tracking } from '../experiments/api';
import { toTreeItem } from '../registry/tree';
import { runAction, type ShowableLog } from '../ui';
import { KeyedCoalescer } from '../util/coalesce';
import { errorMessage } from '../util/errors';
import { type CommandSink } from '../shell/types';
import { DatasetsTreeModel, datasetOfEvent, datasetVersionView, datasetView, diffMarkdown, type DatasetNode, type DatasetsNode, type DatasetVersionNode } from './model';

export class DatasetsFeature implements vscode.TreeDataProvider<DatasetsNode>, vscode.Disposable {
  readonly model = new DatasetsTreeModel();
  private readonly changed = new vscode.EventEmitter<DatasetsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly refresher: KeyedCoalescer;
  private loaded = false;

  constructor(
    private readonly client: () => Promise<DaemonClient>,
    private readonly log: ShowableLog,
  ) {
    this.refresher = new KeyedCoalescer((key, e) => this.log.warn(`could not refresh dataset ${key}: ${errorMessage(e)}`));
  }

  registerCommands(r: CommandSink): void {
    r('mlops.datasets.refresh', () => runAction(this.log, 'Refreshing datasets', () => this.reload()));
    r('mlops.snapshotDataset', (node?: DatasetNode) => this.snapshot(node?.name));
    r('mlops.datasets.diffPrevious', (node?: DatasetVersionNode) => (node ? this.diffPrevious(node) : undefined));
  }

  async reload(): Promise<void> {
    const c = await this.client();
    this.model.setDatasets((await tracking.datasets(c)).datasets);
    this.loaded = true;
    this.changed.fire(undefined);
  }

  handleEvent(ev: MlopsEvent): void {
    const name = datasetOfEvent(ev);
    if (!name || !this.loaded) return;
    void this.refresher.request(name, async () => {
      const c = await this.client();
      const [list, versions] = await Promise.all([
        tracking.datasets(c),
        this.model.versionsOf(name) ? tracking.datasetVersions(c, name) : Promise.resolve(undefined),
      ]);
      const rootChanged = this.model.setDatasets(list.datasets);
      if (versions) this.model.setVersions(name, versions.versions);
      this.changed.fire(rootChanged ? undefined : this.model.dataset(name));
    });
  }

  getTreeItem(node: DatasetsNode): vscode.TreeItem {
    return toTreeItem(node.kind === 'dataset' ? datasetView(node) : datasetVersionView(node));
  }

  async getChildren(node?: DatasetsNode): Promise<DatasetsNode[]> {
    if (!node) return this.model.roots();
    if (node.kind === 'datasetVersion') return [];
    if (!this.model.versionsOf(node.name)) {
      try {
        this.model.setVersions(node.name, (await tracking.datasetVersions(await this.client(), node.name)).versions);
      } catch (e) {
        this.log.warn(`could not list versions of ${node.name}: ${errorMessage(e)}`);
      }
    }
    return this.model.versionsOf(node.name) ?? [];
  }

  getParent(node: DatasetsNode): DatasetsNode | undefined {
    return node.kind === 'datasetVersion' ? this.model.dataset(node.dataset) : undefined;
  }

  private async snapshot(name?: string): Promise<void> {
    let target = name;
    if (!target) {
      const names = this.model.roots().filter((d) => d.info.configured);
      if (!names.length) {
        void vscode.window.showInformationMessage('No datasets are declared under "data:" in mlops.yaml.');
        return;
      }
      target = (await vscode.window.showQuickPick(names.map((d) => ({ label: d.name, description: d.info.paths.join(', ') })), { title: 'Snapshot dataset' }))?.label;
    }
    if (!target) return;
    const ds = target;
    const r = await runAction(this.log, `Snapshotting ${ds}`, async () => snapshotDataset(await this.client(), ds, 'vscode'));
    if (!r) return;
    const v = r.version;
    void vscode.window.showInformationMessage(
      r.created ? `${ds} v${v.version}: ${v.file_count} files (${r.hashed_files} hashed).` : `${ds} is unchanged since v${v.version}.`,
    );
  }

  private async diffPrevious(node: DatasetVersionNode): Promise<void> {
    const from = node.data.parent_version ?? node.data.version - 1;
    if (from < 1) {
      void vscode.window.showInformationMessage(`${node.dataset} v${node.data.version} is the first version.`);
      return;
    }
    const d = await runAction(this.log, `Comparing ${node.dataset} v${from} and v${node.data.version}`, async () =>
      tracking.datasetDiff(await this.client(), node.dataset, from, node.data.version),
    );
    if (!d) return;
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ language: 'markdown', content: diffMarkdown(d) }), { preview: true });
  }

  dispose(): void {
    this.changed.dispose();
  }
}
