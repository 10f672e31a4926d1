/**
 * The one `mlops.yaml` loader: every YAML parse in the product goes through `parseYaml` (the
 * daemon, the CLI, the Node tracking client, the language server's whole-document parse and its
 * Python analysis), so they all accept the same documents: merge keys (`<<: *defaults`) and
 * anchors resolved, the alias-expansion cap (YAML bombs), the size and depth guards, one document
 * only, duplicate keys refused. Only the language server's incremental per-block parse (same
 * options, see language-server/src/core/blocks.ts) and the formatting-preserving editor parse
 * on their own. Problems carry offsets; config problems also file:line:column and the field path.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, isMap, isScalar, parseAllDocuments, type Document, type Node } from 'yaml';
import { mlopsConfigSchema, type MlopsConfig } from '../../schemas/src/mlops-yaml';
import { checkGuards, LIMITS } from './yaml-guards';
import { locate } from './yaml-nodes';

export const CONFIG_FILE = 'mlops.yaml';

/** The options of every parse of mlops.yaml; YAML 1.2 without `merge` would read `<<` as a plain key. */
export const YAML_OPTIONS = { merge: true, uniqueKeys: true, prettyErrors: false, keepSourceTokens: false, logLevel: 'error' } as const;

export type YamlProblemCode = 'yaml-syntax' | 'duplicate-key' | 'multi-document' | 'alias-limit' | 'too-deep' | 'too-large';

export interface YamlProblem {
  code: YamlProblemCode;
  message: string;
  start: number;
  end: number;
}

export interface ParsedYamlText {
  /** Root node with offsets in `range`; null when empty or refused. */
  root: Node | null;
  /** The plain value (aliases and merge keys resolved); undefined when empty, refused or a bomb. */
  value: unknown;
  problems: YamlProblem[];
  /** True when the guards refused the text before parsing. */
  refused: boolean;
}

/** Parses one YAML document with positions. Never throws. */
export function parseYaml(text: string): ParsedYamlText {
  const guard = checkGuards(text);
  if (guard) return { root: null, value: undefined, refused: true, problems: [{ code: guard.code, message: guard.message, start: guard.offset, end: guard.offset + 1 }] };
  const problems: YamlProblem[] = [];
  const docs = parseAllDocuments(text, YAML_OPTIONS);
  const list = Array.isArray(docs) ? docs : [];
  const doc = list[0];
  if (!doc) return { root: null, value: undefined, problems, refused: false };
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
  // With syntax errors already reported, a best-effort value without a second report.
  const value = toValue(doc, doc.errors.length ? undefined : problems);
  return { root: doc.contents, value, problems, refused: false };
}

/** Resolves the value, turning alias bombs and unresolved aliases into problems (when `problems` is given). */
export function toValue(doc: Document, problems?: YamlProblem[], base = 0): unknown {
  try {
    return doc.toJS({ maxAliasCount: LIMITS.maxAliasCount });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const at = base + (doc.contents?.range?.[0] ?? 0);
    const bomb = /alias count/i.test(msg);
    problems?.push({
      code: bomb ? 'alias-limit' : 'yaml-syntax',
      message: bomb ? `aliases expand to too many nodes (limit ${LIMITS.maxAliasCount}): refusing a possible YAML bomb` : firstLine(msg),
      start: at,
      end: at,
    });
    return undefined;
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? message;
}

function toProblem(text: string, code: string, message: string, pos: [number, number]): YamlProblem {
  if (code !== 'DUPLICATE_KEY') return { code: 'yaml-syntax', message: firstLine(message), start: pos[0], end: pos[1] };
  const key = /^[^:\n]*/.exec(text.slice(pos[0], pos[0] + 200))?.[0].trimEnd() ?? '';
  return {
    code: 'duplicate-key',
    message: `duplicate key ${JSON.stringify(key.replace(/^["']|["']$/g, ''))}: only the last one would count; remove or rename one`,
    start: pos[0],
    end: pos[0] + Math.max(1, key.length),
  };
}

// ---------- mlops.yaml: parse + validate ----------

export interface ConfigProblem {
  line: number;
  column: number;
  /** Dotted field path ('' for syntax problems). */
  path: string;
  message: string;
  /** Offsets in the text. */
  range: [number, number];
}

export type ConfigResult =
  | { ok: true; config: MlopsConfig; file: string; /** The document as written (merge keys resolved), before defaults. */ raw: unknown }
  | { ok: false; file: string; problems: ConfigProblem[]; missing?: boolean };

/** Loads `mlops.yaml` from the project root. */
export function loadConfig(root: string): ConfigResult {
  const file = join(root, CONFIG_FILE);
  if (!existsSync(file)) {
    const message = `${CONFIG_FILE} not found in ${root}; run \`mlops init\``;
    return { ok: false, file, missing: true, problems: [{ line: 1, column: 1, path: '', message, range: [0, 0] }] };
  }
  return parseConfigText(readFileSync(file, 'utf8'), file);
}

export function parseConfigText(text: string, file: string): ConfigResult {
  const lc = new LineCounter();
  lc.addNewLine(0);
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lc.addNewLine(i + 1);
  const problem = (start: number, end: number, path: string, message: string): ConfigProblem => {
    const p = lc.linePos(start);
    return { line: p.line, column: p.col, path, message, range: [start, end] };
  };
  const parsed = parseYaml(text);
  if (parsed.problems.length) return { ok: false, file, problems: parsed.problems.map((p) => problem(p.start, p.end, '', p.message)) };
  const checked = mlopsConfigSchema.safeParse(parsed.value ?? {});
  if (checked.success) return { ok: true, config: checked.data, file, raw: parsed.value };
  const problems = checked.error.issues.flatMap((i) => {
    const path = i.path.map(String);
    const node = nodeFor(parsed.root, i.path);
    if (i.code === 'unrecognized_keys') {
      // Point at each unknown key itself, not at the map that holds it.
      const parent = node;
      return i.keys.map((k) => {
        const pair = isMap(parent) ? parent.items.find((p) => isScalar(p.key) && String(p.key.value) === k) : undefined;
        const range = (pair?.key as Node | undefined)?.range ?? parent?.range ?? [0, 0];
        return problem(range[0], range[1], [...path, k].join('.'), `unknown key "${k}"`);
      });
    }
    const range = node?.range ?? [0, 0];
    return [problem(range[0], range[1], path.join('.'), i.message)];
  });
  return { ok: false, file, problems };
}

/** Where to point for a path: its node; the key of an empty value; or the deepest map that exists. */
function nodeFor(root: Node | null, path: readonly PropertyKey[]): Node | undefined {
  const found = locate(root, path);
  if (found.node) return found.node;
  if (found.deepestPair && found.deepestPair.value === null) return found.deepestPair.key as Node;
  return found.deepest ?? undefined;
}

export function formatProblems(r: Extract<ConfigResult, { ok: false }>): string {
  return r.problems.map((p) => `${r.file}:${p.line}:${p.column}: ${p.path ? `${p.path}: ` : ''}${p.message}`).join('\n');
}
