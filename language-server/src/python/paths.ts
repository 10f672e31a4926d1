/**
 * Paths as code builds them: `os.path.join(DATA_DIR, "housing.csv")`, `Path("data") / "train.csv"`,
 * `dpath + "/training.csv"`, f-strings, implicit concatenation. The literal parts are what the user
 * wrote by hand; the rest (variables, calls) stands as a placeholder.
 */
import { type Node } from 'web-tree-sitter';
import { calleeName, looksLikeTemplate, stringValue } from './literals';

export interface PathExpression {
  /** Offsets from the first literal part to the last. */
  start: number;
  end: number;
  /** For messages and keys: `{DATA_DIR}/housing.csv`. */
  value: string;
  /** For classifying: placeholders as `x`, a URL query (`?format=libsvm`) dropped. */
  probe: string;
  /** Made of more than one plain literal. */
  built: boolean;
}

interface Part {
  literal?: Node;
  text: string;
  probe: string;
}

const JOINERS = /^(os\.path\.join|path\.join|posixpath\.join|ntpath\.join|Path|PurePath|PosixPath|pathlib\.Path|str|os\.fspath|os\.path\.abspath|os\.path\.expanduser|os\.path\.normpath|os\.path\.realpath)$/;
/** A base folder that is temporary: what is written under it is gone after the run. */
const TEMP_BASE = /^(tmp|temp)|(tmpdir|tempdir|tmp_dir|temp_dir|tmp_path)$/i;

function placeholder(node: Node): Part {
  const name = node.type === 'identifier' || node.type === 'attribute' ? node.text : '…';
  return { text: `{${name}}`, probe: 'x' };
}

/** The text and probe of an f-string, interpolations as placeholders; undefined for bytes. */
function fstringPart(node: Node): Part | undefined {
  const first = node.child(0);
  if (!first || /b/i.test(first.text.replace(/['"]/g, ''))) return undefined;
  let text = '';
  let probe = '';
  for (const c of node.namedChildren) {
    if (!c) continue;
    if (c.type === 'string_content') {
      text += c.text;
      probe += c.text;
    } else if (c.type === 'interpolation') {
      text += c.text;
      probe += 'x';
    }
  }
  return { literal: node, text, probe };
}

function parts(node: Node, depth: number): Part[] | undefined {
  if (depth > 6) return undefined;
  switch (node.type) {
    case 'string': {
      const v = stringValue(node);
      if (v !== undefined) return looksLikeTemplate(v) ? undefined : [{ literal: node, text: v, probe: v }];
      const f = fstringPart(node);
      return f ? [f] : undefined;
    }
    case 'concatenated_string': {
      const out: Part[] = [];
      for (const c of node.namedChildren) {
        const p = c ? parts(c, depth + 1) : undefined;
        if (!p) return undefined;
        out.push(...p);
      }
      return out;
    }
    case 'parenthesized_expression': {
      const inner = node.namedChildren[0];
      return inner ? parts(inner, depth + 1) : undefined;
    }
    case 'binary_operator':
      return binaryParts(node, depth);
    case 'call':
      return joinParts(node, depth);
    default:
      return [placeholder(node)];
  }
}

function binaryParts(node: Node, depth: number): Part[] | undefined {
  const op = node.childForFieldName('operator')?.type;
  const left = node.childForFieldName('left');
  const right = node.childForFieldName('right');
  if (!left || !right || (op !== '/' && op !== '+')) return undefined;
  const l = parts(left, depth + 1);
  const r = parts(right, depth + 1);
  if (!l || !r) return undefined;
  return op === '/' ? [...l, { text: '/', probe: '/' }, ...r] : [...l, ...r];
}

function joinParts(node: Node, depth: number): Part[] | undefined {
  const callee = calleeName(node.childForFieldName('function'));
  if (!JOINERS.test(callee)) return [placeholder(node)];
  const args = node.childForFieldName('arguments')?.namedChildren.filter((a): a is Node => a !== null && a.type !== 'keyword_argument') ?? [];
  const first = args[0];
  if (first && first.type === 'identifier' && TEMP_BASE.test(first.text)) return undefined;
  const out: Part[] = [];
  for (const [i, a] of args.entries()) {
    const p = parts(a, depth + 1);
    if (!p) return undefined;
    if (i > 0) out.push({ text: '/', probe: '/' });
    out.push(...p);
  }
  return out.length ? out : [placeholder(node)];
}

/**
 * Whether the last segment (the file or folder name) is written out: `f"{DATA_DIR}/train.csv"` is a
 * hardcoded file, `f"data/{name}.csv"` a pattern over many.
 */
function literalFileName(ps: Part[]): boolean {
  for (let i = ps.length - 1; i >= 0; i--) {
    const p = ps[i];
    if (!p) continue;
    if (!p.literal) return p.text === '/' ? i < ps.length - 1 : false;
    const slash = p.probe.lastIndexOf('/');
    const tail = slash >= 0 ? p.probe.slice(slash + 1) : p.probe;
    if (p.probe !== p.text && tail.includes('x') && /\{/.test(slash >= 0 ? p.text.slice(p.text.lastIndexOf('/') + 1) : p.text)) return false;
    if (slash >= 0) return true;
  }
  return true;
}

/** The path an expression builds, when it holds at least one meaningful literal part. */
export function pathExpression(node: Node): PathExpression | undefined {
  const ps = parts(node, 0);
  if (!ps) return undefined;
  const literals = ps.filter((p) => p.literal);
  if (!literals.some((p) => /[A-Za-z0-9_-]{2,}/.test(p.text))) return undefined;
  if (!literalFileName(ps)) return undefined;
  const firstLit = literals[0]?.literal;
  const lastLit = literals[literals.length - 1]?.literal;
  if (!firstLit || !lastLit) return undefined;
  const value = ps.map((p) => p.text).join('');
  const probe = ps
    .map((p) => p.probe)
    .join('')
    .replace(/(?<!:)\/{2,}/g, '/')
    .replace(/\?[\w=&.,-]*$/, '');
  const built = ps.length > 1 || (firstLit.type === 'string' && stringValue(firstLit) === undefined);
  return { start: firstLit.startIndex, end: lastLit.endIndex, value, probe, built };
}
