/**
 * LSP 3.17 notebook documents: the client syncs each notebook with its cells as text documents.
 * A notebook's Python code cells are analysed together (one program, run top to bottom) and the
 * diagnostics are published per cell document; quick fixes may edit several cells and mlops.yaml.
 */
import { NotebookCellKind, type Connection, type NotebookDocument, type NotebookDocuments } from 'vscode-languageserver/node';
import { type TextDocument } from 'vscode-languageserver-textdocument';
import { type Fix, type MlopsDiagnostic, type Range } from './core';
import { NotebookSession, type CellText } from './python';
import { envFor, type ServerState } from './env';

export interface NotebookWiring {
  revalidateAll(): void;
  fixes(cellUri: string, range: Range): { diagnostic: MlopsDiagnostic; fix: Fix }[];
}

export function wireNotebooks(connection: Connection, notebooks: NotebookDocuments<TextDocument>, state: ServerState): NotebookWiring {
  const sessions = new Map<string, { session: NotebookSession; cells: Set<string>; timer?: NodeJS.Immediate }>();

  const cellsOf = (nb: NotebookDocument): CellText[] =>
    nb.cells.flatMap((cell) => {
      if (cell.kind !== NotebookCellKind.Code) return [];
      const doc = notebooks.getCellTextDocument(cell);
      return doc && doc.languageId === 'python' ? [{ uri: doc.uri, text: doc.getText() }] : [];
    });

  const run = (uri: string): void => {
    const entry = sessions.get(uri);
    const nb = notebooks.getNotebookDocument(uri);
    if (!entry || !nb) return;
    entry.timer = undefined;
    entry.session.setEnv(envFor(uri, state));
    const results = entry.session.validate(cellsOf(nb));
    // Cells that left the notebook (or stopped being Python) lose their diagnostics.
    for (const old of entry.cells) if (!results.has(old)) void connection.sendDiagnostics({ uri: old, diagnostics: [] });
    entry.cells = new Set(results.keys());
    for (const [cellUri, diagnostics] of results) {
      const version = notebooks.cellTextDocuments.get(cellUri)?.version;
      void connection.sendDiagnostics({ uri: cellUri, version, diagnostics });
    }
  };

  const schedule = (nb: NotebookDocument): void => {
    let entry = sessions.get(nb.uri);
    if (!entry) {
      entry = { session: new NotebookSession(nb.uri, envFor(nb.uri, state)), cells: new Set() };
      sessions.set(nb.uri, entry);
    }
    entry.timer ??= setImmediate(() => run(nb.uri));
  };

  notebooks.onDidOpen(schedule);
  notebooks.onDidChange((e) => schedule(e.notebookDocument));
  notebooks.onDidClose((nb) => {
    const entry = sessions.get(nb.uri);
    if (!entry) return;
    if (entry.timer) clearImmediate(entry.timer);
    entry.session.dispose();
    sessions.delete(nb.uri);
    for (const c of entry.cells) void connection.sendDiagnostics({ uri: c, diagnostics: [] });
  });

  return {
    revalidateAll: () => {
      for (const uri of sessions.keys()) {
        const nb = notebooks.getNotebookDocument(uri);
        if (nb) schedule(nb);
      }
    },
    fixes: (cellUri, range) => {
      const nb = notebooks.findNotebookDocumentForCell(cellUri);
      return nb ? (sessions.get(nb.uri)?.session.fixes(cellUri, range) ?? []) : [];
    },
  };
}
