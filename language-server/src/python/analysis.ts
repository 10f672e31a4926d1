/**
 * Incremental analysis of one Python text. The rules run per top-level statement and their results
 * are kept with offsets relative to the statement (cached by its text, so a statement that merely
 * moved is free). After an edit inside one statement, that statement alone is re-parsed and
 * re-scanned, provided it still parses as exactly one statement; anything else (edits between
 * statements, a statement split or merged, a string left open) re-parses the whole text
 * incrementally with tree-sitter. Then a cheap whole-document pass drops exempt findings and
 * assigns suggested keys.
 */
import { type Parser } from 'web-tree-sitter';
import { IncrementalParser, diffSpan, newPythonParser } from './parser';
import { IGNORE, scanStatement, type Finding } from './rules';
import { indexProject, normalisePath, type ProjectIndex } from './project';
import { KeyTree } from './keytree';

/** A finding with the key it would get in `mlops.yaml`. */
export interface KeyedFinding extends Finding {
  /** `train.learning_rate` under params, the dataset name for reads, the env variable for secrets. */
  key: string;
}

interface Statement {
  start: number;
  end: number;
  /** Findings with offsets relative to `start` (shared through the cache). */
  rel: Finding[];
  /** The same with offsets in the text: this statement's own objects, moved in place when it moves. */
  abs: Finding[];
}

function shift(f: Finding, by: number): Finding {
  return { ...f, start: f.start + by, end: f.end + by, ...(f.site !== undefined ? { site: f.site + by } : {}) };
}

function moveBy(s: Statement | undefined, delta: number): void {
  if (!s) return;
  s.start += delta;
  s.end += delta;
  for (const f of s.abs) {
    f.start += delta;
    f.end += delta;
    if (f.site !== undefined) f.site += delta;
  }
}

export class PythonAnalysis {
  private readonly parser = new IncrementalParser();
  private piece: Parser | undefined;
  private cache = new Map<string, Finding[]>();
  private statements: Statement[] = [];
  private text: string | undefined;
  private last: Finding[] = [];
  /** Statements re-scanned by the last `findings`, for tests and the benchmark. */
  rescanned = 0;
  /** Whether the last `findings` re-parsed one statement alone, for tests and the benchmark. */
  localOnly = false;
  /**
   * The whole text parsed without errors: only then are statement boundaries certain. With an
   * error anywhere, tree-sitter's recovery may join or split statements across it.
   */
  private clean = false;

  /** Raw findings of `text`, in document order. */
  findings(text: string): Finding[] {
    if (text === this.text) {
      this.rescanned = 0;
      return this.last;
    }
    this.localOnly = this.text !== undefined && this.clean && this.updateOne(this.text, text);
    if (!this.localOnly) this.updateAll(text);
    this.text = text;
    this.last = ([] as Finding[]).concat(...this.statements.map((s) => s.abs));
    return this.last;
  }

  /** Re-parses and re-scans the one statement an edit fell in; false when that is not safe. */
  private updateOne(old: string, text: string): boolean {
    const span = diffSpan(old, text);
    if (!span) return false;
    const i = this.statementAt(span.start);
    const s = this.statements[i];
    if (!s || span.start < s.start || span.oldEnd > s.end) return false;
    const delta = span.newEnd - span.oldEnd;
    const piece = text.slice(s.start, s.end + delta);
    this.piece ??= newPythonParser();
    const tree = this.piece.parse(piece);
    if (!tree) return false;
    try {
      const root = tree.rootNode;
      const only = root.namedChildren.length === 1 ? root.namedChildren[0] : null;
      // One statement spanning the whole piece, without errors: the edit changed nothing around it.
      if (root.hasError || !only || only.type === 'comment' || only.startIndex !== 0 || only.endIndex !== piece.length) return false;
      const rel = this.cache.get(piece) ?? scanStatement(only);
      this.rescanned = this.cache.has(piece) ? 0 : 1;
      this.cache.set(piece, rel);
      this.statements[i] = { start: s.start, end: s.end + delta, rel, abs: rel.map((f) => shift(f, s.start)) };
      // Later statements only move: their findings are shifted in place, nothing is allocated.
      if (delta !== 0) for (let j = i + 1; j < this.statements.length; j++) moveBy(this.statements[j], delta);
      return true;
    } finally {
      tree.delete();
    }
  }

