/**
 * The language server process: thin LSP wiring over the transport-free core. Started as
 * `node dist/language-server.js --stdio`, or in-process by `mlops lsp --stdio` via `startServer()`.
 * Documents are routed to an analyser by name and language (core/analyser.ts), so a second
 * analyser (Python, notebooks) plugs in without touching this file's handlers.
 */
import {
  CodeActionKind,
  DidChangeWatchedFilesNotification,
  NotebookDocuments,
  ProposedFeatures,
  StreamMessageReader,
  StreamMessageWriter,
  TextDocumentSyncKind,
  TextDocuments,
  WatchKind,
  createConnection,
  type CodeAction,
  type Connection,
  type InitializeResult,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyserFor, type DocumentSession, type Fix } from './core';
import { ConfigLocator } from './config-locator';
import { envFor, type ServerState } from './env';
import { initPython, parseRuleConfig, type PythonRuleConfig } from './python';
import { wireNotebooks } from './notebooks';
import { wireConvert } from './convert-request';

interface Tracked {
  session: DocumentSession;
  timer?: NodeJS.Timeout | NodeJS.Immediate;
  /** Smoothed validation time, to decide between validating at once and debouncing. */
  avgMs: number;
}

/** Documents that validate faster than this (smoothed) are validated at once on every change. */
const IMMEDIATE_MS = 50;
const MAX_DEBOUNCE_MS = 250;

/** A fix as a workspace edit: plain changes, or document changes when a file must be created first. */
export function workspaceEdit(uri: string, fix: Fix): WorkspaceEdit {
  if (!fix.changes) return { changes: { [uri]: fix.edits } };
  if (!fix.createFile) return { changes: fix.changes };
  const created = fix.createFile;
  return {
    documentChanges: [
      { kind: 'create', uri: created, options: { ignoreIfExists: true } },
      ...Object.entries(fix.changes).map(([u, edits]) => ({ textDocument: { uri: u, version: null }, edits })),
    ],
  };
}

function wire(connection: Connection): void {
  const notebooks = new NotebookDocuments(TextDocument);
  const documents = new TextDocuments(TextDocument);
  const tracked = new Map<string, Tracked>();
  const state: ServerState = { rules: {}, locator: new ConfigLocator((u) => documents.get(u)?.getText()) };

  const run = (uri: string): void => {
    const doc = documents.get(uri);
    const t = tracked.get(uri);
    if (!doc || !t) return;
    t.timer = undefined;
    const version = doc.version;
    const started = performance.now();
    t.session.setEnv?.(envFor(uri, state));
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
      t = { session: analyser.open({ uri: doc.uri, languageId: doc.languageId }, envFor(doc.uri, state)), avgMs: 0 };
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

  documents.onDidChangeContent((e) => {
    schedule(e.document);
    // Python diagnostics depend on mlops.yaml (declared paths, existing keys): refresh them.
    if (/mlops\.ya?ml$/i.test(e.document.uri)) for (const d of documents.all()) if (d.uri !== e.document.uri && tracked.has(d.uri)) schedule(d);
  });
  const nb = wireNotebooks(connection, notebooks, state);
  wireConvert(connection);
  const revalidateAll = (): void => {
    for (const d of documents.all()) schedule(d);
    nb.revalidateAll();
  };
  documents.onDidClose((e) => {
    const t = tracked.get(e.document.uri);
    t?.session.dispose?.();
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

  wireLifecycle(connection, state, revalidateAll);
  connection.onCompletion((p) => withDoc(p.textDocument.uri, (s, text) => s.complete?.(text, p.position)) ?? []);
  connection.onHover((p) => {
    const h = withDoc(p.textDocument.uri, (s, text) => s.hover?.(text, p.position));
    return h ? { contents: { kind: 'markdown', value: h.markdown }, range: h.range } : null;
  });
  connection.onDocumentSymbol((p) => withDoc(p.textDocument.uri, (s, text) => s.symbols?.(text)) ?? []);
  connection.onCodeAction((p) => {
    const uri = p.textDocument.uri;
    const fixes = withDoc(uri, (s) => s.fixes?.(p.range)) ?? nb.fixes(uri, p.range);
    return fixes.map(({ diagnostic, fix }): CodeAction => ({
      title: fix.title,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diagnostic],
      isPreferred: fix.preferred ?? false,
      edit: workspaceEdit(uri, fix),
    }));
  });
  documents.listen(connection);
  notebooks.listen(connection);
}

/**
 * Initialisation (loads the Python grammar before the first document), the rule settings, and
 * files appearing or disappearing: `unknown-dep` warnings and the governing `mlops.yaml` of Python
 * files depend on the disk, so every open document is re-validated (each run stats files afresh).
 */
function wireLifecycle(connection: Connection, state: ServerState, revalidateAll: () => void): void {
  let configurationSupport = false;
  let watcherRegistration = false;
  // Initialization options are the base; editor settings override them rule by rule.
  let initial: PythonRuleConfig = {};
  const fetchRules = async (): Promise<void> => {
    if (!configurationSupport) return;
    try {
      const raw: unknown = await connection.workspace.getConfiguration('mlops.pythonRules');
      const { config, problems } = parseRuleConfig(raw);
      for (const p of problems) connection.console.warn(p);
      state.rules = { ...initial, ...config };
    } catch (e) {
      connection.console.warn(`cannot read mlops.pythonRules: ${e instanceof Error ? e.message : String(e)}`);
    }
    revalidateAll();
  };
  connection.onInitialized(() => {
    void fetchRules();
    // Creations and deletions anywhere: a dependency may be any file. Content changes do not matter.
    if (watcherRegistration) {
      const watchers = [{ globPattern: '**/*', kind: WatchKind.Create | WatchKind.Delete }];
      connection.client.register(DidChangeWatchedFilesNotification.type, { watchers }).catch((e: unknown) => {
        connection.console.warn(`cannot watch workspace files: ${e instanceof Error ? e.message : String(e)}`);
      });
    }
  });
  connection.onDidChangeConfiguration(() => (configurationSupport ? void fetchRules() : revalidateAll()));
  connection.onDidChangeWatchedFiles(() => revalidateAll());

  connection.onInitialize(async (params) => {
    configurationSupport = params.capabilities.workspace?.configuration === true;
    watcherRegistration = params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    const options = (params.initializationOptions ?? {}) as { pythonRules?: unknown };
    const { config, problems } = parseRuleConfig(options.pythonRules);
    initial = config;
    state.rules = config;
    for (const p of problems) console.error(p);
    state.locator.roots = (params.workspaceFolders ?? []).map((f) => f.uri);
    await initPython();
    return capabilities();
  });
}

function capabilities(): InitializeResult {
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      notebookDocumentSync: { notebookSelector: [{ notebook: '*', cells: [{ language: 'python' }] }] },
      completionProvider: { triggerCharacters: [':', ' ', '-'] },
      hoverProvider: true,
      documentSymbolProvider: true,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
    },
    serverInfo: { name: 'mlops-language-server', version: '0.1.0' },
  };
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
