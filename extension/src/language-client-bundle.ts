/**
 * Entry of dist/extension-lsp.js: vscode-languageclient and the LSP protocol code (~430 KB minified,
 * a third of everything the extension ships). extension-core.js requires this bundle only when the
 * language server is first needed (a mlops.yaml, Python file or notebook cell is open, or a command
 * asks the server), so a session that never opens one never loads it.
 */
import type * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

/** The part of LanguageClient the host uses. */
export interface LspClient {
  start(): Promise<void>;
  stop(): Promise<void>;
  isRunning(): boolean;
  sendRequest(method: string, params: unknown): Promise<unknown>;
}

export const DOCUMENT_SELECTOR: LanguageClientOptions['documentSelector'] = [
  { scheme: 'file', pattern: '**/mlops.yaml' },
  { scheme: 'file', language: 'python' },
  { notebook: '*', language: 'python' },
];

export function createLanguageClient(serverModule: string, mlopsYamlWatcher: vscode.FileSystemWatcher): LspClient {
  const run = { module: serverModule, transport: TransportKind.stdio };
  const serverOptions: ServerOptions = { run, debug: run };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    // The server pulls `mlops.pythonRules` with workspace/configuration; the section sync tells it when to pull again.
    synchronize: { fileEvents: mlopsYamlWatcher, configurationSection: 'mlops' },
    outputChannelName: 'MLOps Language Server',
  };
  return new LanguageClient('mlops', 'MLOps Language Server', serverOptions, clientOptions);
}
