/**
 * Base of every dashboard webview: nonce CSP, resources limited to dist/webviews, a ready handshake
 * (nothing is posted before the page says it listens), and messages checked with the zod schemas
 * of schemas/src/webview.ts on the way in and on the way out.
 */
import * as vscode from 'vscode';
import {
  describeIssues,
  hostMessageSchema,
  webviewMessageSchema,
  type HostMessage,
  type WebviewKind,
  type WebviewMessage,
  WEBVIEW_BUNDLE,
} from '../../../schemas/src/webview';
import { type ShowableLog } from '../ui';
import { makeNonce, webviewShell } from './html';

export interface PanelEnv {
  extensionUri: vscode.Uri;
  log: ShowableLog;
}

/** Options for `createWebviewPanel` that every panel uses (also applied to restored panels). */
export function panelOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    retainContextWhenHidden: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webviews')],
  };
}

export abstract class BasePanel implements vscode.Disposable {
  private ready = false;
  private queue: HostMessage[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  protected disposed = false;

  protected constructor(
    readonly panel: vscode.WebviewPanel,
    protected readonly env: PanelEnv,
    readonly kind: WebviewKind,
  ) {
    const webview = panel.webview;
    webview.options = panelOptions(env.extensionUri);
    const asset = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(env.extensionUri, 'dist', 'webviews', name)).toString();
    webview.html = webviewShell({
      title: panel.title,
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: asset(WEBVIEW_BUNDLE),
      styleUris: [asset('webview.css')],
      body: `<main id="app" data-kind="${kind}"></main>`,
    });
    this.disposables.push(
      webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** Posts after the handshake; earlier messages wait in order. Invalid messages are a bug: logged, not sent. */
  protected post(message: HostMessage): void {
    const checked = hostMessageSchema.safeParse(message);
    if (!checked.success) {
      this.env.log.error(`${this.kind} webview: refusing to post an invalid message: ${describeIssues(checked.error)}`);
      return;
    }
    if (!this.ready) {
      this.queue.push(checked.data);
      return;
    }
    void this.panel.webview.postMessage(checked.data);
  }

  private receive(raw: unknown): void {
    const parsed = webviewMessageSchema.safeParse(raw);
    if (!parsed.success) {
      this.env.log.warn(`${this.kind} webview sent an invalid message, ignored: ${describeIssues(parsed.error)}`);
      return;
    }
    const msg = parsed.data;
    if (msg.type === 'ready') {
      this.ready = true;
      for (const m of this.queue.splice(0)) void this.panel.webview.postMessage(m);
      void this.onReady();
      return;
    }
    if (msg.type === 'log') {
      this.env.log[msg.level](`${this.kind} webview: ${msg.message}`);
      return;
    }
    this.onMessage(msg);
  }

  /** The page listens now (first load, or after it was reloaded). */
  protected abstract onReady(): void | Promise<void>;
  protected abstract onMessage(msg: WebviewMessage): void;

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
