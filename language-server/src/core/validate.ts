/**
 * Schema validation: the zod schema judges the plain value, and each zod issue is mapped back to
 * the exact source node: a wrong value at the value, an unknown key at the key, a missing key at
 * its parent's key. Messages read `<path>: expected <what>, got <what>`.
 */
import { isCollection, isMap, isScalar, isSeq, type Node, type Pair } from 'yaml';
import type * as z from 'zod';
import { mlopsConfigSchema } from '../../../schemas/src/mlops-yaml';
import { type ParsedYaml } from './parse';
import { locate, valueAt } from '../../../shared/src/yaml-nodes';
import { expectedText, kindOf, objectFields, schemaAt } from './schema-info';
import { closest } from '../../../shared/src/suggest';
import { formatPath, showValue } from './text';
import { type DiagnosticCode, type Fix, type MlopsDiagnostic, type Range, Severity } from './types';
import { fillMappingFix, missingKeyFix } from './fixes';

type Issue = z.core.$ZodIssue;
type Path = PropertyKey[];

export function diag(range: Range, code: DiagnosticCode, message: string, fixes?: Fix[], warning = false): MlopsDiagnostic {
  const d: MlopsDiagnostic = { range, severity: warning ? Severity.Warning : Severity.Error, code, source: 'mlops', message };
  if (fixes?.length) d.data = { fixes };
  return d;
}

/** Where to underline a node: its first line only, so a wrong block is not painted whole. */
export function nodeRange(parsed: ParsedYaml, node: Node | null | undefined, fallback?: Node | null): Range {
  const r = node?.range ?? fallback?.range;
  if (!r) return parsed.index.range(0, 0);
  const start = r[0];
  let end = r[1] > start ? r[1] : r[2];
  const nl = parsed.text.indexOf('\n', start);
  if (nl >= 0 && nl < end) end = nl;
  return parsed.index.range(start, end);
}

function keyNode(pair: Pair<unknown, unknown> | undefined): Node | undefined {
  return pair && isScalar(pair.key) ? pair.key : undefined;
}

/** Range of the value at `path`; an empty value (`key:`) underlines its key instead. */
function valueRange(parsed: ParsedYaml, path: Path): Range {
  const at = locate(parsed.root, path);
  const node = at.node;
  const empty = !node || (isScalar(node) && node.value === null && node.range && node.range[0] === node.range[1]);
  if (empty) return nodeRange(parsed, keyNode(at.pair) ?? keyNode(at.deepestPair), at.deepest);
  return nodeRange(parsed, node);
}

function keyRange(parsed: ParsedYaml, path: Path): Range {
  const at = locate(parsed.root, path);
  if (at.pair) return nodeRange(parsed, keyNode(at.pair));
  return nodeRange(parsed, keyNode(at.deepestPair), at.deepest);
}

function schemaPath(path: Path): (string | number)[] {
  return path.map((p) => (typeof p === 'number' ? p : String(p)));
}

function quoteHint(expected: string, got: unknown): string {
  const stringy = expected.startsWith('a string') || expected.startsWith('a non-empty') || expected.startsWith('a name');
  return stringy && (typeof got === 'number' || typeof got === 'boolean') ? ` (quote it: "${String(got)}")` : '';
}

function typeIssue(parsed: ParsedYaml, path: Path): MlopsDiagnostic {
  const got = valueAt(parsed.value, path);
  const schema = schemaAt(schemaPath(path));
  const expected = schema ? expectedText(schema) : 'a value';
  if (!got.exists && path.length) return missingIssue(parsed, path);
  if (!path.length) {
    const what = parsed.value == null ? 'an empty document' : showValue(parsed.value);
    return diag(nodeRange(parsed, parsed.root), 'not-a-mapping', `mlops.yaml: expected a mapping of sections (project, pipeline, models, ...), got ${what}`);
  }
  const msg = `${formatPath(path)}: expected ${expected}, got ${showValue(got.value)}${quoteHint(expected, got.value)}`;
  const fix = got.value === null && schema && kindOf(schema) === 'object' ? fillMappingFix(parsed, schemaPath(path), schema) : undefined;
  return diag(valueRange(parsed, path), 'invalid-type', msg, fix ? [fix] : undefined);
}

function missingIssue(parsed: ParsedYaml, path: Path): MlopsDiagnostic {
  const key = String(path[path.length - 1]);
  const parent = path.slice(0, -1);
  const schema = schemaAt(schemaPath(path));
  const expected = schema ? ` (${expectedText(schema)})` : '';
  const where = parent.length ? keyRange(parsed, parent) : nodeRange(parsed, parsed.root);
  const fix = schema ? missingKeyFix(parsed, schemaPath(parent), key, schema) : undefined;
  const msg = `${formatPath(parent)}: missing required key "${key}"${expected}`;
  return diag(where, 'missing-key', msg, fix ? [fix] : undefined);
}

function replaceFix(range: Range, text: string, title: string): Fix {
  return { title, edits: [{ range, newText: text }], preferred: true };
}

function isTriggerKind(path: Path): boolean {
  return path.length === 4 && path[0] === 'pipeline' && path[1] === 'triggers' && path[3] === 'kind';
}

function enumIssue(parsed: ParsedYaml, path: Path, values: readonly unknown[]): MlopsDiagnostic {
  const got = valueAt(parsed.value, path).value;
  const range = valueRange(parsed, path);
  const options = values.filter((v): v is string => typeof v === 'string');
  const guess = typeof got === 'string' ? closest(got, options) : undefined;
  const list = values.map((v) => JSON.stringify(v)).join(', ');
  const hint = guess ? `; did you mean "${guess}"?` : '';
  const code = isTriggerKind(path) ? 'unknown-trigger-kind' : 'invalid-value';
  const fixes = guess ? [replaceFix(range, guess, `Change to "${guess}"`)] : undefined;
  return diag(range, code, `${formatPath(path)}: expected one of ${list}, got ${showValue(got)}${hint}`, fixes);
}

