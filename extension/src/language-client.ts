/**
 * Starts the MLOps language server (dist/language-server.js, stdio) for mlops.yaml, Python files and
 * Python notebook cells, when the first such document is open (or a command asks the server). The
 * client code is its own bundle, dist/extension-lsp.js (language-client-bundle.ts), loaded then.
 * Its disposables live in a session scope, reset on every restart.
 */
import * as vscode from 'vscode';
import type * as lspBundle from './language-client-bundle';
import { type ShowableLog } from './ui';
import { errorMessage } from './util/errors';
import { Scope } from './util/scope';

/** The documents the server serves (DOCUMENT_SELECTOR in the bundle), as VS Code matches text documents. */
const SERVED: vscode.DocumentSelector = [
  { scheme: 'file', pattern: '**/mlops.yaml' },
  { scheme: 'file', language: 'python' },
  { scheme: 'vscode-notebook-cell', language: 'python' },
];

export class LanguageClientHost implements vscode.Disposable {
  private client?: lspBundle.LspClient;
  private starting?: Promise<void>;
  private readonly session = new Scope();
  private readonly waiting = new Scope();

  constructor(
    private readonly paths: { serverModule: string; clientBundle: string },
    private readonly log: ShowableLog,
    /** The setting mlops.languageServer.enabled. */
    private readonly enabled: () => boolean,
  ) {}

  /** Starts the server now if a document it serves is open, otherwise when the first one opens. */
  startWhenNeeded(): void {
    const served = (d: vscode.TextDocument): boolean => vscode.languages.match(SERVED, d) > 0;
    if (vscode.workspace.textDocuments.some(served)) return void this.start();
    this.waiting.add(
      vscode.workspace.onDidOpenTextDocument((d) => {
        if (!served(d)) return;
        this.waiting.reset();
        void this.start();
      }),
    );
  }

  start(): Promise<void> {
    this.waiting.reset();
    return (this.starting = this.restart());
  }

  private async restart(): Promise<void> {
    await this.stop();
    try {
      // A runtime path on purpose: esbuild must not inline the client into extension-core.js.
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy load of a sibling bundle
      const bundle = require(this.paths.clientBundle) as typeof lspBundle;
      const client = bundle.createLanguageClient(this.paths.serverModule, this.session.add(vscode.workspace.createFileSystemWatcher('**/mlops.yaml')));
      this.client = client;
      this.session.add({ dispose: () => void client.stop().catch(() => undefined) });
      await client.start();
      this.log.info('language server started');
    } catch (e) {
      this.log.error(`the MLOps language server did not start: ${errorMessage(e)}`);
    }
  }

  /** A custom request to the server (e.g. `mlops/convertNotebook`), starting it if it was not needed yet; its answer is validated by the caller. */
  async request(method: string, params: unknown): Promise<unknown> {
    if (!this.client && this.enabled()) await (this.starting ?? this.start());
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
    this.waiting.dispose();
    void this.stop();
  }
}
