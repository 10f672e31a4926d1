/** The real-code corpus: its list (corpus.json) and hand labels (labels/<id>.json). */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export interface CorpusEntry {
  id: string;
  repo: string;
  commit: string;
  path: string;
  sha256: string;
  /** Textbook notebooks are reported apart (diagnostics per file). */
  kind: 'script' | 'notebook' | 'textbook';
}

/** One hand-labelled occurrence: a line (1-based; in a notebook, of code cell `cell`, 0-based among all cells). */
export interface Label {
  rule: string;
  line: number;
  cell?: number;
  /** The literal as written, to tell apart two findings on one line. */
  text: string;
  /** Either outcome is acceptable (a figure output, a demo seed): neither a miss nor a false finding. */
  optional?: boolean;
  note?: string;
}

export interface Labels {
  id: string;
  /** True findings (optional ones included). */
  findings: Label[];
  /** Tempting literals judged not findings, with why (documentation for the next labeller). */
  nonFindings?: Label[];
}

export function corpusEntries(): CorpusEntry[] {
  return JSON.parse(readFileSync(join(__dirname, 'corpus.json'), 'utf8')) as CorpusEntry[];
}

export function corpusFileName(e: CorpusEntry): string {
  return `${e.id}${e.path.endsWith('.ipynb') ? '.ipynb' : '.py'}`;
}

export function labelsOf(e: CorpusEntry): Labels | undefined {
  const file = join(__dirname, 'labels', `${e.id}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Labels) : undefined;
}
