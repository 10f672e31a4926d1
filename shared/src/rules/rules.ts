/**
 * Fallback rules: a small expression language over a model's features, for the answers a deployment
 * gives when its circuit breaker is open or its feature flag is off. A rule reads
 * `support_calls > 5 and contract_type == 0 -> 1`; rules are tried in order and the first whose
 * condition holds gives the answer, else the default. Rules are parsed and type-checked against the
 * model's signature when a deployment loads and as you type in the editor, with the offending column
 * named; they are interpreted over a tree, never `eval`ed.
 *
 * Grammar (case-sensitive keywords):
 *   rule    := expr '->' literal
 *   expr    := and ('or' and)*
 *   and     := not ('and' not)*
 *   not     := 'not' not | cmp
 *   cmp     := sum (('==' | '!=' | '<' | '<=' | '>' | '>=') sum | 'not'? 'in' '[' literal (',' literal)* ']')?
 *   sum     := term (('+' | '-') term)*
 *   term    := unary (('*' | '/') unary)*
 *   unary   := '-' unary | primary
 *   primary := number | string | 'true' | 'false' | feature | func '(' expr (',' expr)* ')' | '(' expr ')'
 *   func    := 'abs' | 'min' | 'max' | 'is_missing'
 */

export type RuleType = 'number' | 'string' | 'bool';
export type Value = number | string | boolean | null;

export class RuleError extends Error {
  constructor(
    message: string,
    /** 0-based offset in the source text where the problem is. */
    readonly offset: number,
    readonly length = 1,
  ) {
    super(message);
  }
}

type Node =
  | { k: 'lit'; v: Value; t: RuleType; at: number }
  | { k: 'feat'; name: string; t: RuleType; at: number }
  | { k: 'un'; op: '-' | 'not'; e: Node; t: RuleType; at: number }
  | { k: 'bin'; op: string; a: Node; b: Node; t: RuleType; at: number }
  | { k: 'in'; e: Node; list: Value[]; neg: boolean; t: 'bool'; at: number }
  | { k: 'call'; fn: string; args: Node[]; t: RuleType; at: number };

interface Tok {
  kind: 'num' | 'str' | 'id' | 'op' | 'end';
  text: string;
  at: number;
}

const OPS = ['->', '==', '!=', '<=', '>=', '<', '>', '+', '-', '*', '/', '(', ')', '[', ']', ','];
const FUNCS: Record<string, { args: number | [number, number]; type: (args: Node[]) => RuleType }> = {
  abs: { args: 1, type: () => 'number' },
  min: { args: [2, 8], type: () => 'number' },
  max: { args: [2, 8], type: () => 'number' },
  is_missing: { args: 1, type: () => 'bool' },
};

function lex(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (/\s/.test(c)) { i++; continue; }
    const num = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(src.slice(i));
    if (num) { out.push({ kind: 'num', text: num[0], at: i }); i += num[0].length; continue; }
    const id = /^[A-Za-z_][\w.]*/.exec(src.slice(i));
    if (id) { out.push({ kind: 'id', text: id[0], at: i }); i += id[0].length; continue; }
    if (c === '"' || c === "'") {
      const end = src.indexOf(c, i + 1);
      if (end < 0) throw new RuleError('unterminated string', i);
      out.push({ kind: 'str', text: src.slice(i + 1, end), at: i });
      i = end + 1;
      continue;
    }
    if (c === '→') { out.push({ kind: 'op', text: '->', at: i }); i++; continue; }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new RuleError(`unexpected character '${c}'`, i);
    out.push({ kind: 'op', text: op, at: i });
    i += op.length;
  }
  out.push({ kind: 'end', text: '', at: src.length });
  return out;
}

/** The parser checks types as it builds the tree, so every error has its column. */
const MAX_DEPTH = 64;

class Parser {
  private i = 0;
  private depth = 0;
  constructor(
    private readonly toks: Tok[],
    private readonly features: ReadonlyMap<string, RuleType>,
  ) {}

