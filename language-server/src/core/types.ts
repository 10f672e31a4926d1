/**
 * Plain data types of the core. They are structurally the LSP types (positions are 0-based line and
 * UTF-16 character), so the server passes them through unchanged, yet the core imports nothing from
 * any transport and unit tests use it directly.
 */

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export const Severity = { Error: 1, Warning: 2, Information: 3, Hint: 4 } as const;
export type SeverityValue = (typeof Severity)[keyof typeof Severity];

/** A text edit that fixes a diagnostic: replace `range` with `newText`. */
export interface TextEdit {
  range: Range;
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
  /** The obvious fix: editors may apply it with one key. */
  preferred?: boolean;
  /**
   * Edits across several documents (the Python file and `mlops.yaml`), applied as one workspace
   * edit; when set, `edits` is ignored. `createFile` is created first (it did not exist).
   */
  changes?: Record<string, TextEdit[]>;
  createFile?: string;
  /**
   * Work that a text edit cannot do (copy a data file, install a module): the code action carries
   * a command that the server runs (`workspace/executeCommand`), and the edit is applied only once
   * that succeeded.
   */
  action?: FixAction;
}

/** What a command-carrying fix does before its edit; arguments are checked again when it runs. */
export type FixAction =
  | { kind: 'copy-data'; source: string; root: string; target: string }
  | { kind: 'install-module'; python: string; root: string; packageDir: string };

/** Every diagnostic code the mlops.yaml analyser emits (documented in docs/LANGUAGE-SERVER.md). */
export type DiagnosticCode =
  | 'yaml-syntax'
  | 'duplicate-key'
  | 'multi-document'
  | 'alias-limit'
  | 'too-deep'
  | 'too-large'
  | 'not-a-mapping'
  | 'unknown-key'
  | 'missing-key'
  | 'invalid-type'
  | 'invalid-value'
  | 'invalid-key'
  | 'unknown-dep'
  | 'unknown-param'
  | 'unknown-model'
  | 'port-conflict'
  | 'unknown-stage'
  | 'unknown-dataset'
  | 'unknown-deployment'
  | 'unknown-trigger-kind'
  | 'duplicate-out'
  | 'cycle'
  | 'missing-cron'
  | 'fallback-rule'
  | 'unknown-column'
  | 'missing-file'
  // Python files and notebooks (language-server/src/python): one code per rule.
  | 'hyperparameter'
  | 'hyperparameter-assignment'
  | 'data-path'
  | 'seed'
  | 'threshold'
  | 'credential'
  | 'python-internal'
  | 'python-too-large';

export interface MlopsDiagnostic {
  range: Range;
  severity: SeverityValue;
  code: DiagnosticCode;
  source: 'mlops';
  message: string;
  /** Other places of the same finding (the same literal repeated), as LSP related information. */
  relatedInformation?: { location: { uri: string; range: Range }; message: string }[];
  /** Quick fixes; the server hands them back to code actions through the diagnostic's `data`. */
  data?: { fixes: Fix[] };
}

export type PathSegment = string | number;
