/**
 * What the Python analyser reads from `mlops.yaml` (existing params, declared data paths, stages)
 * and how it edits that file: through the `yaml` Document API, turned into one minimal text edit
 * (common leading and trailing lines kept), so comments and formatting elsewhere are untouched.
 */
import { Document, Scalar, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { LineIndex } from '../core/text';
import { type TextEdit } from '../core/types';

export interface ProjectIndex {
  /** Every scalar leaf under `params`, by dotted key. */
  params: Map<string, unknown>;
  /** Paths declared in datasets or stage deps/outs. */
  declaredPaths: Set<string>;
  datasets: Set<string>;
  /** Stages by name with their command. */
  stages: Map<string, string>;
}

const EMPTY: ProjectIndex = { params: new Map(), declaredPaths: new Set(), datasets: new Set(), stages: new Map() };
let cached: { text: string; index: ProjectIndex } | undefined;

function record(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function collectParams(v: unknown, prefix: string, out: Map<string, unknown>, depth: number): void {
  const r = record(v);
  if (!r || depth > 8) return;
  for (const [k, val] of Object.entries(r)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (record(val)) collectParams(val, key, out, depth + 1);
    else out.set(key, val);
  }
}

/** Reads the parts of `mlops.yaml` the rules use; tolerant of any content (a broken file reads as empty). */
export function indexProject(text: string | undefined): ProjectIndex {
  if (text === undefined) return EMPTY;
  if (cached?.text === text) return cached.index;
  let index = EMPTY;
  try {
    const doc = parseDocument(text, { uniqueKeys: false });
    const root = record(doc.errors.length ? undefined : doc.toJS({ maxAliasCount: 100 }));
    if (root) {
      index = { params: new Map(), declaredPaths: new Set(), datasets: new Set(), stages: new Map() };
      collectParams(root.params, '', index.params, 0);
      for (const [name, ds] of Object.entries(record(root.data) ?? {})) {
        index.datasets.add(name);
        for (const p of arr(record(ds)?.paths)) index.declaredPaths.add(p);
      }
      for (const [name, st] of Object.entries(record(record(root.pipeline)?.stages) ?? {})) {
        const s = record(st);
        index.stages.set(name, typeof s?.cmd === 'string' ? s.cmd : '');
        for (const p of [...arr(s?.deps), ...arr(s?.outs)]) index.declaredPaths.add(p);
      }
    }
  } catch {
    index = EMPTY;
  }
  cached = { text, index };
  return index;
}

function arr(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export function normalisePath(p: string): string {
  return p.replace(/\\/g, '/').replace(/^\.\//, '');
}

/** One change to apply to the document: set a value at a path, or append to a list at a path. */
export type YamlChange = { op: 'set'; path: string[]; value: unknown; floatStyle?: boolean } | { op: 'append'; path: string[]; value: string };

function setDeep(doc: Document, path: string[], node: unknown): void {
  // `setIn` refuses to walk through an empty value (`params:` with nothing under it): replace it.
  for (let i = 1; i < path.length; i++) {
    const at = doc.getIn(path.slice(0, i), true);
    if (at !== undefined && !isMap(at)) {
      let value: unknown = node;
      for (let j = path.length - 1; j >= i; j--) value = { [path[j] ?? '']: value };
      doc.setIn(path.slice(0, i), doc.createNode(value));
      return;
    }
  }
  doc.setIn(path, node);
}

function apply(doc: Document, change: YamlChange): void {
  if (change.op === 'set') {
    const node = doc.createNode(change.value);
    if (change.floatStyle && node instanceof Scalar) node.minFractionDigits = 1;
    setDeep(doc, change.path, node);
    return;
  }
  const list = doc.getIn(change.path, true);
  if (isSeq(list)) list.add(doc.createNode(change.value));
  else setDeep(doc, change.path, doc.createNode([change.value]));
}

const TO_STRING = { lineWidth: 0, flowCollectionPadding: false } as const;

/**
 * The text edit that applies `changes` to `text`, or an error message when the file cannot be
 * edited safely (syntax errors, a root that is not a mapping).
 */
export function editYaml(text: string, changes: YamlChange[]): TextEdit | string {
  const doc = parseDocument(text);
  if (doc.errors.length) return `mlops.yaml has a syntax error (${doc.errors[0]?.message.split('\n')[0] ?? 'unknown'}): fix it first`;
  if (doc.contents !== null && !isMap(doc.contents) && !(isScalar(doc.contents) && doc.contents.value === null)) return 'mlops.yaml is not a mapping at the top level';
  if (!isMap(doc.contents)) {
    // Empty or comments only: append the new content after whatever is there.
    const fresh = new Document({});
    for (const c of changes) apply(fresh, c);
    const sep = text.length && !text.endsWith('\n') ? '\n' : '';
    return minimalEdit(text, text + sep + fresh.toString(TO_STRING));
  }
  // Re-rendering normalises spacing in places the change never touched, so the change is found
  // as the difference between two renderings and then applied to the user's own lines.
  const baseline = doc.toString(TO_STRING);
  for (const c of changes) apply(doc, c);
  const next = doc.toString(TO_STRING);
  const edit = minimalEdit(baseline, next);
  const sameShape = baseline.split('\n').length === text.split('\n').length;
  const pureInsert = edit.range.start.line === edit.range.end.line && edit.range.start.character === 0 && edit.range.end.character === 0;
  if (sameShape && pureInsert) {
    const at = edit.range.start;
    if (at.line < text.split('\n').length - 1 || text.endsWith('\n')) return { range: { start: at, end: at }, newText: edit.newText };
    return { range: { start: at, end: at }, newText: `\n${edit.newText.replace(/\n$/, '')}` };
  }
  return minimalEdit(text, text.length && !text.endsWith('\n') ? next.replace(/\n$/, '') : next);
}

/** Replaces only the lines that differ between `a` and `b`. */
export function minimalEdit(a: string, b: string): TextEdit {
  const la = a.split('\n');
  const lb = b.split('\n');
  let pre = 0;
  while (pre < la.length - 1 && pre < lb.length - 1 && la[pre] === lb[pre]) pre++;
  let suf = 0;
  while (suf < la.length - pre && suf < lb.length - pre && la[la.length - 1 - suf] === lb[lb.length - 1 - suf]) suf++;
  const index = new LineIndex(a);
  const start = index.offset({ line: pre, character: 0 });
  const endLine = la.length - suf;
  const end = endLine >= la.length ? a.length : index.offset({ line: endLine, character: 0 });
  const bIndex = new LineIndex(b);
  const nStart = bIndex.offset({ line: pre, character: 0 });
  const nEndLine = lb.length - suf;
  const nEnd = nEndLine >= lb.length ? b.length : bIndex.offset({ line: nEndLine, character: 0 });
  return { range: index.range(start, end), newText: b.slice(nStart, nEnd) };
}

/** A new `mlops.yaml` holding just what the fix adds (the project name from its folder). */
export function newYaml(project: string, changes: YamlChange[]): string {
  const doc = parseDocument(`version: 1\nproject:\n  name: ${JSON.stringify(project)}\n`);
  for (const c of changes) apply(doc, c);
  return doc.toString(TO_STRING);
}