  private peek(): Tok { return this.toks[this.i] as Tok; }
  private take(): Tok { return this.toks[this.i++] as Tok; }
  private is(text: string): boolean { const t = this.peek(); return (t.kind === 'op' || t.kind === 'id') && t.text === text; }
  private expect(text: string): Tok {
    const t = this.take();
    if ((t.kind === 'op' || t.kind === 'id') && t.text === text) return t;
    throw new RuleError(`expected '${text}'${t.kind === 'end' ? ' at the end' : `, found '${t.text}'`}`, t.at, Math.max(1, t.text.length));
  }

  atEnd(): Tok { return this.peek(); }

  /** Guards recursion so a hostile rule (10,000 parentheses) is an error, not a stack overflow. */
  private nest<T>(fn: () => T): T {
    if (++this.depth > MAX_DEPTH) throw new RuleError(`expression nested too deeply (more than ${MAX_DEPTH} levels)`, this.peek().at);
    try {
      return fn();
    } finally {
      this.depth--;
    }
  }

  expr(): Node {
    return this.nest(() => this.or());
  }

  private or(): Node {
    let a = this.and();
    while (this.is('or')) { const t = this.take(); const b = this.and(); this.want(a, 'bool', 'or'); this.want(b, 'bool', 'or'); a = { k: 'bin', op: 'or', a, b, t: 'bool', at: t.at }; }
    return a;
  }

  private and(): Node {
    let a = this.not();
    while (this.is('and')) { const t = this.take(); const b = this.not(); this.want(a, 'bool', 'and'); this.want(b, 'bool', 'and'); a = { k: 'bin', op: 'and', a, b, t: 'bool', at: t.at }; }
    return a;
  }

  private not(): Node {
    if (this.is('not')) { const t = this.take(); const e = this.nest(() => this.not()); this.want(e, 'bool', 'not'); return { k: 'un', op: 'not', e, t: 'bool', at: t.at }; }
    return this.cmp();
  }

  private cmp(): Node {
    const a = this.sum();
    const t = this.peek();
    if (t.kind === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(t.text)) {
      this.take();
      const b = this.sum();
      if (a.t !== b.t) throw new RuleError(`cannot compare ${a.t} with ${b.t}`, t.at, t.text.length);
      if (a.t !== 'number' && !['==', '!='].includes(t.text)) throw new RuleError(`'${t.text}' needs numbers, not ${a.t}s`, t.at, t.text.length);
      return { k: 'bin', op: t.text, a, b, t: 'bool', at: t.at };
    }
    const neg = this.is('not') && this.toks[this.i + 1]?.text === 'in';
    if (neg || this.is('in')) {
      const at = this.peek().at;
      if (neg) this.take();
      this.take();
      this.expect('[');
      const list: Value[] = [];
      do {
        const lit = this.literal();
        if (lit.t !== a.t) throw new RuleError(`list holds a ${lit.t}, but the left side is a ${a.t}`, lit.at);
        list.push(lit.v);
      } while (this.is(',') && this.take());
      this.expect(']');
      return { k: 'in', e: a, list, neg, t: 'bool', at };
    }
    return a;
  }

  private sum(): Node {
    let a = this.term();
    while (this.is('+') || this.is('-')) { const t = this.take(); const b = this.term(); this.want(a, 'number', t.text); this.want(b, 'number', t.text); a = { k: 'bin', op: t.text, a, b, t: 'number', at: t.at }; }
    return a;
  }

  private term(): Node {
    let a = this.unary();
    while (this.is('*') || this.is('/')) { const t = this.take(); const b = this.unary(); this.want(a, 'number', t.text); this.want(b, 'number', t.text); a = { k: 'bin', op: t.text, a, b, t: 'number', at: t.at }; }
    return a;
  }

  private unary(): Node {
    if (this.is('-')) { const t = this.take(); const e = this.nest(() => this.unary()); this.want(e, 'number', '-'); return { k: 'un', op: '-', e, t: 'number', at: t.at }; }
    return this.primary();
  }

