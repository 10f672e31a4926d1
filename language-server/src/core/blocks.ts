/**
 * Block-wise parsing of large documents with a cache keyed by block text (see parse.ts for why).
 * Returns undefined whenever the block view could differ from a whole parse; the caller then
 * parses the whole document, which also reports any syntax error at its true position.
 */
import { Pair, YAMLMap, isMap, isScalar, parseDocument, type Node, type Scalar } from 'yaml';
import { YAML_OPTIONS } from '../../../shared/src/mlops-yaml';
import { LIMITS } from '../../../shared/src/yaml-guards';
import { shiftNode } from '../../../shared/src/yaml-nodes';

interface Line {
  start: number;
  indent: number;
  blank: boolean;
  dash: boolean;
}

interface Leaf {
  kind: 'leaf';
  from: number;
  to: number;
}
interface Section {
  kind: 'section';
  header: number;
  children: Piece[];
}
type Piece = Leaf | Section;

interface Entry {
  pair: Pair<Scalar, unknown>;
  value: unknown;
  base: number;
  generation: number;
}

const KEY_LINE = /^ *(?:[A-Za-z0-9_][A-Za-z0-9_./-]*|"[^"\\\n]*"|'[^'\n]*') *:(?: |$)/;
const HEADER_LINE = /^ *(?:[A-Za-z0-9_][A-Za-z0-9_./-]*|"[^"\\\n]*"|'[^'\n]*') *: *(?:#.*)?\r?$/;
/** Anchors, aliases (and so merge keys), directives, document markers, tab indentation. */
const UNSAFE = /(?:^|[\s[{,])[&*][^\s,\]}"'&*]|^%|^(?:---|\.\.\.)(?:\s|$)|^ *\t/m;
const SPLIT_LINES = 40;

function scanLines(text: string): Line[] {
  const lines: Line[] = [];
  let pos = 0;
  for (;;) {
    const nl = text.indexOf('\n', pos);
    const end = nl < 0 ? text.length : nl;
    let i = pos;
    while (i < end && text.charCodeAt(i) === 32) i++;
    const c = text.charCodeAt(i);
    const blank = i >= end || c === 35 || (c === 13 && i + 1 >= end);
    lines.push({ start: pos, indent: i - pos, blank, dash: c === 45 });
    if (nl < 0) return lines;
    pos = nl + 1;
  }
}

export class BlockParser {
  private cache = new Map<string, Entry>();
  private generation = 0;
  private text = '';
  private lines: Line[] = [];

  /** Root map and value of `text`, or undefined when the document must be parsed whole. */
  parse(text: string): { root: YAMLMap; value: Record<string, unknown> } | undefined {
    if (UNSAFE.test(text)) return undefined;
    this.text = text;
    this.lines = scanLines(text);
    this.generation++;
    const pieces = this.cut(0, this.lines.length, 0);
    if (!pieces || !pieces.length) return undefined;
    const next = new Map<string, Entry>();
    const built = this.assemble(pieces, next);
    this.cache = next;
    return built;
  }

  private lineText(i: number): string {
    const l = this.lines[i];
    if (!l) return '';
    const next = this.lines[i + 1];
    return this.text.slice(l.start, next ? next.start - 1 : this.text.length);
  }

  private cut(from: number, to: number, indent: number): Piece[] | undefined {
    const pieces: Piece[] = [];
    let entry = -1;
    for (let i = from; i < to; i++) {
      const l = this.lines[i];
      if (!l || l.blank) continue;
      if (l.indent < indent || (entry < 0 && l.indent !== indent)) return undefined;
      if (l.indent !== indent) continue;
      if (l.dash || !KEY_LINE.test(this.lineText(i))) return undefined;
      if (entry >= 0) pieces.push(this.piece(entry, i, indent));
      entry = i;
    }
    if (entry >= 0) pieces.push(this.piece(entry, to, indent));
    return pieces;
  }

  private piece(from: number, to: number, indent: number): Piece {
    if (to - from > SPLIT_LINES && HEADER_LINE.test(this.lineText(from))) {
      let first = from + 1;
      while (first < to && this.lines[first]?.blank) first++;
      const l = this.lines[first];
      if (l && l.indent > indent && !l.dash) {
        const children = this.cut(first, to, l.indent);
        if (children) return { kind: 'section', header: from, children };
      }
    }
    return { kind: 'leaf', from, to };
  }

  private offsetOf(line: number): number {
    return this.lines[line]?.start ?? this.text.length;
  }

  /** One key: value entry parsed alone, from the cache when its text is unchanged. */
  private entry(from: number, to: number, headerOnly: boolean, next: Map<string, Entry>): Entry | undefined {
    const base = this.offsetOf(from);
    const src = headerOnly ? this.lineText(from) : this.text.slice(base, this.offsetOf(to));
    const key = headerOnly ? `\u0000${src}` : src;
    const hit = this.cache.get(key) ?? next.get(key);
    if (hit && hit.generation !== this.generation) {
      shiftNode(hit.pair, base - hit.base);
      hit.base = base;
      hit.generation = this.generation;
      next.set(key, hit);
      return hit;
    }
    const doc = parseDocument(src, YAML_OPTIONS);
    if (doc.errors.length || !isMap(doc.contents) || doc.contents.items.length !== 1) return undefined;
    const pair = doc.contents.items[0] as Pair<unknown, unknown>;
    if (!isScalar(pair.key)) return undefined;
    let js: unknown;
    try {
      js = doc.toJS({ maxAliasCount: LIMITS.maxAliasCount });
    } catch {
      return undefined;
    }
    const value = js && typeof js === 'object' ? Object.values(js)[0] : undefined;
    shiftNode(pair, base);
    const made: Entry = { pair: pair as Pair<Scalar, unknown>, value, base, generation: this.generation };
    if (!hit) next.set(key, made);
    return made;
  }

  private assemble(pieces: Piece[], next: Map<string, Entry>): { root: YAMLMap; value: Record<string, unknown> } | undefined {
    const map = new YAMLMap();
    const value: Record<string, unknown> = {};
    for (const p of pieces) {
      let pair: Pair<Scalar, unknown>;
      let v: unknown;
      if (p.kind === 'leaf') {
        const e = this.entry(p.from, p.to, false, next);
        if (!e) return undefined;
        pair = e.pair;
        v = e.value;
      } else {
        const head = this.entry(p.header, p.header + 1, true, next);
        const inner = head && this.assemble(p.children, next);
        if (!head || !inner) return undefined;
        pair = new Pair(head.pair.key, inner.root);
        v = inner.value;
      }
      const k = String(pair.key.value);
      if (Object.hasOwn(value, k)) return undefined;
      map.items.push(pair);
      Object.defineProperty(value, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
    const first = map.items[0]?.key as Node | undefined;
    const last = map.items[map.items.length - 1];
    const end = ((last?.value as Node | null)?.range ?? (last?.key as Node | undefined)?.range)?.[2] ?? 0;
    map.range = [first?.range?.[0] ?? 0, end, end];
    return { root: map, value };
  }
}