function unknownKeys(parsed: ParsedYaml, path: Path, keys: string[]): MlopsDiagnostic[] {
  const schema = schemaAt(schemaPath(path));
  const present = valueAt(parsed.value, path).value;
  const taken = new Set(present && typeof present === 'object' ? Object.keys(present) : []);
  const allowed = schema ? objectFields(schema).map((f) => f.name) : [];
  const free = allowed.filter((k) => !taken.has(k));
  return keys.map((key) => {
    const range = keyRange(parsed, [...path, key]);
    const guess = closest(key, free);
    const tail = guess ? `; did you mean "${guess}"?` : ` (allowed here: ${allowed.join(', ')})`;
    const fixes = guess ? [replaceFix(range, guess, `Rename to "${guess}"`)] : undefined;
    return diag(range, 'unknown-key', `${formatPath([...path, key])}: unknown key "${key}"${tail}`, fixes);
  });
}

function sizeIssue(parsed: ParsedYaml, issue: Issue & { code: 'too_small' | 'too_big' }, path: Path): MlopsDiagnostic {
  const got = valueAt(parsed.value, path).value;
  const schema = schemaAt(schemaPath(path));
  let expected = schema ? expectedText(schema) : issue.message;
  if (issue.origin === 'array') {
    const n = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum);
    expected = `${issue.code === 'too_small' ? 'at least' : 'at most'} ${n} item${n === 1 ? '' : 's'}`;
  }
  return diag(valueRange(parsed, path), 'invalid-value', `${formatPath(path)}: expected ${expected}, got ${showValue(got)}`);
}

/** A union failed: blame the branch the user evidently meant (the one that got furthest). */
function unionIssue(parsed: ParsedYaml, issue: Issue & { code: 'invalid_union' }, path: Path): MlopsDiagnostic[] {
  const branches = issue.errors.filter((b) => b.length);
  const shallow = branches.every((b) => b.every((i) => i.path.length === 0 && i.code === 'invalid_type'));
  if (shallow || !branches.length) return [typeIssue(parsed, path)];
  const depth = (b: Issue[]): number => Math.max(...b.map((i) => i.path.length));
  const best = [...branches].sort((a, b) => depth(b) - depth(a) || a.length - b.length)[0] ?? [];
  return best.flatMap((i) => mapIssue(parsed, { ...i, path: [...path, ...i.path] } as Issue));
}

function mapIssue(parsed: ParsedYaml, issue: Issue): MlopsDiagnostic[] {
  const path = issue.path as Path;
  const got = (): string => showValue(valueAt(parsed.value, path).value);
  const keyed = issue.code === 'unrecognized_keys' || issue.code === 'invalid_key';
  if (path.length && !keyed && !valueAt(parsed.value, path).exists) return [missingIssue(parsed, path)];
  switch (issue.code) {
    case 'invalid_type':
      return [typeIssue(parsed, path)];
    case 'unrecognized_keys':
      return unknownKeys(parsed, path, issue.keys);
    case 'invalid_value':
      return [enumIssue(parsed, path, issue.values)];
    case 'too_small':
    case 'too_big':
      return [sizeIssue(parsed, issue, path)];
    case 'invalid_format':
      return [diag(valueRange(parsed, path), 'invalid-value', `${formatPath(path)}: ${expectPhrase(issue.message)}, got ${got()}`)];
    case 'invalid_key': {
      const inner = issue.issues[0]?.message ?? 'invalid key';
      const key = String(path[path.length - 1]);
      return [diag(keyRange(parsed, path), 'invalid-key', `${formatPath(path)}: invalid key "${key}": ${expectPhrase(inner)}`)];
    }
    case 'invalid_union':
      return unionIssue(parsed, issue, path);
    default:
      return [diag(valueRange(parsed, path), 'invalid-value', `${formatPath(path)}: ${issue.message}`)];
  }
}

function expectPhrase(message: string): string {
  return /^expected\b/i.test(message) ? message : `expected ${message}`;
}

export function schemaDiagnostics(parsed: ParsedYaml): MlopsDiagnostic[] {
  const result = mlopsConfigSchema.safeParse(parsed.value);
  if (result.success) return [];
  return result.error.issues.flatMap((i) => mapIssue(parsed, i));
}

/**
 * Keys that are lists or mappings (`? [a, b]`, `{a: 1}: x`): a JS object stringifies them, so the
 * schema would judge a key nobody wrote. The yaml library's own warning is silenced (parse.ts) in
 * favour of this diagnostic.
 */
export function collectionKeyDiagnostics(parsed: ParsedYaml): MlopsDiagnostic[] {
  const out: MlopsDiagnostic[] = [];
  const walk = (node: unknown, path: Path, depth: number): void => {
    if (depth > 64 || out.length >= 100) return;
    if (isSeq(node)) node.items.forEach((item, i) => walk(item, [...path, i], depth + 1));
    if (!isMap(node)) return;
    for (const pair of node.items) {
      if (isCollection(pair.key)) {
        const what = isSeq(pair.key) ? 'a list' : 'a mapping';
        out.push(diag(nodeRange(parsed, pair.key), 'invalid-key', `${formatPath(path)}: a key must be a plain name, got ${what}`));
      } else walk(pair.value, [...path, isScalar(pair.key) ? String(pair.key.value) : '?'], depth + 1);
    }
  };
  walk(parsed.root, [], 0);
  return out;
}
