/**
 * Python documents for the server: `.py` files and `.ipynb` files opened as JSON text (one
 * `DocumentSession` each), and LSP 3.17 notebook documents (one `NotebookSession` per notebook,
 * whose cells are analysed together and diagnosed one cell document each).
 */
import { type DocumentSession } from '../core/analyser';
import { type AnalysisEnv } from '../core/mlops-yaml';
import { Severity, type Fix, type MlopsDiagnostic, type Position, type Range } from '../core/types';
import { PythonAnalysis, keyedFindings, type KeyedFinding } from './analysis';
import { severityOf, type PythonRuleConfig } from './config';
import { moveFix } from './fix';
import { pythonReady } from './parser';
import { cellsSource, ipynbSource, isNotebookUri, plainSource, type CellText, type MappedText } from './source';

function describe(f: KeyedFinding): string {
  const v = typeof f.value === 'string' ? JSON.stringify(f.value.length > 60 ? `${f.value.slice(0, 60)}…` : f.value) : String(f.value);
  switch (f.rule) {
    case 'hyperparameter':
      return `Hardcoded hyperparameter ${f.name}=${v} in ${f.where}: move it to mlops.yaml as params.${f.key}`;
    case 'hyperparameter-assignment':
      return `Hardcoded hyperparameter ${f.where.replace(' = …', '')} = ${v}: move it to mlops.yaml as params.${f.key}`;
    case 'seed':
      return `Hardcoded random seed ${v} in ${f.where}: move it to mlops.yaml as params.${f.key} so runs record it`;
    case 'threshold':
      return `Hardcoded decision threshold ${v} in ${f.where}: move it to mlops.yaml as params.${f.key}`;
    case 'credential':
      return `Credential in source code (${f.where}): read it from an environment variable instead, e.g. os.environ["${f.key}"], and revoke this one`;
    case 'data-path': {
      const how = f.pathKind === 'absolute' ? 'absolute data path' : f.pathKind === 'home' ? 'home-directory data path' : f.pathKind === 'cloud' ? 'cloud data URI' : 'data path';
      const target = f.io === 'write' ? 'as a stage output in mlops.yaml' : `as dataset data.${f.key} in mlops.yaml`;
      if (f.pathKind === 'absolute' || f.pathKind === 'home') {
        return `Hardcoded ${how} ${v} in ${f.where} (it exists only on this machine): keep the data inside the project and declare it ${target}`;
      }
      if (f.pathKind === 'cloud') return `Hardcoded ${how} ${v} in ${f.where}: keep the location in mlops.yaml params, not in code`;
      return `Hardcoded ${how} ${v} in ${f.where}: declare it ${target}`;
    }
  }
}

export interface Located {
  finding: KeyedFinding;
  uri: string;
  diagnostic: MlopsDiagnostic;
}

/** Findings → diagnostics on their target documents, by the rule settings. */
export function locate(source: MappedText, findings: KeyedFinding[], rules: PythonRuleConfig | undefined): Located[] {
  const out: Located[] = [];
  for (const finding of findings) {
    const strong = finding.rule === 'data-path' && (finding.pathKind === 'absolute' || finding.pathKind === 'home');
    const severity = severityOf(rules, finding.rule, strong);
    const target = severity === undefined ? undefined : source.toTarget(finding.start, finding.end);
    if (!target || severity === undefined) continue;
    out.push({ finding, uri: target.uri, diagnostic: { range: target.range, severity, code: finding.rule, source: 'mlops', message: describe(finding) } });
  }
  return out;
}

