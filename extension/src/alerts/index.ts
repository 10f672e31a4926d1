/** The Alerts view (tree, commands) and the notification shown when an alert opens. */
import * as vscode from 'vscode';
import { type ViewContext, type ViewFeature } from '../shared/view';
import { AlertsCommands } from './commands';
import { ALERTS_VIEW } from './ids';
import { notificationText } from './model';
import { AlertsTree } from './tree';

export function alertsView(ctx: ViewContext): ViewFeature<typeof ALERTS_VIEW> {
  const tree = new AlertsTree(ctx);
  const commands = new AlertsCommands(ctx, tree);
  const sub = tree.onOpened.on((alert) => {
    ctx.log.info(`alert opened: ${notificationText(alert)}`);
    void vscode.window.showWarningMessage(notificationText(alert), 'Open Dashboard', 'Roll Back').then((choice) => {
      if (choice === 'Open Dashboard') return commands.openFor(alert);
      if (choice === 'Roll Back') return commands.rollBack(alert);
      return undefined;
    });
  });
  return {
    decl: ALERTS_VIEW,
    tree,
    handlers: commands.handlers(),
    dispose: () => {
      sub.dispose();
      tree.dispose();
    },
  };
}