  /** The index of the last statement starting at or before `offset` (-1 when none). */
  private statementAt(offset: number): number {
    let lo = 0;
    let hi = this.statements.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((this.statements[mid]?.start ?? Infinity) <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  private updateAll(text: string): void {
    const tree = this.parser.parse(text);
    this.clean = !tree.rootNode.hasError;
    const next = new Map<string, Finding[]>();
    const statements: Statement[] = [];
    this.rescanned = 0;
    const cursor = tree.rootNode.walk();
    try {
      if (cursor.gotoFirstChild()) {
        do {
          if (cursor.nodeType === 'comment') continue;
          const start = cursor.startIndex;
          const end = cursor.endIndex;
          const key = text.slice(start, end);
          let rel = next.get(key) ?? this.cache.get(key);
          if (!rel) {
            this.rescanned++;
            rel = scanStatement(cursor.currentNode).map((f) => shift(f, -start));
          }
          next.set(key, rel);
          statements.push({ start, end, rel, abs: rel.map((f) => shift(f, start)) });
        } while (cursor.gotoNextSibling());
      }
    } finally {
      cursor.delete();
    }
    this.cache = next;
    this.statements = statements;
  }

  dispose(): void {
    this.parser.dispose();
    this.piece?.delete();
    this.piece = undefined;
  }
}

function onIgnoredLine(text: string, offset: number): boolean {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  let lineEnd = text.indexOf('\n', offset);
  if (lineEnd < 0) lineEnd = text.length;
  return IGNORE.test(text.slice(lineStart, lineEnd));
}

/**
 * Test files exercise code with made-up values on purpose: `test_*.py`, `*_test.py`,
 * `conftest.py`, and anything in a `test/` or `tests/` folder. With the project's `mlops.yaml`
 * location known, folders count only inside the project, so a project that happens to live
 * under some `…/test/…` folder is still analysed. Relative paths are taken as project-relative.
 */
export function isTestFile(uri: string, configUri?: string): boolean {
  const clean = (u: string): string => decodeURIComponent(u.split(/[?#]/)[0] ?? '').replace(/\\/g, '/');
  let path = clean(uri);
  const base = path.split('/').pop() ?? '';
  if (/^test_.*\.py$|_test\.py$|^conftest\.py$/i.test(base)) return true;
  const root = configUri === undefined ? undefined : clean(configUri).replace(/\/[^/]*$/, '/');
  if (root && path.startsWith(root)) path = path.slice(root.length);
  return /(^|\/)tests?\//i.test(path);
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a)));
}

const SYNONYMS: string[][] = [
  ['seed', 'random_state', 'random_seed'],
  ['learning_rate', 'lr', 'eta'],
  ['epochs', 'num_epochs', 'n_epochs', 'max_epochs', 'num_train_epochs'],
];

function sameName(a: string, b: string): boolean {
  return a === b || SYNONYMS.some((s) => s.includes(a) && s.includes(b));
}

/**
 * Suggested keys: equal values of the same kind share one key, an existing params key holding the
 * same value is reused, and a taken key gets a numbered variant.
 */
export function assignKeys(findings: Finding[], project: ProjectIndex): KeyedFinding[] {
  const bySignature = new KeyTree<string>();
  const used = new Map<string, unknown>(project.params);
  const datasetsUsed = new Set(project.datasets);
  const suffixes = new Map<string, number>();
  return findings.map((f) => {
    if (f.rule === 'credential') return withKey(f, envName(f.name));
    const sig = [f.rule === 'data-path' ? 'path' : f.name, f.value];
    const known = bySignature.get(sig);
    if (known) return withKey(f, known);
    let key: string;
    if (f.rule === 'data-path') {
      key = f.name;
      for (let n = 2; datasetsUsed.has(key); n++) key = `${f.name}_${n}`;
      datasetsUsed.add(key);
    } else {
      const existing = project.params.size ? [...project.params].find(([k, v]) => sameValue(v, f.value) && sameName(k.split('.').pop() ?? '', f.name)) : undefined;
      const base = `${f.group}.${f.name}`;
      key = existing?.[0] ?? base;
      // Numbered variants continue from the last one handed out (linear, not quadratic, in repeats).
      for (let n = suffixes.get(base) ?? 2; !existing && used.has(key) && !sameValue(used.get(key), f.value); n++) {
        key = `${base}_${n}`;
        suffixes.set(base, n + 1);
      }
      used.set(key, f.value);
    }
    bySignature.set(sig, key);
    return withKey(f, key);
  });
}

/**
 * The finding with its key, set in place: findings are the analysis' own objects, re-keyed on
 * every run, and copying thousands of them per keystroke was a measurable share of re-analysis.
 */
function withKey(f: Finding, key: string): KeyedFinding {
  const keyed = f as KeyedFinding;
  keyed.key = key;
  return keyed;
}

function envName(name: string): string {
  const base = name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
  return /^[A-Z_][A-Z0-9_]*$/.test(base) ? base : 'API_TOKEN';
}

/** Findings that survive exemptions, with keys. */
export function keyedFindings(analysis: PythonAnalysis, text: string, uri: string, config: { uri: string; text?: string } | undefined): KeyedFinding[] {
  if (isTestFile(uri, config?.uri)) return [];
  const project = indexProject(config?.text);
  const markers = IGNORE.test(text);
  const kept = analysis.findings(text).filter((f) => {
    if (markers && onIgnoredLine(text, f.start)) return false;
    // A path the project already declares is tracked: the literal is fine where it is.
    return !(f.rule === 'data-path' && typeof f.value === 'string' && project.declaredPaths.has(normalisePath(f.value)));
  });
  return assignKeys(kept, project);
}
