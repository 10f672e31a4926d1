/**
 * The `mlops.yaml` analyser: one instance per open document, keeping its block cache between
 * edits. Everything here is synchronous and transport-free; server.ts adapts it to LSP.
 */
import { YamlParser, type ParsedYaml } from './parse';
import { collectionKeyDiagnostics, schemaDiagnostics } from './validate';
import { crossRefDiagnostics, type CrossRefEnv } from './crossref';
import { complete, type CompletionEntry } from './complete';
import { documentSymbols, hover, type HoverResult, type SymbolEntry } from './outline';
import { type Fix, type MlopsDiagnostic, type Position, type Range, Severity } from './types';
import { type PythonEnv } from '../python/config';

/** What analysers may ask of their host: file existence (mlops.yaml deps), the project file and rule settings (Python). */
export type AnalysisEnv = CrossRefEnv & PythonEnv;

function overlaps(a: Range, b: Range): boolean {
  const before = (p: Position, q: Position): boolean => p.line < q.line || (p.line === q.line && p.character < q.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}

export class MlopsYamlDocument {
  private readonly parser = new YamlParser();
  private parsed: ParsedYaml | undefined;
  private last: MlopsDiagnostic[] = [];

  constructor(private env: AnalysisEnv = {}) {}

  setEnv(env: AnalysisEnv): void {
    this.env = env;
  }

  /** Parses `text` (reusing unchanged blocks) unless it is the text already parsed. */
  update(text: string): ParsedYaml {
    if (this.parsed?.text !== text) this.parsed = this.parser.parse(text);
    return this.parsed;
  }

  /** All diagnostics of `text`. Never throws: an internal failure becomes one diagnostic. */
  validate(text: string): MlopsDiagnostic[] {
    try {
      const parsed = this.update(text);
      const problems = parsed.problems.map((p) => ({
        range: problemRange(parsed, p.start, p.end),
        severity: Severity.Error,
        code: p.code,
        source: 'mlops' as const,
        message: p.message,
      }));
      const blocking = parsed.mode === 'refused' || problems.some((p) => p.code === 'yaml-syntax' || p.code === 'alias-limit');
      // With a broken syntax tree, schema messages would mostly echo the syntax error.
      const all = blocking ? problems : [...problems, ...collectionKeyDiagnostics(parsed), ...schemaDiagnostics(parsed), ...crossRefDiagnostics(parsed, this.env)];
      this.last = all.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
    } catch (e) {
      this.last = [internalError(e)];
    }
    return this.last;
  }

  complete(text: string, pos: Position): CompletionEntry[] {
    return complete(this.update(text), pos);
  }

  hover(text: string, pos: Position): HoverResult | undefined {
    return hover(this.update(text), pos);
  }

  symbols(text: string): SymbolEntry[] {
    return documentSymbols(this.update(text));
  }

  /** Quick fixes of the last diagnostics that touch `range`. */
  fixes(range: Range): { diagnostic: MlopsDiagnostic; fix: Fix }[] {
    return this.last
      .filter((d) => overlaps(d.range, range))
      .flatMap((d) => (d.data?.fixes ?? []).map((fix) => ({ diagnostic: d, fix })));
  }
}

/** Never an empty or past-the-end range: editors would not show it. */
function problemRange(parsed: ParsedYaml, start: number, end: number): Range {
  const text = parsed.text;
  if (start >= text.trimEnd().length) {
    const last = Math.max(1, text.trimEnd().length);
    return parsed.index.range(last - 1, last);
  }
  return parsed.index.range(start, end > start ? end : start + 1);
}

function internalError(e: unknown): MlopsDiagnostic {
  const msg = e instanceof Error ? e.message : String(e);
  const start = { line: 0, character: 0 };
  return { range: { start, end: start }, severity: Severity.Error, code: 'yaml-syntax', source: 'mlops', message: `could not analyse this document: ${msg}` };
}

/** One-shot validation, for tests and the CLI. */
export function validateMlopsYaml(text: string, env: AnalysisEnv = {}): MlopsDiagnostic[] {
  return new MlopsYamlDocument(env).validate(text);
}
