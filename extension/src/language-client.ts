/**
 * Starts the MLOps language server (dist/language-server.js, stdio) for mlops.yaml, Python files and
 * Python notebook cells. Its disposables live in a session scope, reset on every restart.
 */
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { type ShowableLog } from './ui';
import { errorMessage } from './util/errors';
import { Scope } from './util/scope';

export const DOCUMENT_SELECTOR: LanguageClientOptions['documentSelector'] = [
  { scheme: 'file', pattern: '**/mlops.yaml' },
  { scheme: 'file', language: 'python' },
  { notebook: '*', language: 'python' },
];

export class LanguageClientHost implements vscode.Disposable {
  private client?: LanguageClient;
  private readonly session = new Scope();

  constructor(
    private readonly serverModule: string,
    private readonly log: ShowableLog,
  ) {}

  async start(): Promise<void> {
    await this.stop();
    const run = { module: this.serverModule, transport: TransportKind.stdio };
    const serverOptions: ServerOptions = { run, debug: run };
    const clientOptions: LanguageClientOptions = {
      documentSelector: DOCUMENT_SELECTOR,
      // The server pulls `mlops.pythonRules` with workspace/configuration; the section sync tells it when to pull again.
      synchronize: {
        fileEvents: this.session.add(vscode.workspace.createFileSystemWatcher('**/mlops.yaml')),
        configurationSection: 'mlops',
      },
      outputChannelName: 'MLOps Language Server',
    };
    const client = new LanguageClient('mlops', 'MLOps Language Server', serverOptions, clientOptions);
    this.client = client;
    this.session.add({ dispose: () => void client.stop().catch(() => undefined) });
    try {
      await client.start();
      this.log.info('language server started');
    } catch (e) {
      this.log.error(`the MLOps language server did not start: ${errorMessage(e)}`);
    }
  }

  /** A custom request to the server (e.g. `mlops/convertNotebook`); its answer is validated by the caller. */
  async request(method: string, params: unknown): Promise<unknown> {
    const c = this.client;
    if (!c?.isRunning()) throw new Error('the MLOps language server is not running (see the setting mlops.languageServer.enabled)');
    return c.sendRequest(method, params);
  }

  async stop(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c?.isRunning()) await c.stop().catch(() => undefined);
    this.session.reset();
  }

  dispose(): void {
    void this.stop();
  }
}
