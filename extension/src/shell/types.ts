/** What the activation shell hands to the core bundle, and what the core gives back. Types only. */
import type * as vscode from 'vscode';
import { type DelegatingTreeProvider } from './delegating-tree';

export interface ShellParts {
  /** By view id. */
  views: Map<string, vscode.TreeView<unknown>>;
  providers: Map<string, DelegatingTreeProvider<unknown>>;
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