  private primary(): Node {
    const t = this.peek();
    if (t.kind === 'num' || t.kind === 'str' || (t.kind === 'id' && (t.text === 'true' || t.text === 'false'))) return this.literal();
    if (this.is('(')) { this.take(); const e = this.expr(); this.expect(')'); return e; }
    if (t.kind === 'id' && FUNCS[t.text] && this.toks[this.i + 1]?.text === '(') return this.call();
    if (t.kind === 'id' && !['and', 'or', 'not', 'in'].includes(t.text)) {
      this.take();
      const type = this.features.get(t.text);
      if (!type) {
        const near = [...this.features.keys()].find((f) => f.toLowerCase() === t.text.toLowerCase());
        throw new RuleError(`unknown feature '${t.text}'${near ? ` (did you mean '${near}'?)` : `; the signature has ${[...this.features.keys()].join(', ')}`}`, t.at, t.text.length);
      }
      return { k: 'feat', name: t.text, t: type, at: t.at };
    }
    throw new RuleError(t.kind === 'end' ? 'expected a value at the end' : `expected a value, found '${t.text}'`, t.at, Math.max(1, t.text.length));
  }

  private call(): Node {
    const t = this.take();
    const spec = FUNCS[t.text] as (typeof FUNCS)[string];
    this.expect('(');
    const args = [this.expr()];
    while (this.is(',')) { this.take(); args.push(this.expr()); }
    this.expect(')');
    const [lo, hi] = typeof spec.args === 'number' ? [spec.args, spec.args] : spec.args;
    if (args.length < lo || args.length > hi) throw new RuleError(`${t.text}() takes ${lo === hi ? lo : `${lo} to ${hi}`} arguments, got ${args.length}`, t.at, t.text.length);
    if (t.text !== 'is_missing') for (const a of args) this.want(a, 'number', `${t.text}()`);
    else if (args[0]?.k !== 'feat') throw new RuleError('is_missing() takes a feature name', t.at, t.text.length);
    return { k: 'call', fn: t.text, args, t: spec.type(args), at: t.at };
  }

  literal(): Node & { k: 'lit' } {
    const t = this.take();
    if (t.kind === 'num') return { k: 'lit', v: Number(t.text), t: 'number', at: t.at };
    if (t.kind === 'str') return { k: 'lit', v: t.text, t: 'string', at: t.at };
    if (t.kind === 'id' && (t.text === 'true' || t.text === 'false')) return { k: 'lit', v: t.text === 'true', t: 'bool', at: t.at };
    if (t.kind === 'op' && t.text === '-' && this.peek().kind === 'num') return { k: 'lit', v: -Number(this.take().text), t: 'number', at: t.at };
    throw new RuleError(t.kind === 'end' ? 'expected a literal at the end' : `expected a literal (number, string, true or false), found '${t.text}'`, t.at, Math.max(1, t.text.length));
  }

  private want(n: Node, type: RuleType, op: string): void {
    if (n.t !== type) throw new RuleError(`'${op}' needs ${type === 'bool' ? 'a condition' : `${type}s`}, got a ${n.t}`, n.at);
  }
}

export interface CompiledRule {
  source: string;
  answer: Value;
  test(features: Readonly<Record<string, Value | undefined>>): boolean;
}

/** Compiles a condition (no `->`); throws RuleError with its offset. */
export function compileCondition(src: string, features: ReadonlyMap<string, RuleType>): (f: Readonly<Record<string, Value | undefined>>) => boolean {
  const p = new Parser(lex(src), features);
  const node = p.expr();
  const end = p.atEnd();
  if (end.kind !== 'end') throw new RuleError(`unexpected '${end.text}'`, end.at, end.text.length);
  if (node.t !== 'bool') throw new RuleError(`a rule needs a condition (a comparison), not a ${node.t}`, node.at);
  return (f) => evaluate(node, f) === true;
}

/** Compiles `condition -> answer`; the answer's type is checked against `answerType` when given. */
export function compileRule(src: string, features: ReadonlyMap<string, RuleType>, answerType?: RuleType): CompiledRule {
  const toks = lex(src);
  const arrow = toks.findIndex((t) => t.kind === 'op' && t.text === '->');
  if (arrow < 0) throw new RuleError("a rule reads 'condition -> answer', e.g. 'support_calls > 5 -> 1'", src.length);
  const condSrc = src.slice(0, (toks[arrow] as Tok).at);
  const test = compileCondition(condSrc, features);
  const p = new Parser(toks.slice(arrow + 1), features);
  const lit = p.literal();
  const end = p.atEnd();
  if (end.kind !== 'end') throw new RuleError(`unexpected '${end.text}' after the answer`, end.at, end.text.length);
  if (answerType && lit.t !== answerType) throw new RuleError(`the answer is a ${lit.t}, but the model's output is a ${answerType}`, lit.at);
  return { source: src, answer: lit.v, test };
}