function overlaps(a: Range, b: Range): boolean {
  const before = (p: Position, q: Position): boolean => p.line < q.line || (p.line === q.line && p.character < q.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}

function internal(e: unknown): MlopsDiagnostic {
  const start = { line: 0, character: 0 };
  const msg = e instanceof Error ? e.message : String(e);
  return { range: { start, end: start }, severity: Severity.Error, code: 'python-internal', source: 'mlops', message: `could not analyse this file: ${msg}` };
}

/**
 * Largest Python source analysed, in characters (a `.py` file, or a notebook's code); a notebook
 * file opened as JSON may be larger by its outputs, up to MAX_NOTEBOOK_JSON_CHARS. Above these the
 * file is not analysed and says so (a 15 MB notebook would otherwise take half a minute).
 */
export const MAX_PYTHON_CHARS = 1_000_000;
export const MAX_NOTEBOOK_JSON_CHARS = 2_000_000;

function tooLarge(size: number, limit: number): MlopsDiagnostic {
  const start = { line: 0, character: 0 };
  return {
    range: { start, end: start },
    severity: Severity.Information,
    code: 'python-too-large',
    source: 'mlops',
    message: `not analysed: ${Math.round(size / 1000)} kB is above the ${limit / 1_000_000} MB limit of the MLOps checks (split the file, or clear notebook outputs)`,
  };
}

/** Shared by both session kinds: analysis state, last results, and lazily built fixes. */
class PythonCore {
  private analysis: PythonAnalysis | undefined;
  source: MappedText | undefined;
  located: Located[] = [];
  findings: KeyedFinding[] = [];

  constructor(
    readonly uri: string,
    public env: AnalysisEnv,
  ) {}

  run(source: MappedText | undefined): Located[] {
    this.source = source;
    if (!source || !pythonReady()) return (this.located = []);
    this.analysis ??= new PythonAnalysis();
    const config = this.env.locateConfig?.(this.uri);
    this.findings = keyedFindings(this.analysis, source.text, this.uri, config);
    this.located = locate(source, this.findings, this.env.pythonRules);
    return this.located;
  }

  fixes(uri: string, range: Range): { diagnostic: MlopsDiagnostic; fix: Fix }[] {
    const source = this.source;
    if (!source) return [];
    const config = this.env.locateConfig?.(this.uri);
    const out: { diagnostic: MlopsDiagnostic; fix: Fix }[] = [];
    for (const l of this.located) {
      if (l.uri !== uri || !overlaps(l.diagnostic.range, range)) continue;
      const fix = moveFix({ source, uri: this.uri, findings: this.findings, config }, l.finding);
      if (fix) out.push({ diagnostic: l.diagnostic, fix });
    }
    return out;
  }

  dispose(): void {
    this.analysis?.dispose();
    this.analysis = undefined;
  }
}

/** A `.py` file, or a `.ipynb` file opened as JSON text. */
export class PythonDocument implements DocumentSession {
  private readonly core: PythonCore;

  constructor(
    readonly uri: string,
    env: AnalysisEnv = {},
  ) {
    this.core = new PythonCore(uri, env);
  }

  setEnv(env: AnalysisEnv): void {
    this.core.env = env;
  }

  validate(text: string): MlopsDiagnostic[] {
    try {
      const notebook = isNotebookUri(this.uri);
      const limit = notebook ? MAX_NOTEBOOK_JSON_CHARS : MAX_PYTHON_CHARS;
      if (text.length > limit) return [tooLarge(text.length, limit)];
      const source = notebook ? ipynbSource(this.uri, text) : plainSource(this.uri, text);
      if (source && source.text.length > MAX_PYTHON_CHARS) return [tooLarge(source.text.length, MAX_PYTHON_CHARS)];
      return this.core.run(source).map((l) => l.diagnostic);
    } catch (e) {
      return [internal(e)];
    }
  }

  fixes(range: Range): { diagnostic: MlopsDiagnostic; fix: Fix }[] {
    try {
      return this.core.fixes(this.uri, range);
    } catch {
      return [];
    }
  }

  /** Last findings with keys, for tests. */
  get findings(): KeyedFinding[] {
    return this.core.findings;
  }

  dispose(): void {
    this.core.dispose();
  }
}

/** An LSP notebook document: its Python code cells analysed as one program. */
export class NotebookSession {
  private readonly core: PythonCore;

  constructor(notebookUri: string, env: AnalysisEnv = {}) {
    this.core = new PythonCore(notebookUri, env);
  }

  setEnv(env: AnalysisEnv): void {
    this.core.env = env;
  }

  /** Diagnostics per cell uri; every given cell gets an entry (empty clears old ones). */
  validate(cells: CellText[]): Map<string, MlopsDiagnostic[]> {
    const out = new Map<string, MlopsDiagnostic[]>(cells.map((c) => [c.uri, []]));
    const size = cells.reduce((n, c) => n + c.text.length, 0);
    if (size > MAX_PYTHON_CHARS && cells[0]) {
      out.set(cells[0].uri, [tooLarge(size, MAX_PYTHON_CHARS)]);
      return out;
    }
    try {
      for (const l of this.core.run(cellsSource(cells))) out.get(l.uri)?.push(l.diagnostic);
    } catch (e) {
      const first = cells[0];
      if (first) out.set(first.uri, [internal(e)]);
    }
    return out;
  }

  fixes(cellUri: string, range: Range): { diagnostic: MlopsDiagnostic; fix: Fix }[] {
    try {
      return this.core.fixes(cellUri, range);
    } catch {
      return [];
    }
  }

  get findings(): KeyedFinding[] {
    return this.core.findings;
  }

  dispose(): void {
    this.core.dispose();
  }
}
