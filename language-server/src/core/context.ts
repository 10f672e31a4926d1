/**
 * Where the cursor is, read from the text's indentation rather than the parse tree, so completion
 * still works in the half-typed, often invalid document of someone mid-edit.
 */
import { type LineIndex } from './text';
import { type PathSegment } from './types';

export interface CursorContext {
  /** Path of the mapping (or list) the cursor is inside. */
  path: PathSegment[];
  /** "key": typing a key of that mapping; "value": typing the value of `key`; "item": a list item. */
  at: 'key' | 'value' | 'item';
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
  const kv = /^([^\s:#][^:#]*?)\s*:\s*(.*)$/.exec(rest);
  if (kv?.[1] !== undefined) {
    const typed = kv[2] ?? '';
    return { path, at: 'value', key: kv[1], prefix: typed, prefixStart: lineStart + character - typed.length };
  }
  if (dashes.length && !/^[\w.-]*$/.test(rest)) return { path, at: 'item', prefix: rest, prefixStart: lineStart + i };
  return { path, at: dashes.length ? 'item' : 'key', prefix: rest, prefixStart: lineStart + i };
}
