/** Datasets commands: Snapshot Dataset (node or picked) and Diff with Previous Version. */
import * as vscode from 'vscode';
import { runAction } from '../ui';
import { execute } from '../shell/execute';
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
      compareReference: (node?: DatasetVersionNode) => (node ? this.compareReference(node) : undefined),
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

  /**
   * Drift of this version against a reference version picked from the dataset's own earlier versions
   * and its declared reference dataset's; the default (first) is what mlops.yaml declares, else the previous version.
   */
  private async compareReference(node: DatasetVersionNode): Promise<void> {
    const name = node.parent;
    const declared = this.ctx.config()?.data[name]?.reference;
    const refName = declared?.split('@')[0];
    const others = refName && refName !== name ? await runAction(this.ctx.log, `Reading ${refName} versions`, async () => (await datasetsApi.versions(await this.ctx.client(), refName)).versions) : [];
    const own = this.tree.model.leavesOf(name) ?? [];
    const items = [
      ...(declared ? [{ label: declared, description: `data.${name}.reference in mlops.yaml`, ref: declared }] : []),
      ...(others ?? []).map((v) => ({ label: `${v.dataset}@${v.version}`, description: v.reason, ref: `${v.dataset}@${v.version}` })),
      ...own.filter((l) => l.data.version !== node.data.version).map((l) => ({ label: `${name}@${l.data.version}`, description: l.data.reason, ref: `${name}@${l.data.version}` })),
    ];
    if (!items.length) {
      void vscode.window.showInformationMessage(`${name} v${node.data.version} has nothing to compare with: snapshot another version or set data.${name}.reference in mlops.yaml.`);
      return;
    }
    const picked = await vscode.window.showQuickPick(items, { title: `Compare ${name} v${node.data.version} with…`, placeHolder: 'Reference version' });
    if (picked) await execute('mlops.openDriftDashboard', { dataset: name, version: node.data.version, reference: picked.ref });
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
