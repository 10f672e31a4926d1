/**
 * Loads `mlops.yaml` from the project root with the same zod schema the language server uses.
 * Problems come back with file:line:column so the CLI and daemon can say exactly where.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, parseDocument, isMap, isSeq, isScalar, isPair, type Node } from 'yaml';
import { mlopsConfigSchema, type MlopsConfig } from '../../schemas/src/mlops-yaml';

export const CONFIG_FILE = 'mlops.yaml';

export interface ConfigProblem {
  line: number;
  column: number;
  path: string;
  message: string;
}

export type ConfigResult =
  | { ok: true; config: MlopsConfig; file: string }
  | { ok: false; file: string; problems: ConfigProblem[]; missing?: boolean };

export function loadConfig(root: string): ConfigResult {
  const file = join(root, CONFIG_FILE);
  if (!existsSync(file)) return { ok: false, file, missing: true, problems: [{ line: 1, column: 1, path: '', message: `${CONFIG_FILE} not found in ${root}; run \`mlops init\`` }] };
  return parseConfigText(readFileSync(file, 'utf8'), file);
}

export function parseConfigText(text: string, file: string): ConfigResult {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
  const at = (offset: number): { line: number; column: number } => {
    const p = lc.linePos(offset);
    return { line: p.line, column: p.col };
  };
  if (doc.errors.length) {
    return { ok: false, file, problems: doc.errors.map((e) => ({ ...at(e.pos[0]), path: '', message: e.message.split('\n')[0] ?? e.message })) };
  }
  const parsed = mlopsConfigSchema.safeParse(doc.toJS({ maxAliasCount: 100 }) ?? {});
  if (parsed.success) return { ok: true, config: parsed.data, file };
  const problems = parsed.error.issues.flatMap((i) => {
    if (i.code === 'unrecognized_keys') {
      // Point at each unknown key itself, not at the map that holds it.
      return i.keys.map((k) => {
        const parent = nodeAt(doc.contents, i.path);
        const pair = isMap(parent) ? parent.items.find((p) => isScalar(p.key) && String(p.key.value) === k) : undefined;
        const keyNode = pair?.key as Node | undefined;
        return { ...at(keyNode?.range?.[0] ?? parent?.range?.[0] ?? 0), path: [...i.path.map(String), k].join('.'), message: `unknown key "${k}"` };
      });
    }
    const node = nodeAt(doc.contents, i.path);
    return [{ ...at(node?.range?.[0] ?? 0), path: i.path.map(String).join('.'), message: i.message }];
  });
  return { ok: false, file, problems };
}

function nodeAt(root: unknown, path: PropertyKey[]): Node | undefined {
  let node = root as Node | undefined;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(key));
      if (!pair) return node;
      node = (pair.value as Node | null) ?? (pair.key as Node);
    } else if (isSeq(node) && typeof key === 'number') {
      const item = node.items[key] as Node | undefined;
      if (!item) return node;
      node = item;
    } else return node;
  }
  return node;
}

export function formatProblems(r: Extract<ConfigResult, { ok: false }>): string {
  return r.problems.map((p) => `${r.file}:${p.line}:${p.column}: ${p.path ? `${p.path}: ` : ''}${p.message}`).join('\n');
}
