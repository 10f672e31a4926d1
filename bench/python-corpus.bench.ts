/**
 * The Python rules on real code: precision and recall per rule against hand labels, and
 * diagnostics per file, over public scripts and notebooks listed in bench/python-corpus/corpus.json.
 * The files are not in this repository: give their folder (written by
 * bench/python-corpus/materialise.ts from git mirrors) in MLOPS_PY_CORPUS; without it the bench
 * says so and skips.
 *
 *   npx tsx bench/python-corpus/materialise.ts /tmp/py-corpus
 *   MLOPS_PY_CORPUS=/tmp/py-corpus npm run bench -- python
 *
 * Matching: every location a diagnostic reports (its range and each related location) is an
 * occurrence; it matches a label on the same line (and notebook cell) whose literal text overlaps
 * it, for the same rule (`hyperparameter-assignment` counts as `hyperparameter`; a threshold label
 * also accepts a hyperparameter finding). Occurrences matching optional labels count neither way.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NotebookSession, PythonDocument, initPython } from '../language-server/src/python';
import { Severity, type MlopsDiagnostic } from '../language-server/src/core/types';
import { corpusEntries, corpusFileName, labelsOf, type CorpusEntry, type Label } from './python-corpus/corpus';

interface Occurrence {
  rule: string;
  cell?: number;
  line: number;
  text: string;
}

interface FileResult {
  entry: CorpusEntry;
  occurrences: Occurrence[];
  /** Diagnostics shown as information or above, and hints. */
  shown: number;
  hints: number;
}

const RULES = ['hyperparameter', 'seed', 'data-path', 'threshold', 'credential'];
const normRule = (code: string): string => (code === 'hyperparameter-assignment' ? 'hyperparameter' : code);

function textAt(lines: string[], range: MlopsDiagnostic['range']): string {
  if (range.start.line === range.end.line) return (lines[range.start.line] ?? '').slice(range.start.character, range.end.character);
  const first = (lines[range.start.line] ?? '').slice(range.start.character);
  return [first, ...lines.slice(range.start.line + 1, range.end.line), (lines[range.end.line] ?? '').slice(0, range.end.character)].join('\n');
}

function occurrencesOf(d: MlopsDiagnostic, linesOf: (uri: string) => { cell?: number; lines: string[] } | undefined, uri: string): Occurrence[] {
  const locations = [{ uri, range: d.range }, ...(d.relatedInformation ?? []).map((r) => r.location)];
  const out: Occurrence[] = [];
  for (const loc of locations) {
    const doc = linesOf(loc.uri);
    if (!doc) continue;
    out.push({ rule: normRule(d.code), cell: doc.cell, line: loc.range.start.line + 1, text: textAt(doc.lines, loc.range) });
  }
  return out;
}

function analyseFile(entry: CorpusEntry, text: string): FileResult {
  const result: FileResult = { entry, occurrences: [], shown: 0, hints: 0 };
  const count = (d: MlopsDiagnostic): void => {
    if (d.severity === Severity.Hint) result.hints++;
    else result.shown++;
  };
  const env = { locateConfig: () => ({ uri: 'file:///corpus/mlops.yaml' }) };
  if (entry.path.endsWith('.ipynb')) {
    const nb = JSON.parse(text) as { cells: { cell_type: string; source: string | string[] }[] };
    const cells = nb.cells
      .map((c, i) => ({ i, c }))
      .filter(({ c }) => c.cell_type === 'code')
      .map(({ i, c }) => ({ uri: `file:///corpus/${entry.id}.ipynb#cell${i}`, cell: i, text: Array.isArray(c.source) ? c.source.join('') : c.source }));
    const byUri = new Map(cells.map((c) => [c.uri, { cell: c.cell, lines: c.text.split('\n') }]));
    const session = new NotebookSession(`file:///corpus/${entry.id}.ipynb`, env);
    for (const [uri, diags] of session.validate(cells)) {
      for (const d of diags) {
        count(d);
        result.occurrences.push(...occurrencesOf(d, (u) => byUri.get(u), uri));
      }
    }
    session.dispose();
  } else {
    const uri = `file:///corpus/${entry.id}.py`;
    const doc = new PythonDocument(uri, env);
    const lines = text.split('\n');
    for (const d of doc.validate(text)) {
      count(d);
      result.occurrences.push(...occurrencesOf(d, (u) => (u === uri ? { lines } : undefined), uri));
    }
    doc.dispose();
  }
  return result;
}

const strip = (s: string): string => s.replace(/\s+/g, ' ').trim();

function sameSpot(o: Occurrence, l: Label): boolean {
  if (o.line !== l.line || o.cell !== l.cell) return false;
  const rule = o.rule === l.rule || (l.rule === 'threshold' && o.rule === 'hyperparameter');
  const a = strip(o.text);
  const b = strip(l.text);
  return rule && a.length > 0 && (a.includes(b) || b.includes(a));
}

