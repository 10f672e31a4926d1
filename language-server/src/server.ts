/**
 * The language server process: thin LSP wiring over the transport-free core. Started as
 * `node dist/language-server.js --stdio`, or in-process by `mlops lsp --stdio` via `startServer()`.
 * Documents are routed to an analyser by name and language (core/analyser.ts), so a second
 * analyser (Python, notebooks) plugs in without touching this file's handlers.
 */
import { statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CodeActionKind,
  ProposedFeatures,
  StreamMessageReader,
  StreamMessageWriter,
  TextDocumentSyncKind,
  TextDocuments,
  createConnection,
  type CodeAction,
  type Connection,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyserFor, type AnalysisEnv, type DocumentSession } from './core';

interface Tracked {
  session: DocumentSession;
  timer?: NodeJS.Timeout | NodeJS.Immediate;
  /** Smoothed validation time, to decide between validating at once and debouncing. */
  avgMs: number;
}

/** Documents that validate faster than this (smoothed) are validated at once on every change. */
const IMMEDIATE_MS = 50;
const MAX_DEBOUNCE_MS = 250;

/** Dependency paths resolve against the folder holding the document; stats are cached per run. */
function envFor(uri: string): AnalysisEnv {
  let root: string;
  try {
    if (!uri.startsWith('file:')) return {};
    root = dirname(fileURLToPath(uri));
  } catch {
    return {};
  }
  const seen = new Map<string, boolean>();
  return {
    fileExists: (rel) => {
      let hit = seen.get(rel);
      if (hit === undefined) {
        try {
          statSync(isAbsolute(rel) ? rel : resolve(root, rel));
          hit = true;
        } catch {
          hit = false;
        }
        seen.set(rel, hit);
      }
      return hit;
    },
  };
}

function wire(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const tracked = new Map<string, Tracked>();

  const run = (uri: string): void => {
    const doc = documents.get(uri);
    const t = tracked.get(uri);
    if (!doc || !t) return;
    t.timer = undefined;
    const version = doc.version;
    const started = performance.now();
    t.session.setEnv?.(envFor(uri));
    const diagnostics = t.session.validate(doc.getText());
    // Smoothed, so one garbage-collection pause does not switch a document to debouncing.
    t.avgMs = t.avgMs * 0.7 + (performance.now() - started) * 0.3;
    // A newer edit arrived while this ran: its own run publishes; this result is stale.
    if (documents.get(uri)?.version !== version) return;
    void connection.sendDiagnostics({ uri, version, diagnostics });
  };

  const schedule = (doc: TextDocument): void => {
    let t = tracked.get(doc.uri);
    if (!t) {
      const analyser = analyserFor({ uri: doc.uri, languageId: doc.languageId });
      if (!analyser) return;
      t = { session: analyser.open({ uri: doc.uri, languageId: doc.languageId }, envFor(doc.uri)), avgMs: 0 };
      tracked.set(doc.uri, t);
    }
    if (t.avgMs < IMMEDIATE_MS) {
      // setImmediate still coalesces a burst of changes that arrived in one read.
      if (!t.timer) t.timer = setImmediate(() => run(doc.uri));
      return;
    }
    if (t.timer) clearTimeout(t.timer as NodeJS.Timeout);
    t.timer = setTimeout(() => run(doc.uri), Math.min(MAX_DEBOUNCE_MS, Math.round(t.avgMs)));
  };

  documents.onDidChangeContent((e) => schedule(e.document));
  documents.onDidClose((e) => {
    const t = tracked.get(e.document.uri);
    if (t?.timer) {
      clearTimeout(t.timer as NodeJS.Timeout);
      clearImmediate(t.timer as NodeJS.Immediate);
    }
    tracked.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  const withDoc = <T>(uri: string, f: (s: DocumentSession, text: string) => T): T | undefined => {
    const doc = documents.get(uri);
    const t = tracked.get(uri);
    return doc && t ? f(t.session, doc.getText()) : undefined;
  };

  connection.onInitialize(() => ({
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      completionProvider: { triggerCharacters: [':', ' ', '-'] },
      hoverProvider: true,
      documentSymbolProvider: true,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
    },
    serverInfo: { name: 'mlops-language-server', version: '0.1.0' },
  }));
  connection.onCompletion((p) => withDoc(p.textDocument.uri, (s, text) => s.complete?.(text, p.position)) ?? []);
  connection.onHover((p) => {
    const h = withDoc(p.textDocument.uri, (s, text) => s.hover?.(text, p.position));
    return h ? { contents: { kind: 'markdown', value: h.markdown }, range: h.range } : null;
  });
  connection.onDocumentSymbol((p) => withDoc(p.textDocument.uri, (s, text) => s.symbols?.(text)) ?? []);
  connection.onCodeAction((p) => {
    const uri = p.textDocument.uri;
    const fixes = withDoc(uri, (s) => s.fixes?.(p.range)) ?? [];
    return fixes.map(({ diagnostic, fix }): CodeAction => ({
      title: fix.title,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diagnostic],
      isPreferred: fix.preferred ?? false,
      edit: { changes: { [uri]: fix.edits } },
    }));
  });
  documents.listen(connection);
}

/** Starts the server on stdin/stdout; resolves when the client closes the connection. */
export function startServer(): Promise<void> {
  // stdout carries the protocol: stray logging must not corrupt it.
  console.log = console.error;
  console.info = console.error;
  const connection = createConnection(ProposedFeatures.all, new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout));
  wire(connection);
  connection.listen();
  return new Promise((done) => connection.onExit(() => done()));
}

if (require.main === module) void startServer();
