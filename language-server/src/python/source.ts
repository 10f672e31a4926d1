/**
 * The analysed Python text and where each part of it lives. A `.py` file maps onto itself; a
 * notebook's code cells are joined into one text (with IPython syntax masked) and every offset maps
 * back to its cell document (LSP notebooks) or to the characters inside the `.ipynb` JSON strings.
 */
import { LineIndex } from '../core/text';
import { type Range, type TextEdit } from '../core/types';
import { maskIpython } from './parser';
import { parseJsonLocated, type JsonNode, type JsonString } from './json-located';

interface Segment {
  vStart: number;
  vEnd: number;
  uri: string;
  index: LineIndex;
  /** Target offset of each virtual offset in the segment (length + 1 entries), when not contiguous. */
  rawMap?: number[];
  tStart: number;
  escape: (s: string) => string;
}

export class MappedText {
  constructor(
    readonly text: string,
    private readonly segments: Segment[],
    readonly notebook: boolean,
    readonly uris: string[],
    /** A notebook's code cells as virtual [start, end) ranges, in order; empty for a plain file. */
    readonly cells: { start: number; end: number }[] = [],
  ) {}

  /** The index of the cell holding virtual offset `v` (-1 outside cells or in a plain file). */
  cellAt(v: number): number {
    let lo = 0;
    let hi = this.cells.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const c = this.cells[mid];
      if (!c) break;
      if (v < c.start) hi = mid - 1;
      else if (v > c.end) lo = mid + 1;
      else return mid;
    }
    return -1;
  }

  private segmentAt(v: number): Segment | undefined {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = this.segments[mid];
      if (!s) break;
      if (v < s.vStart) hi = mid - 1;
      else if (v > s.vEnd || (v === s.vEnd && this.segments[mid + 1]?.vStart === v)) lo = mid + 1;
      else return s;
    }
    return undefined;
  }

  private targetOffset(s: Segment, v: number): number {
    const i = Math.max(0, Math.min(v - s.vStart, s.vEnd - s.vStart));
    return s.rawMap ? (s.rawMap[i] ?? s.tStart) : s.tStart + i;
  }

  /** The target document and range of virtual [start, end); undefined when it spans two targets. */
  toTarget(start: number, end: number): { uri: string; range: Range } | undefined {
    const s = this.segmentAt(start);
    if (!s || end > s.vEnd) return undefined;
    return { uri: s.uri, range: s.index.range(this.targetOffset(s, start), this.targetOffset(s, end)) };
  }

  /** Replacing virtual [start, end) with `newText`, as an edit of the target document. */
  edit(start: number, end: number, newText: string): { uri: string; edit: TextEdit } | undefined {
    const t = this.toTarget(start, end);
    const s = this.segmentAt(start);
    if (!t || !s) return undefined;
    return { uri: t.uri, edit: { range: t.range, newText: s.escape(newText) } };
  }
}

const identity = (s: string): string => s;

export function plainSource(uri: string, text: string): MappedText {
  const seg: Segment = { vStart: 0, vEnd: text.length, uri, index: new LineIndex(text), tStart: 0, escape: identity };
  return new MappedText(text, [seg], false, [uri]);
}

export interface CellText {
  uri: string;
  text: string;
}

/** LSP notebook documents: one text document per code cell. */
export function cellsSource(cells: CellText[]): MappedText {
  const parts: string[] = [];
  const segments: Segment[] = [];
  const ranges: { start: number; end: number }[] = [];
  let v = 0;
  for (const cell of cells) {
    const masked = maskIpython(cell.text);
    segments.push({ vStart: v, vEnd: v + masked.length, uri: cell.uri, index: new LineIndex(cell.text), tStart: 0, escape: identity });
    ranges.push({ start: v, end: v + masked.length });
    parts.push(masked);
    v += masked.length + 1;
  }
  return new MappedText(parts.join('\n'), segments, true, cells.map((c) => c.uri), ranges);
}

const jsonEscape = (s: string): string => JSON.stringify(s).slice(1, -1);

function field(node: JsonNode | undefined, key: string): JsonNode | undefined {
  return node?.kind === 'object' ? node.entries.find(([k]) => k === key)?.[1] : undefined;
}

function notebookLanguage(root: JsonNode): string {
  const meta = field(root, 'metadata');
  const lang = field(field(meta, 'language_info'), 'name') ?? field(field(meta, 'kernelspec'), 'language');
  return lang?.kind === 'string' ? lang.value.toLowerCase() : 'python';
}

/**
 * A `.ipynb` file opened as JSON text. Returns undefined when the text is not a notebook (or not
 * a Python one); then there is nothing to analyse.
 */
export function ipynbSource(uri: string, json: string): MappedText | undefined {
  const root = parseJsonLocated(json);
  const cells = field(root, 'cells');
  if (!root || cells?.kind !== 'array' || notebookLanguage(root) !== 'python') return undefined;
  const index = new LineIndex(json);
  const parts: string[] = [];
  const segments: Segment[] = [];
  const ranges: { start: number; end: number }[] = [];
  let v = 0;
  for (const cell of cells.items) {
    const type = field(cell, 'cell_type');
    if (type?.kind !== 'string' || type.value !== 'code') continue;
    const src = field(cell, 'source');
    const strings: JsonString[] = src?.kind === 'string' ? [src] : src?.kind === 'array' ? src.items.filter((i): i is JsonString => i.kind === 'string') : [];
    const masked = maskIpython(strings.map((s) => s.value).join(''));
    let offset = 0;
    for (const s of strings) {
      segments.push({ vStart: v + offset, vEnd: v + offset + s.value.length, uri, index, rawMap: s.rawMap, tStart: s.rawMap[0] ?? 0, escape: jsonEscape });
      offset += s.value.length;
    }
    ranges.push({ start: v, end: v + masked.length });
    parts.push(masked);
    v += masked.length + 1;
  }
  return new MappedText(parts.join('\n'), segments, true, [uri], ranges);
}

export function isNotebookUri(uri: string): boolean {
  return /\.ipynb$/i.test(uri.split(/[?#]/)[0] ?? '');
}
