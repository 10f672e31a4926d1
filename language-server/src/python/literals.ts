/**
 * Reading Python literals from tree-sitter nodes: numbers, plain strings, and the node kinds that
 * make a value "already configuration" (reads of params, environment, argparse).
 */
import { type Node } from 'web-tree-sitter';

export type LiteralValue = number | string;

/** The numeric value of `1e-3`, `-0.5`, `10_000`, `0x10`; undefined for anything else. */
export function numberValue(node: Node): number | undefined {
  if (node.type === 'unary_operator') {
    const op = node.child(0)?.type;
    const arg = node.childForFieldName('argument');
    if (!arg || (arg.type !== 'integer' && arg.type !== 'float')) return undefined;
    const v = numberValue(arg);
    if (v === undefined) return undefined;
    return op === '-' ? -v : op === '+' ? v : undefined;
  }
  if (node.type !== 'integer' && node.type !== 'float') return undefined;
  const text = node.text.replace(/_/g, '').replace(/[jJlL]$/, '');
  if (/[jJ]/.test(node.text)) return undefined;
  const v = /^0[xob]/i.test(text) ? Number(text.toLowerCase()) : Number(text);
  return Number.isFinite(v) ? v : undefined;
}

export function isInteger(node: Node): boolean {
  return node.type === 'integer' || (node.type === 'unary_operator' && node.childForFieldName('argument')?.type === 'integer');
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };

/**
 * The value of a plain string literal; undefined for f-strings, byte strings, interpolations and
 * implicit concatenations (their value is not one literal the user could move).
 */
export function stringValue(node: Node): string | undefined {
  if (node.type !== 'string') return undefined;
  const start = node.child(0);
  const end = node.child(node.childCount - 1);
  if (!start || !end || start.type !== 'string_start' || end.type !== 'string_end') return undefined;
  const prefix = start.text.replace(/['"]/g, '').toLowerCase();
  if (prefix.includes('f') || prefix.includes('b')) return undefined;
  for (const c of node.namedChildren) if (c?.type === 'interpolation') return undefined;
  const body = node.text.slice(start.text.length, node.text.length - end.text.length);
  if (prefix.includes('r')) return body;
  return body.replace(/\\(.)/gs, (_m, c: string) => ESCAPES[c] ?? `\\${c}`);
}

/** A string that formats: `"{}".format`, `%s`, `{name}` placeholders. Never moved into config. */
export function looksLikeTemplate(s: string): boolean {
  return /\{[\w.:!]*\}|%[-0-9.]*[sdfr]/.test(s);
}

/** The dotted name of a callee: `torch.optim.Adam`, `model.fit`; '' for computed callees. */
export function calleeName(fn: Node | null): string {
  if (!fn) return '';
  if (fn.type === 'identifier') return fn.text;
  if (fn.type === 'attribute') {
    const obj = calleeName(fn.childForFieldName('object'));
    const attr = fn.childForFieldName('attribute')?.text ?? '';
    return obj ? `${obj}.${attr}` : `?.${attr}`;
  }
  if (fn.type === 'call') return `${calleeName(fn.childForFieldName('function'))}()`;
  return '';
}

const CONFIG_RECEIVER = /(^|[._])(cfg|conf|config|configs|settings|params|hparams|hp|args|opts|options|environ|env|os)$/i;

/**
 * Calls that read configuration: their literal arguments are keys or fallbacks of a value that is
 * already configurable (`cfg.get("lr", 0.01)`, `os.getenv("SEED", 0)`, argparse defaults).
 */
export function isConfigRead(callee: string): boolean {
  const parts = callee.split('.');
  const last = parts[parts.length - 1] ?? '';
  const receiver = parts.slice(0, -1).join('.');
  if (['getenv', 'add_argument', 'params', 'DEFINE_float', 'DEFINE_integer', 'DEFINE_string', 'param'].includes(last)) return true;
  if (['get', 'getint', 'getfloat', 'getboolean', 'setdefault', 'select', 'pop'].includes(last) && CONFIG_RECEIVER.test(receiver)) return true;
  return /(^|\.)(st|streamlit|gr|ipywidgets|widgets)\.\w+$/.test(callee) || /^trial\.suggest_/.test(last) || /^suggest_/.test(last);
}