function evaluate(n: Node, f: Readonly<Record<string, Value | undefined>>): Value {
  switch (n.k) {
    case 'lit':
      return n.v;
    case 'feat': {
      const v = f[n.name];
      return v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? null : v;
    }
    case 'un': {
      const v = evaluate(n.e, f);
      if (v === null) return null;
      return n.op === '-' ? -(v as number) : !(v as boolean);
    }
    case 'in': {
      const v = evaluate(n.e, f);
      if (v === null) return false;
      return n.list.includes(v) !== n.neg;
    }
    case 'call': {
      if (n.fn === 'is_missing') return evaluate(n.args[0] as Node, f) === null;
      const vs = n.args.map((a) => evaluate(a, f));
      if (vs.some((v) => v === null)) return null;
      const nums = vs as number[];
      return n.fn === 'abs' ? Math.abs(nums[0] as number) : n.fn === 'min' ? Math.min(...nums) : Math.max(...nums);
    }
    case 'bin':
      return binary(n.op, n.a, n.b, f);
  }
}

/** Missing values make comparisons false (never an answer by accident) and arithmetic missing. */
function binary(op: string, an: Node, bn: Node, f: Readonly<Record<string, Value | undefined>>): Value {
  if (op === 'and') return evaluate(an, f) === true && evaluate(bn, f) === true;
  if (op === 'or') return evaluate(an, f) === true || evaluate(bn, f) === true;
  const a = evaluate(an, f);
  const b = evaluate(bn, f);
  if (a === null || b === null) return ['+', '-', '*', '/'].includes(op) ? null : false;
  switch (op) {
    case '==': return a === b;
    case '!=': return a !== b;
    case '<': return (a as number) < (b as number);
    case '<=': return (a as number) <= (b as number);
    case '>': return (a as number) > (b as number);
    case '>=': return (a as number) >= (b as number);
    case '+': return (a as number) + (b as number);
    case '-': return (a as number) - (b as number);
    case '*': return (a as number) * (b as number);
    default: return (b as number) === 0 ? null : (a as number) / (b as number);
  }
}

export interface RuleSet {
  rules: CompiledRule[];
  fallback: Value;
  /** The answer for one instance: the first rule that holds, else the default. */
  answer(features: Readonly<Record<string, Value | undefined>>): { value: Value; rule: number | null };
}

/** A located problem in a rule set, for the language server and the serving process's load error. */
export interface RuleProblem {
  rule: number | 'default';
  offset: number;
  length: number;
  message: string;
}

export function compileRuleSet(
  spec: { rules: string[]; default: Value },
  features: ReadonlyMap<string, RuleType>,
  answerType?: RuleType,
): { set?: RuleSet; problems: RuleProblem[] } {
  const problems: RuleProblem[] = [];
  const rules: CompiledRule[] = [];
  spec.rules.forEach((src, i) => {
    try {
      rules.push(compileRule(src, features, answerType));
    } catch (e) {
      if (!(e instanceof RuleError)) throw e;
      problems.push({ rule: i, offset: e.offset, length: e.length, message: e.message });
    }
  });
  const dt = typeof spec.default === 'number' ? 'number' : typeof spec.default === 'string' ? 'string' : typeof spec.default === 'boolean' ? 'bool' : null;
  if (answerType && dt !== answerType) problems.push({ rule: 'default', offset: 0, length: 1, message: `the default is a ${dt ?? 'null'}, but the model's output is a ${answerType}` });
  if (problems.length) return { problems };
  return {
    problems,
    set: {
      rules,
      fallback: spec.default,
      answer(f) {
        for (let i = 0; i < rules.length; i++) if ((rules[i] as CompiledRule).test(f)) return { value: (rules[i] as CompiledRule).answer, rule: i };
        return { value: spec.default, rule: null };
      },
    },
  };
}

/** Signature feature types as rule types: every numeric ONNX/config type is a number. */
export function ruleTypeOf(featureType: string): RuleType {
  return /string/i.test(featureType) ? 'string' : /bool/i.test(featureType) ? 'bool' : 'number';
}