interface Tally {
  tp: number;
  fp: number;
  fn: number;
}

function score(r: FileResult, labels: Label[], tally: Map<string, Tally>, log: string[]): void {
  const open = labels.map((l) => ({ l, used: false }));
  const t = (rule: string): Tally => tally.get(rule) ?? (tally.set(rule, { tp: 0, fp: 0, fn: 0 }), tally.get(rule) as Tally);
  for (const o of r.occurrences) {
    const hit = open.find((x) => !x.used && !x.l.optional && sameSpot(o, x.l)) ?? open.find((x) => !x.used && x.l.optional && sameSpot(o, x.l));
    if (hit) {
      hit.used = true;
      if (!hit.l.optional) t(hit.l.rule).tp++;
      continue;
    }
    // A second report of an already matched occurrence is a duplicate, not a new false finding.
    if (open.some((x) => x.used && sameSpot(o, x.l))) continue;
    t(o.rule).fp++;
    log.push(`  ${r.entry.id}:${o.cell !== undefined ? `${o.cell}:` : ''}${o.line}: unexpected ${o.rule} ${JSON.stringify(o.text)}`);
  }
  for (const x of open) {
    if (x.used || x.l.optional) continue;
    t(x.l.rule).fn++;
    log.push(`  ${r.entry.id}:${x.l.cell !== undefined ? `${x.l.cell}:` : ''}${x.l.line}: missed ${x.l.rule} ${x.l.text}`);
  }
}

const ratio = (a: number, b: number): string => (b === 0 ? '—' : (a / b).toFixed(3));

async function main(): Promise<void> {
  const folder = process.env.MLOPS_PY_CORPUS;
  if (!folder || !existsSync(folder)) {
    console.log('MLOPS_PY_CORPUS is not set to a folder: skipped (write one with npx tsx bench/python-corpus/materialise.ts <folder>)');
    return;
  }
  await initPython();
  const tally = new Map<string, Tally>();
  const log: string[] = [];
  const results: FileResult[] = [];
  let skipped = 0;
  for (const entry of corpusEntries()) {
    const file = join(folder, corpusFileName(entry));
    if (!existsSync(file)) {
      skipped++;
      continue;
    }
    const bytes = readFileSync(file);
    if (createHash('sha256').update(bytes).digest('hex') !== entry.sha256) {
      console.log(`${corpusFileName(entry)}: sha256 differs from corpus.json, skipped`);
      skipped++;
      continue;
    }
    const r = analyseFile(entry, bytes.toString('utf8'));
    results.push(r);
    score(r, labelsOf(entry)?.findings ?? [], tally, log);
  }
  console.log(`${results.length} real files (${skipped} skipped), hand-labelled\n`);
  console.log('| rule | true | false | missed | precision | recall |');
  console.log('|---|---:|---:|---:|---:|---:|');
  const all: Tally = { tp: 0, fp: 0, fn: 0 };
  for (const rule of RULES) {
    const t = tally.get(rule) ?? { tp: 0, fp: 0, fn: 0 };
    all.tp += t.tp;
    all.fp += t.fp;
    all.fn += t.fn;
    console.log(`| ${rule} | ${t.tp} | ${t.fp} | ${t.fn} | ${ratio(t.tp, t.tp + t.fp)} | ${ratio(t.tp, t.tp + t.fn)} |`);
  }
  const precision = all.tp / Math.max(1, all.tp + all.fp);
  const recall = all.tp / Math.max(1, all.tp + all.fn);
  console.log(`| **all** | ${all.tp} | ${all.fp} | ${all.fn} | ${precision.toFixed(3)} | ${recall.toFixed(3)} |`);
  console.log('\n| file | kind | diagnostics shown | hints |');
  console.log('|---|---|---:|---:|');
  for (const r of results) console.log(`| ${r.entry.id} | ${r.entry.kind} | ${r.shown} | ${r.hints} |`);
  for (const kind of ['script', 'textbook'] as const) {
    const rs = results.filter((r) => r.entry.kind === kind);
    const per = rs.reduce((s, r) => s + r.shown, 0) / Math.max(1, rs.length);
    console.log(`\n${kind}: ${rs.length} files, ${per.toFixed(1)} diagnostics shown per file (hints apart)`);
  }
  if (process.argv.includes('--details')) console.log(`\n${log.join('\n')}`);
  const ok = precision >= 0.97 && recall >= 0.85;
  console.log(`\nprecision ${precision.toFixed(3)} (target ≥ 0.97), recall ${recall.toFixed(3)} (target ≥ 0.85): ${ok ? 'meets' : 'misses'} the targets`);
  if (!ok) process.exitCode = 1;
}

void main();
