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
import { moveFixes } from './fix';
import { KeyTree } from './keytree';
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
  /** The findings this diagnostic shows: one list per value (repeats of it), the first list the lead's. */
  members: KeyedFinding[][];
  /** Every range of the diagnostic (its own first), with its document, for code-action lookup. */
  ranges: { uri: string; range: Range }[];
}

const PLOTTING = /\b(plt|sns|ax|axs|axes|axi|fig|px|go)\.\w+\(|\.(plot|scatter|imshow|hist|bar|barh|contourf?|pcolormesh)\(|\b(plot_\w+|save_fig|show_\w+|display)\(/;
const TRAINING = /\.(fit|fit_transform|fit_predict|partial_fit|fit_resample|train|compile|fit_generator|save|save_model|to_csv|to_parquet)\(|\b(cross_val_score|cross_val_predict|cross_validate|GridSearchCV|RandomizedSearchCV|train_test_split|learning_curve|validation_curve|train)\(/;

/**
 * Notebook cells that only draw: most of their lines plot and none trains or saves. What they hold
 * is how a figure looks or which example data it shows, not the training's configuration.
 */
function plotCells(source: MappedText): { plotOnly: Set<number>; drawsData: Set<number> } {
  const plotOnly = new Set<number>();
  const drawsData = new Set<number>();
  source.cells.forEach((c, i) => {
    const text = source.text.slice(c.start, c.end);
    if (!PLOTTING.test(text) || TRAINING.test(text)) return;
    // A seed in a cell that plots and trains nothing draws example data for the figure.
    drawsData.add(i);
    const lines = text.split('\n').filter((l) => l.trim() && !/^\s*(#|import\b|from\b)/.test(l));
    if (lines.filter((l) => PLOTTING.test(l)).length * 2 >= lines.length) plotOnly.add(i);
  });
  return { plotOnly, drawsData };
}

/** Occurrences sharing a rule, a key and a value are one finding. */
function groupKey(f: KeyedFinding): unknown[] {
  return [f.rule, f.rule === 'data-path' ? '' : f.key, f.value];
}

interface Occurrence {
  finding: KeyedFinding;
  target: { uri: string; range: Range };
  hint: boolean;
}

interface ValueGroup {
  lead: Occurrence;
  all: Occurrence[];
}

/** Groups of one value, each led by its first occurrence that is not a mere hint. */
function valueGroups(source: MappedText, findings: KeyedFinding[], rules: PythonRuleConfig | undefined): ValueGroup[] {
  const { plotOnly, drawsData } = plotCells(source);
  const groups = new KeyTree<Occurrence[]>();
  const order: Occurrence[][] = [];
  for (const finding of findings) {
    if (severityOf(rules, finding.rule) === undefined) continue;
    const target = source.toTarget(finding.start, finding.end);
    if (!target) continue;
    const cell = source.cells.length ? source.cellAt(finding.start) : -1;
    const hint = finding.hint === true || plotOnly.has(cell) || (finding.rule === 'seed' && drawsData.has(cell));
    const key = groupKey(finding);
    const group = groups.get(key);
    if (group) group.push({ finding, target, hint });
    else {
      const created = [{ finding, target, hint }];
      groups.set(key, created);
      order.push(created);
    }
  }
  const out: ValueGroup[] = [];
  for (const all of order) {
    const lead = all.find((o) => !o.hint) ?? all[0];
    if (lead) out.push({ lead, all });
  }
  return out.sort((a, b) => a.lead.finding.start - b.lead.finding.start);
}

function settingText(f: KeyedFinding): string {
  return `${f.name}=${typeof f.value === 'string' ? JSON.stringify(f.value) : String(f.value)}`;
}

/**
 * Findings → diagnostics on their target documents, by the rule settings. Repeats of a value are
 * one diagnostic (the others its related locations), and the values one call or dict holds for a
 * rule are shown together on the first of them.
 */
export function locate(source: MappedText, findings: KeyedFinding[], rules: PythonRuleConfig | undefined): Located[] {
  const bySite = new KeyTree<Located>();
  const out: Located[] = [];
  for (const { lead, all } of valueGroups(source, findings, rules)) {
    const { finding, target } = lead;
    const others = all.filter((o) => o !== lead);
    const related = others.map((o) => ({ location: o.target, message: 'the same value again' }));
    const siteKey = finding.site !== undefined && finding.rule !== 'credential' ? [finding.rule, finding.site, lead.hint] : undefined;
    const host = siteKey ? bySite.get(siteKey) : undefined;
    if (host) {
      host.members.push([finding, ...others.map((o) => o.finding)]);
      host.ranges.push(target, ...others.map((o) => o.target));
      (host.diagnostic.relatedInformation ??= []).push({ location: target, message: `also here: ${settingText(finding)}` }, ...related);
      continue;
    }
    const strong = finding.rule === 'data-path' && (finding.pathKind === 'absolute' || finding.pathKind === 'home');
    const severity = lead.hint ? Severity.Hint : (severityOf(rules, finding.rule, strong) ?? Severity.Hint);
    const diagnostic: MlopsDiagnostic = { range: target.range, severity, code: finding.rule, source: 'mlops', message: describe(finding) };
    if (others.length) diagnostic.message += ` (${all.length} places: see related locations)`;
    if (related.length) diagnostic.relatedInformation = related;
    const located: Located = { finding, uri: target.uri, diagnostic, members: [[finding, ...others.map((o) => o.finding)]], ranges: [target, ...others.map((o) => o.target)] };
    if (siteKey) bySite.set(siteKey, located);
    out.push(located);
  }
  for (const l of out) {
    if (l.members.length > 1) l.diagnostic.message += `; in the same place also ${l.members.slice(1).map((m) => (m[0] ? settingText(m[0]) : '')).join(', ')}`;
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
      if (!l.ranges.some((r) => r.uri === uri && overlaps(r.range, range))) continue;
      for (const m of l.members) {
        const fixes = m[0] ? moveFixes({ source, uri: this.uri, findings: this.findings, config }, m[0]) : [];
        for (const fix of fixes) out.push({ diagnostic: l.diagnostic, fix: m === l.members[0] ? fix : { ...fix, preferred: false } });
      }
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
