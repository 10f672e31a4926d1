/**
 * Tree-sitter Python, loaded once per process. web-tree-sitter needs an async start (it compiles
 * two wasm modules); everything after `initPython()` is synchronous so the analysers stay plain
 * functions of text. In the bundle the wasm files sit next to dist/language-server.js (copied by
 * scripts/build.ts); from source they resolve through node_modules.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Language, Parser, type Edit, type Point, type Tree } from 'web-tree-sitter';

let language: Language | undefined;
let loading: Promise<Language> | undefined;

function locate(file: string, pkg: string): string {
  const local = join(__dirname, file);
  if (existsSync(local)) return local;
  return require.resolve(`${pkg}/${file}`);
}

/** Loads the parser runtime and the Python grammar; safe to call many times. */
export function initPython(): Promise<Language> {
  if (language) return Promise.resolve(language);
  loading ??= (async () => {
    await Parser.init({ locateFile: (name: string) => locate(name, 'web-tree-sitter') });
    language = await Language.load(locate('tree-sitter-python.wasm', 'tree-sitter-python'));
    return language;
  })();
  return loading;
}

export function pythonReady(): boolean {
  return language !== undefined;
}

/** A fresh parser for Python (after `initPython()`), for parsing pieces on their own. */
export function newPythonParser(): Parser {
  if (!language) throw new Error('the Python parser is not loaded yet: await initPython() first');
  const parser = new Parser();
  parser.setLanguage(language);
  return parser;
}

/** The row/column tree-sitter expects for an offset of `text` (web-tree-sitter counts UTF-16 units, like its indexes). */
function pointAt(text: string, offset: number): Point {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: offset - lineStart };
}

/**
 * The one changed span between two texts: common prefix and suffix removed. Compared a block at a
 * time (string equality of slices runs natively), then character by character within the block.
 */
export function diffSpan(a: string, b: string): { start: number; oldEnd: number; newEnd: number } | undefined {
  if (a === b) return undefined;
  // Edited texts are rope-like strings (slices joined with the change); one native scan flattens
  // them, after which slices compare at memory speed instead of walking the rope per character.
  a.indexOf('\0');
  b.indexOf('\0');
  const max = Math.min(a.length, b.length);
  const BLOCK = 2048;
  let start = 0;
  while (start + BLOCK <= max && a.slice(start, start + BLOCK) === b.slice(start, start + BLOCK)) start += BLOCK;
  while (start < max && a.charCodeAt(start) === b.charCodeAt(start)) start++;
  let tail = 0;
  const room = max - start;
  while (tail + BLOCK <= room && a.slice(a.length - tail - BLOCK, a.length - tail) === b.slice(b.length - tail - BLOCK, b.length - tail)) tail += BLOCK;
  while (tail < room && a.charCodeAt(a.length - 1 - tail) === b.charCodeAt(b.length - 1 - tail)) tail++;
  return { start, oldEnd: a.length - tail, newEnd: b.length - tail };
}

/**
 * Keeps the previous tree and text: each new text is diffed against the old one, the old tree is
 * told about the edit, and tree-sitter re-parses reusing every untouched subtree.
 */
export class IncrementalParser {
  private readonly parser: Parser;
  private tree: Tree | undefined;
  private text = '';

  constructor() {
    if (!language) throw new Error('the Python parser is not loaded yet: await initPython() first');
    this.parser = new Parser();
    this.parser.setLanguage(language);
  }

  parse(text: string): Tree {
    const old = this.tree;
    if (old && text === this.text) return old;
    const span = old ? diffSpan(this.text, text) : undefined;
    if (old && span) {
      const edit: Edit = {
        startIndex: span.start,
        oldEndIndex: span.oldEnd,
        newEndIndex: span.newEnd,
        startPosition: pointAt(this.text, span.start),
        oldEndPosition: pointAt(this.text, span.oldEnd),
        newEndPosition: pointAt(text, span.newEnd),
      };
      old.edit(edit);
    }
    const tree = this.parser.parse(text, old ?? null);
    if (!tree) throw new Error('tree-sitter returned no tree');
    old?.delete();
    this.tree = tree;
    this.text = text;
    return tree;
  }

  dispose(): void {
    this.tree?.delete();
    this.tree = undefined;
    this.parser.delete();
  }
}

/**
 * IPython syntax is not Python: magics (`%time`, `%%bash`), shell escapes (`!pip`), help (`x?`).
 * They are blanked out with the text's length kept, so offsets stay those of the original cell.
 */
export function maskIpython(cell: string): string {
  const lines = cell.split('\n');
  const first = lines[0] ?? '';
  // A cell magic owns the whole cell unless it only times Python code.
  if (/^\s*%%/.test(first) && !/^\s*%%(time|timeit|capture|prun)\b/.test(first)) {
    return lines.map((l) => (l.length ? '#' + l.slice(1) : l)).join('\n');
  }
  return lines
    .map((l) => {
      const m = /^(\s*)([!%?])/.exec(l);
      if (m) return m[1] + '#' + l.slice(m[0].length);
      const assign = /^(\s*[A-Za-z_][\w.]*\s*=\s*)[!%]/.exec(l);
      const lhs = assign?.[1];
      if (lhs !== undefined) return lhs + '0' + ' '.repeat(l.length - lhs.length - 1);
      if (/^\s*[\w.]+\?{1,2}\s*$/.test(l)) return l.replace(/\?/g, ' ');
      return l;
    })
    .join('\n');
}
