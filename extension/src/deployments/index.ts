/** The Deployments view (tree and commands) and the status bar item showing the Production endpoint. */
import * as vscode from 'vscode';
import { type ViewContext, type ViewFeature } from '../shared/view';
import { DeploymentsCommands } from './commands';
import { DEPLOYMENTS_VIEW } from './ids';
import { productionEndpoint } from './model';
import { DeploymentsTree } from './tree';

export function deploymentsView(ctx: ViewContext): ViewFeature<typeof DEPLOYMENTS_VIEW> {
  const tree = new DeploymentsTree(ctx);
  const status = vscode.window.createStatusBarItem('mlops.productionEndpoint', vscode.StatusBarAlignment.Left, 90);
  status.name = 'MLOps Production endpoint';
  const update = (): void => {
    const ep = productionEndpoint(tree.model.roots().map((n) => n.info));
    if (!ep) return status.hide();
    status.text = ep.text;
    status.tooltip = ep.tooltip;
    const node = tree.model.roots().find((n) => n.info.url === ep.url);
    status.command = { title: 'Copy URL', command: DEPLOYMENTS_VIEW.commands.copyUrl.id, arguments: [node] };
    status.show();
  };
  const sub = tree.onDidApply.on(() => update());
  const commands = new DeploymentsCommands(ctx, tree);
  tree.onAutoRollback = (ev) => void commands.notifyAutoRollback(ev);
  return {
    decl: DEPLOYMENTS_VIEW,
    tree,
    handlers: commands.handlers(),
    dispose: () => {
      sub.dispose();
      status.dispose();
      tree.dispose();
    },
  };
}
