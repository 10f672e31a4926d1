/** Datasets commands: Snapshot Dataset (node or picked) and Diff with Previous Version. */
import * as vscode from 'vscode';
import { runAction } from '../ui';
import { type Handlers } from '../shell/contrib';
import { plural } from '../shared/tree/item';
import { type ViewContext } from '../shared/view';
import { datasetsApi, snapshotDataset } from './api';
import { type DATASETS_VIEW } from './ids';
import { diffMarkdown, type DatasetNode, type DatasetVersionNode } from './model';
import { type DatasetsTree } from './tree';

export class DatasetsCommands {
  constructor(
    private readonly ctx: ViewContext,
    private readonly tree: DatasetsTree,
  ) {}

  handlers(): Handlers<typeof DATASETS_VIEW.commands> {
    return {
      refresh: () => runAction(this.ctx.log, 'Refreshing datasets', () => this.tree.reload()),
      snapshot: (node?: DatasetNode) => this.snapshot(node?.name),
      diffPrevious: (node?: DatasetVersionNode) => (node ? this.diffPrevious(node) : undefined),
    };
  }

  private async snapshot(name?: string): Promise<void> {
    let target = name;
    if (!target) {
      const names = this.tree.model.roots().filter((d) => d.info.configured);
      if (!names.length) {
        void vscode.window.showInformationMessage('No datasets are declared under "data:" in mlops.yaml.');
        return;
      }
      target = (await vscode.window.showQuickPick(names.map((d) => ({ label: d.name, description: d.info.paths.join(', ') })), { title: 'Snapshot dataset' }))?.label;
    }
    if (!target) return;
    const ds = target;
    const r = await runAction(this.ctx.log, `Snapshotting ${ds}`, async () => snapshotDataset(await this.ctx.client(), ds, 'vscode'));
    if (!r) return;
    const v = r.version;
    void vscode.window.showInformationMessage(
      r.created ? `${ds} v${v.version}: ${plural(v.file_count, 'file')} (${r.hashed_files} hashed).` : `${ds} is unchanged since v${v.version}.`,
    );
  }

  private async diffPrevious(node: DatasetVersionNode): Promise<void> {
    const from = node.data.parent_version ?? node.data.version - 1;
    if (from < 1) {
      void vscode.window.showInformationMessage(`${node.parent} v${node.data.version} is the first version.`);
      return;
    }
    const d = await runAction(this.ctx.log, `Comparing ${node.parent} v${from} and v${node.data.version}`, async () =>
      datasetsApi.diff(await this.ctx.client(), node.parent, from, node.data.version),
    );
    if (d) await this.ctx.showDocument(`datasets/${node.parent}/v${from}-v${node.data.version}.md`, diffMarkdown(d));
  }
}
