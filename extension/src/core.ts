/**
 * Entry of dist/extension-core.js, loaded by the activation shell (extension.ts) right after
 * activation. Builds the one root object (Workbench) and routes the shell's commands to it.
 */
import type * as vscode from 'vscode';
import { type Core, type ShellParts } from './shell/types';
import { Workbench } from './workbench';

export function createCore(context: vscode.ExtensionContext, shell: ShellParts): Core {
  const workbench = new Workbench(context, shell);
  workbench.activate();
  return {
    run: (command, args) => workbench.run(command, args),
    restorePanel: (panel, state) => workbench.restorePanel(panel, state),
    dispose: () => workbench.dispose(),
  };
}
