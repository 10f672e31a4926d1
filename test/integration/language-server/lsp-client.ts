/**
 * A minimal LSP client over a child process's stdio, for the integration tests and the benchmark.
 * It speaks real JSON-RPC (vscode-jsonrpc's stream reader/writer) to a real server process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  StreamMessageReader,
  StreamMessageWriter,
  createMessageConnection,
  type MessageConnection,
} from 'vscode-jsonrpc/node';

export interface PublishedDiagnostic {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  message: string;
  code?: string | number;
  severity?: number;
  source?: string;
}

interface Published {
  uri: string;
  version?: number;
  diagnostics: PublishedDiagnostic[];
}

type Waiter = { uri: string; accept: (p: Published) => boolean; done: (p: Published) => void };

export class LspClient {
  readonly conn: MessageConnection;
  private readonly proc: ChildProcess;
  private waiters: Waiter[] = [];
  readonly published: Published[] = [];
  stderr = '';

  constructor(command: string, args: string[], opts: { cwd?: string; settings?: Record<string, unknown> } = {}) {
    this.proc = spawn(command, args, { cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr?.on('data', (b: Buffer) => {
      this.stderr += b.toString();
    });
    const stdout = this.proc.stdout;
    const stdin = this.proc.stdin;
    if (!stdout || !stdin) throw new Error('server process has no stdio');
    this.conn = createMessageConnection(new StreamMessageReader(stdout), new StreamMessageWriter(stdin));
    this.conn.onNotification('textDocument/publishDiagnostics', (p: Published) => {
      this.published.push(p);
      this.waiters = this.waiters.filter((w) => {
        if (w.uri !== p.uri || !w.accept(p)) return true;
        w.done(p);
        return false;
      });
    });
    const settings = opts.settings ?? {};
    this.conn.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) =>
      p.items.map((i) => (i.section ? (settings[i.section] ?? null) : settings)),
    );
    this.conn.onRequest('client/registerCapability', () => null);
    this.conn.onRequest('window/workDoneProgress/create', () => null);
    this.conn.onNotification('window/logMessage', () => undefined);
    this.conn.onNotification('telemetry/event', () => undefined);
    this.conn.listen();
  }

  async initialize(rootUri: string | null): Promise<unknown> {
    const result = await this.conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri,
      workspaceFolders: rootUri ? [{ uri: rootUri, name: 'ws' }] : null,
      capabilities: {
        workspace: { configuration: true },
        textDocument: {
          publishDiagnostics: { versionSupport: true, relatedInformation: false },
          completion: { completionItem: { snippetSupport: false } },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          documentSymbol: { hierarchicalDocumentSymbolSupport: true },
        },
      },
    });
    await this.conn.sendNotification('initialized', {});
    return result;
  }

  /** Resolves with the next diagnostics for `uri` that `accept` takes (by default: any). */
  diagnostics(uri: string, accept: (p: Published) => boolean = () => true, timeoutMs = 20_000): Promise<Published> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri} within ${timeoutMs} ms\n${this.stderr}`)), timeoutMs);
      this.waiters.push({
        uri,
        accept,
        done: (p) => {
          clearTimeout(timer);
          resolve(p);
        },
      });
    });
  }

  open(uri: string, text: string, version = 1, languageId = 'yaml'): Promise<void> {
    return this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
  }

  /** Replaces a range (0-based lines/characters) with `text`. */
  edit(uri: string, version: number, range: PublishedDiagnostic['range'], text: string): Promise<void> {
    return this.conn.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [{ range, text }],
    });
  }

  replaceAll(uri: string, version: number, text: string): Promise<void> {
    return this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
  }

  request<T>(method: string, params: unknown): Promise<T> {
    return this.conn.sendRequest(method, params) as Promise<T>;
  }

  async stop(): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => this.proc.once('exit', (code) => resolve(code)));
    try {
      await Promise.race([this.conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
      await this.conn.sendNotification('exit');
    } catch {
      // The server may already be gone; the kill below settles it.
    }
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 3000);
    const code = await exited;
    clearTimeout(timer);
    this.conn.dispose();
    return code;
  }
}
