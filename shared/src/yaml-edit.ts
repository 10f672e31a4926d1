/**
 * Edits to `mlops.yaml` as insertions of block-style text into the user's own file: the `yaml`
 * parser only locates where a key or list item goes (node ranges); nothing is re-rendered, so
 * comments, spacing, flow lists and blank lines elsewhere stay byte for byte as they were. The
 * only replacements are the one empty value that must become a block (`data: {}`, `params:`) or
 * the one scalar being set.
 */
import { Document, Scalar, isMap, isScalar, isSeq, parseDocument, type Node as YamlNode, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';

/** One change: set a value at a key path, or append an item to the list at a key path. */
export type YamlChange = { op: 'set'; path: string[]; value: unknown; floatStyle?: boolean } | { op: 'append'; path: string[]; value: string };

/** A replacement of `[start, end)` of a text by `text`. */
export interface OffsetEdit {
  start: number;
  end: number;
  text: string;
}

type Plain = Record<string, unknown>;

function isPlain(v: unknown): v is Plain {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A scalar as YAML writes it (quoted only when it must be); never a multi-line block scalar. */
function scalarText(v: unknown, floatStyle = false): string {
  if (typeof v === 'string' && /[\n\r]/.test(v)) return JSON.stringify(v);
  const node = new Scalar(v);
  if (floatStyle) node.minFractionDigits = 1;
  return new Document(node).toString({ lineWidth: 0 }).trimEnd();
}

function flowText(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(flowText).join(', ')}]`;
  if (isPlain(v)) return `{ ${Object.entries(v).map(([k, x]) => `${scalarText(k)}: ${flowText(x)}`).join(', ')} }`;
  return scalarText(v);
}

/** Block lines for `key: value` at column `col`; lists of scalars stay on one line (`paths: [a.csv]`). */
function blockLines(key: string, value: unknown, col: number, unit: number, floatStyle: boolean): string[] {
  const pad = ' '.repeat(col);
  if (isPlain(value) && Object.keys(value).length) {
    return [`${pad}${scalarText(key)}:`, ...Object.entries(value).flatMap(([k, v]) => blockLines(k, v, col + unit, unit, floatStyle))];
  }
  if (Array.isArray(value) && value.some((x) => Array.isArray(x) || isPlain(x))) {
    return [`${pad}${scalarText(key)}:`, ...value.map((x) => `${pad}${' '.repeat(unit)}- ${flowText(x)}`)];
  }
  return [`${pad}${scalarText(key)}: ${typeof value === 'object' && value !== null ? flowText(value) : scalarText(value, floatStyle)}`];
}

/** `{a: {b: value}}` for the path `[a, b]`. */
function nest(path: string[], value: unknown): Plain {
  let v: unknown = value;
  for (let i = path.length - 1; i >= 0; i--) v = { [path[i] ?? '']: v };
  return v as Plain;
}

class Locator {
  readonly unit: number;

  constructor(readonly text: string) {
    this.unit = detectIndent(text);
  }

  column(offset: number): number {
    return offset - (this.text.lastIndexOf('\n', offset - 1) + 1);
  }

  /** The start of the line after the one holding `offset - 1` (the insertion point after a value). */
  afterLine(offset: number): number {
    if (offset > 0 && this.text[offset - 1] === '\n') return offset;
    const nl = this.text.indexOf('\n', offset);
    return nl < 0 ? this.text.length : nl + 1;
  }

  /** Lines inserted at `at`: a newline first when `at` is the end of a last line without one. */
  insertLines(at: number, lines: string[], blankBefore = false): OffsetEdit {
    const atEof = at === this.text.length && this.text.length > 0 && !this.text.endsWith('\n');
    const body = (blankBefore ? '\n' : '') + lines.join('\n');
    return { start: at, end: at, text: atEof ? `\n${body}` : `${body}\n` };
  }

  /** Offset just after the `:` that follows a key. */
  colonEnd(key: YamlNode): number {
    const end = key.range?.[1] ?? 0;
    const colon = this.text.indexOf(':', end);
    return colon < 0 ? end : colon + 1;
  }
}

/** The indentation step the file uses: the first nested block mapping under a top-level key, else 2. */
function detectIndent(text: string): number {
  const m = /^[^\s#-][^\n]*:[ \t]*(?:#[^\n]*)?\n(?:[ \t]*(?:#[^\n]*)?\n)*( +)[^\s#]/m.exec(text);
  const n = m?.[1]?.length ?? 2;
  return n > 0 && n <= 8 ? n : 2;
}

function findPair(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => isScalar(p.key) && String(p.key.value) === key) as Pair | undefined;
}

function isEmptyValue(v: unknown): boolean {
  return v === null || v === undefined || (isScalar(v) && v.value === null) || (isMap(v) && v.items.length === 0);
}

/** Edits that add `entries` (one key) to an existing, non-empty mapping. */
function addToMap(loc: Locator, map: YAMLMap, key: string, value: unknown, floatStyle: boolean, isRoot: boolean): OffsetEdit[] {
  const range = map.range;
  if (!range) return [];
  if (map.flow) return addToFlow(loc, map.items.map((p) => (p.value as YamlNode | null)?.range ?? (p.key as YamlNode).range), range, `${scalarText(key)}: ${flowText(value)}`);
  const col = loc.column(range[0]);
  const last = map.items[map.items.length - 1];
  const lastKey = last?.key as YamlNode | undefined;
  // Top-level sections separated by blank lines get one before the new section too.
  const lastStart = lastKey?.range?.[0] ?? 0;
  const blank = isRoot && /(^|\n)[ \t]*\r?\n([ \t]*#[^\n]*\n)*$/.test(loc.text.slice(0, lastStart)) && lastStart > 0;
  return [loc.insertLines(loc.afterLine(range[1]), blockLines(key, value, col, loc.unit, floatStyle), blank)];
}

/** Inserts `item` after the last item of a flow collection, keeping its one-line or one-per-line layout. */
function addToFlow(loc: Locator, items: ([number, number, number] | undefined | null)[], range: [number, number, number], item: string): OffsetEdit[] {
  const text = loc.text;
  const ranges = items.filter((r): r is [number, number, number] => !!r);
  const lastRange = ranges[ranges.length - 1];
  if (!lastRange) return [{ start: range[0] + 1, end: range[0] + 1, text: item }];
  const close = range[1] - 1;
  const after = lastRange[1];
  const prevEnd = ranges[ranges.length - 2]?.[1] ?? range[0] + 1;
  const multiLine = text.slice(prevEnd, lastRange[0]).includes('\n');
  const comma = /^[ \t]*,/.exec(text.slice(after, close));
  const at = comma ? after + comma[0].length : after;
  const nl = text.indexOf('\n', at);
  if (multiLine && nl >= 0 && nl < close) {
    // One item per line: the new one gets its own line, a comment after the last item stays put.
    const line = `${' '.repeat(loc.column(lastRange[0]))}${item}${comma ? ',' : ''}`;
    const edits = [loc.insertLines(nl + 1, [line])];
    return comma ? edits : [{ start: after, end: after, text: ',' }, ...edits];
  }
  return [{ start: at, end: at, text: comma ? ` ${item},` : `, ${item}` }];
}

/** Edits that give an empty key (`params:`, `data: {}`) a block of `value` under it. */
function fillEmpty(loc: Locator, pair: Pair, value: unknown, floatStyle: boolean): OffsetEdit[] {
  const key = pair.key as YamlNode;
  const col = loc.column(key.range?.[0] ?? 0);
  const colon = loc.colonEnd(key);
  if (!isPlain(value)) return [{ start: colon, end: colon, text: ` ${Array.isArray(value) ? flowText(value) : scalarText(value, floatStyle)}` }];
  const lines = Object.entries(value).flatMap(([k, v]) => blockLines(k, v, col + loc.unit, loc.unit, floatStyle));
  const v = pair.value as YamlNode | null;
  if (!isMap(v) || !v.range) return [loc.insertLines(loc.afterLine(colon), lines)];
  // `data: {}`: the braces go; a comment after them stays on the key's line.
  const braceEnd = v.range[1];
  const lineEnd = loc.text.indexOf('\n', braceEnd) < 0 ? loc.text.length : loc.text.indexOf('\n', braceEnd);
  const rest = loc.text.slice(braceEnd, lineEnd);
  if (/^[ \t]*\r?$/.test(rest)) return [{ start: colon, end: braceEnd, text: `\n${lines.join('\n')}` }];
  return [{ start: colon, end: braceEnd, text: '' }, loc.insertLines(loc.afterLine(braceEnd), lines)];
}

/** The edits of one change against `text`, or an error message. */
function changeEdits(loc: Locator, root: YAMLMap | null, change: YamlChange): OffsetEdit[] | string {
  const value = change.op === 'append' ? [change.value] : change.value;
  const floatStyle = change.op === 'set' && change.floatStyle === true;
  const { path } = change;
  if (!root) {
    const [head = '', ...rest] = path;
    return [loc.insertLines(loc.text.length, blockLines(head, rest.length ? nest(rest, value) : value, 0, loc.unit, floatStyle))];
  }
  let map: YAMLMap = root;
  for (let i = 0; i < path.length; i++) {
    const key = path[i] ?? '';
    const rest = path.slice(i + 1);
    const pair = findPair(map, key);
    if (!pair) return addToMap(loc, map, key, rest.length ? nest(rest, value) : value, floatStyle, map === root);
    const v = pair.value as YamlNode | null;
    if (i === path.length - 1) return setLeaf(loc, pair, change, floatStyle);
    if (isEmptyValue(v)) return fillEmpty(loc, pair, nest(rest, value), floatStyle);
    if (!isMap(v)) return `${path.slice(0, i + 1).join('.')} in mlops.yaml holds a value, not a mapping`;
    map = v;
  }
  return [];
}

function setLeaf(loc: Locator, pair: Pair, change: YamlChange, floatStyle: boolean): OffsetEdit[] | string {
  const v = pair.value as YamlNode | null;
  const where = change.path.join('.');
  if (change.op === 'append') {
    if (isEmptyValue(v) && !isMap(v)) return fillEmpty(loc, pair, [change.value], false);
    if (!isSeq(v) || !v.range) return `${where} in mlops.yaml is not a list`;
    return appendToSeq(loc, v, change.value);
  }
  if (isEmptyValue(v) && (isPlain(change.value) || !isMap(v))) return fillEmpty(loc, pair, change.value, floatStyle);
  if (!isScalar(v) || !v.range || isPlain(change.value) || Array.isArray(change.value)) return `${where} in mlops.yaml already holds a value`;
  return [{ start: v.range[0], end: v.range[1], text: scalarText(change.value, floatStyle) }];
}

function appendToSeq(loc: Locator, seq: YAMLSeq, value: string): OffsetEdit[] {
  const range = seq.range;
  if (!range) return [];
  if (seq.flow) return addToFlow(loc, seq.items.map((n) => (n as YamlNode | null)?.range), range, scalarText(value));
  return [loc.insertLines(loc.afterLine(range[1]), [`${' '.repeat(loc.column(range[0]))}- ${scalarText(value)}`])];
}

/**
 * Folds an edit made to the current text (the original with `acc` applied) into `acc`, kept in
 * the original's offsets: edits touching an earlier one merge with it, so two insertions at one
 * place never depend on the order an editor applies them in.
 */
function compose(acc: OffsetEdit[], current: string, e: OffsetEdit): OffsetEdit[] {
  let delta = 0;
  const before: OffsetEdit[] = [];
  const run: { a: OffsetEdit; s: number; t: number }[] = [];
  const after: OffsetEdit[] = [];
  for (const a of acc) {
    const s = a.start + delta;
    const t = s + a.text.length;
    if (t < e.start && !run.length) before.push(a);
    else if (s > e.end) after.push(a);
    else run.push({ a, s, t });
    delta += a.text.length - (a.end - a.start);
  }
  const shift = before.reduce((d, a) => d + a.text.length - (a.end - a.start), 0);
  const first = run[0];
  const last = run[run.length - 1];
  if (!first || !last) return [...before, { start: e.start - shift, end: e.end - shift, text: e.text }, ...after];
  const ms = Math.min(e.start, first.s);
  const me = Math.max(e.end, last.t);
  const start = e.start < first.s ? first.a.start - (first.s - e.start) : first.a.start;
  const end = e.end > last.t ? last.a.end + (e.end - last.t) : last.a.end;
  return [...before, { start, end, text: current.slice(ms, e.start) + e.text + current.slice(e.end, me) }, ...after];
}

function applyOffsetEdit(text: string, e: OffsetEdit): string {
  return text.slice(0, e.start) + e.text + text.slice(e.end);
}

/**
 * The edits (in `text`'s offsets, sorted, non-overlapping) that apply `changes` one after the
 * other, or an error message when the file cannot be edited safely.
 */
export function yamlEdits(text: string, changes: YamlChange[]): OffsetEdit[] | string {
  let current = text;
  let acc: OffsetEdit[] = [];
  // Checked even with no change, so a broken file is reported rather than silently left alone.
  for (let i = 0; i <= changes.length; i++) {
    const doc = parseDocument(current);
    if (doc.errors.length) return `mlops.yaml has a syntax error (${doc.errors[0]?.message.split('\n')[0] ?? 'unknown'}): fix it first`;
    const root = doc.contents;
    if (root !== null && !isMap(root) && !(isScalar(root) && root.value === null)) return 'mlops.yaml is not a mapping at the top level';
    const change = changes[i];
    if (!change) break;
    const edits = changeEdits(new Locator(current), isMap(root) ? root : null, change);
    if (typeof edits === 'string') return edits;
    const eol = current.includes('\r\n') ? '\r\n' : '\n';
    // Later offsets first, so each edit's offsets still hold when it is applied.
    for (const e of [...edits].sort((a, b) => b.start - a.start)) {
      const fixed = eol === '\n' ? e : { ...e, text: e.text.replace(/\r?\n/g, eol) };
      acc = compose(acc, current, fixed);
      current = applyOffsetEdit(current, fixed);
    }
  }
  return acc;
}

/** `text` with the edits of `yamlEdits` applied. */
export function applyYamlEdits(text: string, edits: OffsetEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = applyOffsetEdit(out, e);
  return out;
}
