/**
 * Where the cursor is, read from the text's indentation rather than the parse tree, so completion
 * still works in the half-typed, often invalid document of someone mid-edit.
 */
import { type LineIndex } from './text';
import { type PathSegment } from './types';

export interface CursorContext {
  /** Path of the mapping (or list) the cursor is inside. */
  path: PathSegment[];
  /**
   * "key": typing a key of that mapping; "value": typing the value of `key`; "item": a list item;
   * "none": nothing to offer (a comment, or past a closed flow collection).
   */
  at: 'key' | 'value' | 'item' | 'none';
  key?: string;
  /** What is typed so far, replaced by the completion. */
  prefix: string;
  prefixStart: number;
}

interface LineShape {
  dashes: number[];
  key?: { name: string; col: number; empty: boolean };
}

const KEY_RE = /^([^\s:#'"{}[\],&*!|>-][^:#]*?|"[^"]*"|'[^']*')\s*:(?:\s+(.*))?$/;

function shape(text: string): LineShape | undefined {
  let i = 0;
  while (text[i] === ' ') i++;
  if (i >= text.length || text[i] === '#') return undefined;
  const dashes: number[] = [];
  while (text[i] === '-' && (text[i + 1] === ' ' || i + 1 === text.length)) {
    dashes.push(i);
    i += 2;
    while (text[i] === ' ') i++;
  }
  const m = KEY_RE.exec(text.slice(i));
  if (!m || m[1] === undefined) return { dashes };
  const rest = (m[2] ?? '').replace(/\s*#.*$/, '');
  return { dashes, key: { name: m[1].replace(/^["']|["']$/g, ''), col: i, empty: rest === '' } };
}

/** Ancestor path of a line whose content starts at column `col`. */
export function enclosingPath(index: LineIndex, line: number, col: number): PathSegment[] {
  const path: PathSegment[] = [];
  let cur = col;
  let afterDash = false;
  for (let l = line - 1; l >= 0 && (cur > 0 || afterDash); l--) {
    const s = shape(index.lineText(l));
    if (!s) continue;
    if (s.key && (s.key.col < cur || (s.key.col === cur && afterDash && s.key.empty))) {
      if (s.key.empty || s.key.col < cur) {
        path.unshift(s.key.name);
        cur = s.key.col;
        afterDash = false;
      }
    }
    for (let d = s.dashes.length - 1; d >= 0; d--) {
      const dc = s.dashes[d] ?? 0;
      if (dc < cur) {
        path.unshift(0);
        cur = dc;
        afterDash = true;
      }
    }
  }
  return path;
}

interface FlowFrame {
  kind: 'seq' | 'map';
  /** Item index (sequences) or the key of the current entry (maps). */
  index: number;
  key?: string;
  /** Maps: past the ":" of the current entry. */
  inValue: boolean;
  /** Offset (in the scanned text) where the current entry starts. */
  entryStart: number;
}

/** End of a quoted scalar starting at `i` (the quote), or the text length when unclosed. */
function quotedEnd(text: string, i: number): number {
  const q = text[i];
  for (let j = i + 1; j < text.length; j++) {
    if (q === '"' && text[j] === '\\') j++;
    else if (text[j] === q) {
      if (q === "'" && text[j + 1] === "'") j++;
      else return j + 1;
    }
  }
  return text.length;
}

function unquote(s: string): string {
  const t = s.trim();
  return /^(["']).*\1$/.test(t) ? t.slice(1, -1) : t;
}

/** A ":" in flow context is a value indicator when followed by a space, a flow indicator or the end. */
function isValueColon(text: string, i: number): boolean {
  const next = text[i + 1];
  return next === undefined || next === ' ' || next === ',' || next === ']' || next === '}' || next === '\t';
}

/** Open flow collections at the end of `text` (which starts with "[" or "{"), innermost last; undefined inside a comment. */
function scanFlow(text: string): FlowFrame[] | undefined {
  const stack: FlowFrame[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const top = stack[stack.length - 1];
    const prev = text[i - 1];
    if ((c === '"' || c === "'") && (i === 0 || /[\s[{,:]/.test(prev ?? ''))) {
      const end = quotedEnd(text, i);
      if (end >= text.length) return stack;
      i = end - 1;
    } else if (c === '#' && /\s/.test(prev ?? '')) return undefined;
    else if (c === '[' || c === '{') {
      stack.push({ kind: c === '[' ? 'seq' : 'map', index: 0, inValue: false, entryStart: i + 1 });
    } else if (c === ']' || c === '}') stack.pop();
    else if (c === ',' && top) {
      top.index++;
      top.key = undefined;
      top.inValue = false;
      top.entryStart = i + 1;
    } else if (c === ':' && top?.kind === 'map' && !top.inValue && isValueColon(text, i)) {
      top.key = unquote(text.slice(top.entryStart, i));
      top.inValue = true;
      top.entryStart = i + 1;
    }
  }
  return stack;
}

/**
 * The cursor inside a flow collection that `flow` (text up to the cursor, starting at `start`)
 * opens: `base` is the path of that collection's parent value.
 */
function flowContext(base: PathSegment[], flow: string, start: number): CursorContext {
  const stack = scanFlow(flow);
  if (!stack?.length) return { path: base, at: 'none', prefix: '', prefixStart: start + flow.length };
  const path = [...base];
  stack.forEach((f, i) => {
    const last = i === stack.length - 1;
    if (f.kind === 'seq') path.push(f.index);
    else if (!last && f.key !== undefined) path.push(f.key);
  });
  const top = stack[stack.length - 1] as FlowFrame;
  const raw = flow.slice(top.entryStart);
  const prefix = raw.trimStart();
  const prefixStart = start + flow.length - prefix.length;
  if (top.kind === 'seq') return { path, at: 'item', prefix, prefixStart };
  if (top.inValue && top.key !== undefined) return { path, at: 'value', key: top.key, prefix, prefixStart };
  return { path, at: 'key', prefix, prefixStart };
}

export function cursorContext(index: LineIndex, line: number, character: number): CursorContext {
  const full = index.lineText(line);
  const before = full.slice(0, character);
  const lineStart = index.lineStarts[line] ?? 0;
  let i = 0;
  while (before[i] === ' ') i++;
  const dashes: number[] = [];
  while (before[i] === '-' && before[i + 1] === ' ') {
    dashes.push(i);
    i += 2;
    while (before[i] === ' ') i++;
  }
  const outer = enclosingPath(index, line, dashes[0] ?? i);
  const path = [...outer, ...dashes.map(() => 0)];
  const rest = before.slice(i);
  if (rest.startsWith('[') || rest.startsWith('{')) return flowContext(path, rest, lineStart + i);
  const kv = /^([^\s:#][^:#]*?)\s*:\s*(.*)$/.exec(rest);
  if (kv?.[1] !== undefined) {
    const typed = kv[2] ?? '';
    const start = lineStart + character - typed.length;
    if (typed.startsWith('[') || typed.startsWith('{')) return flowContext([...path, unquote(kv[1])], typed, start);
    return { path, at: 'value', key: kv[1], prefix: typed, prefixStart: start };
  }
  if (dashes.length && !/^[\w.-]*$/.test(rest)) return { path, at: 'item', prefix: rest, prefixStart: lineStart + i };
  return { path, at: dashes.length ? 'item' : 'key', prefix: rest, prefixStart: lineStart + i };
}
