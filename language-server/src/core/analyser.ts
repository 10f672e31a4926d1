/**
 * The seam between the LSP server and the languages it understands. The server owns one
 * `DocumentSession` per open document, created by the first analyser whose `accepts` matches;
 * a Python/notebook analyser plugs in later by adding itself to `analysers` below.
 */
import { posix } from 'node:path';
import { MlopsYamlDocument, type AnalysisEnv } from './mlops-yaml';
import { type CompletionEntry } from './complete';
import { type HoverResult, type SymbolEntry } from './outline';
import { type Fix, type MlopsDiagnostic, type Position, type Range } from './types';
import { PythonDocument } from '../python/document';

export interface DocumentInfo {
  uri: string;
  languageId: string;
}

/** Per-document state of one analyser; every method takes the current text. */
export interface DocumentSession {
  validate(text: string): MlopsDiagnostic[];
  complete?(text: string, pos: Position): CompletionEntry[];
  hover?(text: string, pos: Position): HoverResult | undefined;
  symbols?(text: string): SymbolEntry[];
  fixes?(range: Range): { diagnostic: MlopsDiagnostic; fix: Fix }[];
  setEnv?(env: AnalysisEnv): void;
  /** Frees what the session holds outside the JS heap (tree-sitter trees). */
  dispose?(): void;
}

export interface Analyser {
  readonly name: string;
  accepts(doc: DocumentInfo): boolean;
  open(doc: DocumentInfo, env: AnalysisEnv): DocumentSession;
}

export function isMlopsYamlUri(uri: string): boolean {
  const base = posix.basename(uri.split(/[?#]/)[0] ?? '');
  return /^mlops\.ya?ml$/i.test(decodeURIComponent(base));
}

export const mlopsYamlAnalyser: Analyser = {
  name: 'mlops.yaml',
  accepts: (doc) => isMlopsYamlUri(doc.uri) || doc.languageId === 'mlops-yaml',
  open: (_doc, env) => new MlopsYamlDocument(env),
};

/** `.py` files (by language or name) and `.ipynb` files opened as JSON text. */
export const pythonAnalyser: Analyser = {
  name: 'python',
  accepts: (doc) => {
    const path = decodeURIComponent(doc.uri.split(/[?#]/)[0] ?? '');
    // Cells of LSP notebook documents are analysed through their notebook, not one by one.
    if (doc.uri.startsWith('vscode-notebook-cell:')) return false;
    return doc.languageId === 'python' || /\.(py|pyw|ipynb)$/i.test(path);
  },
  open: (doc, env) => new PythonDocument(doc.uri, env),
};

/** Analysers in priority order. */
export const analysers: Analyser[] = [mlopsYamlAnalyser, pythonAnalyser];

export function analyserFor(doc: DocumentInfo): Analyser | undefined {
  return analysers.find((a) => a.accepts(doc));
}
