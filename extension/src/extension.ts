/**
 * Activation shell: registers every command, view and the webview serializer synchronously, then
 * returns. The core (daemon client, trees, zod schemas, language client: ~100 ms to load on a slow
 * machine) is a separate bundle, dist/extension-core.js, required right after activation in the
 * background; a command invoked earlier simply waits for it.
 */
import * as vscode from 'vscode';
import { type ViewDecl } from './shell/contrib';
import { ALL_COMMANDS, PANEL_VIEW_TYPES, VIEWS } from './shell/ids';
import { DelegatingTreeProvider } from './shell/delegating-tree';
import { type Core, type CoreModule, type ShellParts } from './shell/types';

let core: Promise<Core> | undefined;

export function activate(context: vscode.ExtensionContext): { activationMs: number; core: () => Promise<Core> } {
  const t0 = performance.now();
  const providers = new Map<string, DelegatingTreeProvider<unknown>>();
  const views = new Map<string, vscode.TreeView<unknown>>();
  for (const { id, canSelectMany } of VIEWS as readonly ViewDecl[]) {
    const provider = new DelegatingTreeProvider<unknown>();
    const view = vscode.window.createTreeView(id, { treeDataProvider: provider, showCollapseAll: true, canSelectMany: canSelectMany ?? false });
    providers.set(id, provider);
    views.set(id, view);
    context.subscriptions.push(provider, view);
  }
  let activationMs = 0;
  const shell: ShellParts = { views, providers, activationMs: () => activationMs };
  const load = (): Promise<Core> =>
    (core ??= new Promise<Core>((resolve, reject) => {
      setImmediate(() => {
        try {
          // A runtime path on purpose: esbuild must not inline the core into this bundle.
          // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy load of a sibling bundle
          const mod = require(context.asAbsolutePath('dist/extension-core.js')) as CoreModule;
          const c = mod.createCore(context, shell);
          context.subscriptions.push(c);
          resolve(c);
        } catch (e) {
          void vscode.window.showErrorMessage(`MLOps could not load: ${e instanceof Error ? e.message : String(e)}`);
          reject(e instanceof Error ? e : new Error(String(e)));
        }
      });
    }));
  for (const { id } of ALL_COMMANDS) {
    context.subscriptions.push(vscode.commands.registerCommand(id, async (...args: unknown[]) => (await load()).run(id, args)));
  }
  for (const viewType of PANEL_VIEW_TYPES) {
    context.subscriptions.push(
      vscode.window.registerWebviewPanelSerializer(viewType, {
        deserializeWebviewPanel: async (panel, state: unknown) => (await load()).restorePanel(panel, state),
      }),
    );
  }
  void load().catch(() => undefined);
  activationMs = performance.now() - t0;
  return { activationMs, core: load };
}

export function deactivate(): void {
  core = undefined;
}
