/**
 * Parsing with positions. Small documents are parsed whole. Large ones are cut into blocks along
 * their indentation (top-level keys, and big blocks again into their child keys); each block is
 * parsed on its own and cached by its text, so an edit re-parses only the block it touched and
 * the others are reused, shifted to their new offsets. Anything the cut could change the meaning
 * of (anchors/aliases, document markers, tabs, flow or complex keys at a cut) falls back to a full
 * parse, as does any structural change that makes a block unparseable on its own.
 */
import { type Document, type Node, parseAllDocuments } from 'yaml';
import { BlockParser } from './blocks';
import { LineIndex } from './text';
import { LIMITS, checkGuards } from './guards';
import { type DiagnosticCode } from './types';

export interface YamlProblem {
  code: DiagnosticCode;
  message: string;
  start: number;
  end: number;
}

export interface ParsedYaml {
  text: string;
  index: LineIndex;
  /** Root node with absolute offsets in `range`; null when empty or refused. */
  root: Node | null;
  /** The plain value (aliases and merge keys resolved); undefined when empty or refused. */
  value: unknown;
  problems: YamlProblem[];
  mode: 'full' | 'blocks' | 'refused';
}

const PARSE_OPTIONS = { merge: true, uniqueKeys: true, prettyErrors: false, keepSourceTokens: false, logLevel: 'error' } as const;
/** Below this many lines a whole parse costs ~1 ms and cutting buys nothing. */
const BLOCK_MODE_MIN_LINES = 200;

function errorCode(code: string): DiagnosticCode {
  return code === 'DUPLICATE_KEY' ? 'duplicate-key' : 'yaml-syntax';
}

function firstLine(message: string): string {
  return message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? message;
}

/** Resolves the value, turning alias bombs and unresolved aliases into problems. */
function toValue(doc: Document, base: number, problems: YamlProblem[]): unknown {
  try {
    return doc.toJS({ maxAliasCount: LIMITS.maxAliasCount });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const at = doc.contents?.range ?? [0, 0];
    const bomb = /alias count/i.test(msg);
    problems.push({
      code: bomb ? 'alias-limit' : 'yaml-syntax',
      message: bomb
        ? `aliases expand to too many nodes (limit ${LIMITS.maxAliasCount}): refusing a possible YAML bomb`
        : firstLine(msg),
      start: base + at[0],
      end: base + at[0],
    });
    return undefined;
  }
}

function toProblem(text: string, code: string, message: string, pos: [number, number]): YamlProblem {
  if (code !== 'DUPLICATE_KEY') return { code: errorCode(code), message: firstLine(message), start: pos[0], end: pos[1] };
  const key = /^[^:\n]*/.exec(text.slice(pos[0], pos[0] + 200))?.[0].trimEnd() ?? '';
  return {
    code: 'duplicate-key',
    message: `duplicate key ${JSON.stringify(key.replace(/^["']|["']$/g, ''))}: only the last one would count; remove or rename one`,
    start: pos[0],
    end: pos[0] + Math.max(1, key.length),
  };
}

function fullParse(text: string, index: LineIndex): ParsedYaml {
  const problems: YamlProblem[] = [];
  const docs = parseAllDocuments(text, PARSE_OPTIONS);
  const list = Array.isArray(docs) ? docs : [];
  const doc = list[0];
  if (!doc) return { text, index, root: null, value: undefined, problems, mode: 'full' };
  for (const e of doc.errors) problems.push(toProblem(text, e.code, e.message, e.pos));
  if (list.length > 1) {
    const second = list[1]?.range[0] ?? 0;
    const marker = text.lastIndexOf('---', second);
    const at = marker >= 0 ? marker : second;
    problems.push({
      code: 'multi-document',
      message: `mlops.yaml must hold exactly one YAML document, found ${list.length}: remove this "---" and what follows, or merge it into the first document`,
      start: at,
      end: at + 3,
    });
  }
  const value = doc.errors.length ? safeValue(doc) : toValue(doc, 0, problems);
  return { text, index, root: doc.contents, value, problems, mode: 'full' };
}

/** With syntax errors already reported, a best-effort value without a second report. */
function safeValue(doc: Document): unknown {
  try {
    return doc.toJS({ maxAliasCount: LIMITS.maxAliasCount });
  } catch {
    return undefined;
  }
}



/** A whole parse, bypassing the block cache (tests compare the two). */
export function parseWhole(text: string): ParsedYaml {
  return fullParse(text, new LineIndex(text));
}

/** Parses one document over and over as it is edited, reusing unchanged blocks. */
export class YamlParser {
  private blocks: BlockParser | undefined;

  parse(text: string): ParsedYaml {
    const index = new LineIndex(text);
    const guard = checkGuards(text);
    if (guard) {
      const problem = { code: guard.code, message: guard.message, start: guard.offset, end: guard.offset + 1 };
      return { text, index, root: null, value: undefined, problems: [problem], mode: 'refused' };
    }
    if (index.lineCount >= BLOCK_MODE_MIN_LINES) {
      this.blocks ??= new BlockParser();
      const built = this.blocks.parse(text);
      if (built) return { text, index, root: built.root, value: built.value, problems: [], mode: 'blocks' };
    }
    return fullParse(text, index);
  }
}
