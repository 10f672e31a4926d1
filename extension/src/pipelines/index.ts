/**
 * The Pipelines view: the tree, its commands, and the DAG webview. Besides daemon events, a saved
 * file or a rewritten mlops.lock (a run by hand in a terminal) re-decides the stages, so the view
 * never shows a stage cached that an edit made stale.
 */
import * as vscode from 'vscode';
import { type ViewContext, type ViewFeature } from '../shared/view';
import { PipelinesCommands } from './commands';
import { PIPELINES_VIEW } from './ids';
import { PipelinesTree } from './tree';
import { PipelinePanel } from './webview';

export function pipelinesView(ctx: ViewContext): ViewFeature<typeof PIPELINES_VIEW> {
  const tree = new PipelinesTree(ctx);
  const lock = vscode.workspace.createFileSystemWatcher('**/mlops.lock');
  const subs: vscode.Disposable[] = [
    lock,
    lock.onDidChange(() => tree.refreshSoon()),
    lock.onDidCreate(() => tree.refreshSoon()),
    lock.onDidDelete(() => tree.refreshSoon()),
    vscode.workspace.onDidSaveTextDocument(() => tree.refreshSoon()),
  ];
  const applied = tree.onDidApply.on(() => PipelinePanel.refresh());
  return {
    decl: PIPELINES_VIEW,
    tree,
    handlers: new PipelinesCommands(ctx, tree).handlers(),
    dispose: () => {
      applied.dispose();
      for (const s of subs) s.dispose();
      tree.dispose();
    },
  };
}
