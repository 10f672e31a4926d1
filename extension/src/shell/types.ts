/** What the activation shell hands to the core bundle, and what the core gives back. Types only. */
import type * as vscode from 'vscode';
import { type ViewId } from './ids';
import { type DelegatingTreeProvider } from './delegating-tree';

export type CommandHandler = (...args: never[]) => unknown;
/** Where features put their command handlers; the shell registered the ids already. */
export type CommandSink = (id: string, handler: CommandHandler) => void;

export interface ShellParts {
  views: Map<ViewId, vscode.TreeView<unknown>>;
  providers: Map<ViewId, DelegatingTreeProvider<unknown>>;
  /** Milliseconds activate() took, for the log. */
  activationMs(): number;
}

export interface Core extends vscode.Disposable {
  run(command: string, args: unknown[]): unknown;
  restorePanel(panel: vscode.WebviewPanel, state: unknown): void;
}

export interface CoreModule {
  createCore(context: vscode.ExtensionContext, shell: ShellParts): Core;
}
