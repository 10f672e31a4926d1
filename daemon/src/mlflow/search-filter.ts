/**
 * MLflow's search grammar for runs (`runs/search`'s `filter` and `order_by`), parsed by hand and
 * compiled to SQL over our own tables, so a filtered search over 10⁴ runs is one indexed query
 * instead of loading every run. The grammar follows MLflow's documented syntax: clauses joined by
 * AND (MLflow has no OR), `<type>.<key> <op> <value>` with the type one of metrics, params, tags or
 * attributes (and their aliases), keys quoted with backticks or double quotes when they hold
 * spaces or dots, string values in single or double quotes, `IN (...)` for run ids, `IS [NOT] NULL`
 * for params and tags. Anything else is refused with MLflow's own wording of where it went wrong.
 */

export type EntityType = 'metric' | 'param' | 'tag' | 'attribute';
export type Comparator = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN' | 'IS NULL' | 'IS NOT NULL';

export interface Clause {
  type: EntityType;
  key: string;
  comparator: Comparator;
  /** A number for metrics and time attributes, a string otherwise, a list for IN, null for IS NULL. */
  value: number | string | string[] | null;
}

export interface OrderTerm {
  type: EntityType;
  key: string;
  ascending: boolean;
}

export class SearchSyntaxError extends Error {}

const TYPE_ALIASES: Record<string, EntityType> = {
  metric: 'metric', metrics: 'metric',
  param: 'param', params: 'param', parameter: 'param', parameters: 'param',
  tag: 'tag', tags: 'tag',
  attribute: 'attribute', attributes: 'attribute', attr: 'attribute', run: 'attribute',
};

/** Attributes a filter may name, and whether they compare as numbers (epoch milliseconds). */
export const RUN_ATTRIBUTES: Record<string, 'string' | 'number'> = {
  run_id: 'string', run_name: 'string', status: 'string', user_id: 'string', artifact_uri: 'string',
  start_time: 'number', end_time: 'number', created: 'number', experiment_id: 'string',
};

const STRING_OPS: Comparator[] = ['=', '!=', 'LIKE', 'ILIKE'];
const NUMBER_OPS: Comparator[] = ['=', '!=', '<', '<=', '>', '>='];

interface Token {
  kind: 'ident' | 'string' | 'number' | 'op' | 'lparen' | 'rparen' | 'comma' | 'word';
  text: string;
  pos: number;
}

/** Splits a filter into tokens; quoted strings and back-quoted keys keep their inner text. */
export function tokenize(input: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i] as string;
    if (/\s/.test(c)) { i++; continue; }
    const start = i;
    if (c === "'" || c === '"' || c === '`') {
      const end = input.indexOf(c, i + 1);
      if (end < 0) throw new SearchSyntaxError(`Invalid filter '${input}': unterminated quote at character ${i + 1}`);
      out.push({ kind: c === '`' ? 'ident' : 'string', text: input.slice(i + 1, end), pos: start });
      i = end + 1;
    } else if (c === '(' || c === ')' || c === ',') {
      out.push({ kind: c === '(' ? 'lparen' : c === ')' ? 'rparen' : 'comma', text: c, pos: start });
      i++;
    } else if (/[<>=!]/.test(c)) {
      const two = input.slice(i, i + 2);
      const op = ['<=', '>=', '!=', '=='].includes(two) ? two : c;
      if (op === '!') throw new SearchSyntaxError(`Invalid filter '${input}': '!' must be followed by '=' at character ${i + 1}`);
      out.push({ kind: 'op', text: op === '==' ? '=' : op, pos: start });
      i += op.length;
    } else {
      const m = /^[^\s()<>=!,'"`]+/.exec(input.slice(i));
      const text = m?.[0] ?? c;
      out.push({ kind: /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) ? 'number' : 'word', text, pos: start });
      i += text.length;
    }
  }
  return out;
}

export interface GrammarOptions {
  /** The attributes a filter may name (default: a run's), and whether they compare as numbers. */
  attributes?: Record<string, 'string' | 'number'>;
}

class Cursor {
  i = 0;
  readonly attributes: Record<string, 'string' | 'number'>;
  constructor(readonly tokens: Token[], readonly input: string, opts: GrammarOptions = {}) {
    this.attributes = opts.attributes ?? RUN_ATTRIBUTES;
  }
  peek(): Token | undefined { return this.tokens[this.i]; }
  next(what: string): Token {
    const t = this.tokens[this.i++];
    if (!t) throw new SearchSyntaxError(`Invalid filter '${this.input}': expected ${what} at the end`);
    return t;
  }
  word(w: string): boolean {
    const t = this.peek();
    if (t?.kind === 'word' && t.text.toUpperCase() === w) { this.i++; return true; }
    return false;
  }
  fail(t: Token, what: string): never {
    throw new SearchSyntaxError(`Invalid filter '${this.input}': expected ${what} at character ${t.pos + 1}, found '${t.text}'`);
  }
}

/** `metrics.rmse`, `` tags.`mlflow.runName` ``, `params."a b"`, or a bare attribute name. */
function parseIdentifier(cur: Cursor): { type: EntityType; key: string } {
  const t = cur.next('an identifier');
  if (t.kind !== 'word' && t.kind !== 'ident') cur.fail(t, 'an identifier');
  if (t.kind === 'word') {
    const dot = t.text.indexOf('.');
    if (dot < 0) return attributeKey(cur, t, t.text);
    const type = TYPE_ALIASES[t.text.slice(0, dot).toLowerCase()];
    if (!type) throw new SearchSyntaxError(`Invalid entity type '${t.text.slice(0, dot)}'. Valid values are ['metric', 'parameter', 'tag', 'attribute']`);
    let key = t.text.slice(dot + 1);
    if (key === '') {
      const q = cur.next('a key');
      if (q.kind !== 'ident' && q.kind !== 'string') cur.fail(q, 'a key');
      key = q.text;
    }
    return type === 'attribute' ? attributeKey(cur, t, key) : { type, key };
  }
  return { type: 'attribute', key: t.text };
}

function attributeKey(cur: Cursor, _t: Token, key: string): { type: EntityType; key: string } {
  const k = key === 'name' && !('name' in cur.attributes) ? 'run_name' : key;
  if (!(k in cur.attributes)) {
    throw new SearchSyntaxError(`Invalid attribute key '${key}' specified. Valid keys are '${Object.keys(cur.attributes).join("', '")}'`);
  }
  return { type: 'attribute', key: k };
}

function parseComparator(cur: Cursor): Comparator {
  const t = cur.next('a comparator');
  if (t.kind === 'op') return t.text as Comparator;
  const w = t.text.toUpperCase();
  if (w === 'LIKE' || w === 'ILIKE' || w === 'IN') return w;
  if (w === 'NOT' && cur.word('IN')) return 'NOT IN';
  if (w === 'IS') return cur.word('NOT') ? (cur.word('NULL') ? 'IS NOT NULL' : cur.fail(cur.next('NULL'), 'NULL')) : cur.word('NULL') ? 'IS NULL' : cur.fail(cur.next('NULL'), 'NULL');
  return cur.fail(t, 'a comparator');
}

function parseList(cur: Cursor): string[] {
  const open = cur.next("'('");
  if (open.kind !== 'lparen') cur.fail(open, "'('");
  const items: string[] = [];
  for (;;) {
    const v = cur.next('a quoted string');
    if (v.kind !== 'string') cur.fail(v, 'a quoted string');
    items.push(v.text);
    const sep = cur.next("',' or ')'");
    if (sep.kind === 'rparen') return items;
    if (sep.kind !== 'comma') cur.fail(sep, "',' or ')'");
  }
}

function parseValue(cur: Cursor, clause: Omit<Clause, 'value'>): Clause['value'] {
  const attrs = cur.attributes;
  const { type, key, comparator } = clause;
  if (comparator === 'IS NULL' || comparator === 'IS NOT NULL') {
    if (type !== 'param' && type !== 'tag') throw new SearchSyntaxError(`'${comparator}' is only supported for params and tags, not '${type}s.${key}'`);
    return null;
  }
  if (comparator === 'IN' || comparator === 'NOT IN') {
    if (type !== 'attribute' || attrs[key] !== 'string') throw new SearchSyntaxError(`'${comparator}' is only supported for string attributes such as run_id, not '${key}'`);
    return parseList(cur);
  }
  const numeric = type === 'metric' || (type === 'attribute' && attrs[key] === 'number');
  const allowed = numeric ? NUMBER_OPS : STRING_OPS;
  if (!allowed.includes(comparator)) {
    throw new SearchSyntaxError(`Invalid comparator '${comparator}' for ${numeric ? 'numeric' : 'string'} ${type} '${key}'. Valid comparators: ${allowed.join(', ')}`);
  }
  const v = cur.next('a value');
  if (numeric) {
    if (v.kind !== 'number') throw new SearchSyntaxError(`Expected a numeric value for ${type} '${key}', found '${v.text}'`);
    return Number(v.text);
  }
  if (v.kind !== 'string') throw new SearchSyntaxError(`Expected a quoted string value for ${type} '${key}' (e.g. ${key} = 'value'), found '${v.text}'`);
  return v.text;
}

/** Parses a whole filter; an empty or blank filter is no clause at all. */
export function parseFilter(input: string | undefined, opts: GrammarOptions = {}): Clause[] {
  if (!input || !input.trim()) return [];
  const cur = new Cursor(tokenize(input), input, opts);
  const clauses: Clause[] = [];
  for (;;) {
    const id = parseIdentifier(cur);
    const comparator = parseComparator(cur);
    clauses.push({ ...id, comparator, value: parseValue(cur, { ...id, comparator }) });
    const t = cur.peek();
    if (!t) return clauses;
    if (t.kind === 'word' && t.text.toUpperCase() === 'AND') { cur.i++; continue; }
    if (t.kind === 'word' && t.text.toUpperCase() === 'OR') throw new SearchSyntaxError(`Invalid filter '${input}': OR is not supported, only AND (as in MLflow)`);
    cur.fail(t, "'AND' or the end");
  }
}

/** Parses `order_by` terms such as `metrics.rmse DESC` or `attributes.start_time`. */
export function parseOrderBy(terms: string[] | undefined, opts: GrammarOptions = {}): OrderTerm[] {
  return (terms ?? []).map((term) => {
    const cur = new Cursor(tokenize(term), term, opts);
    const id = parseIdentifier(cur);
    let ascending = true;
    if (cur.word('DESC')) ascending = false;
    else cur.word('ASC');
    const rest = cur.peek();
    if (rest) throw new SearchSyntaxError(`Invalid order_by clause '${term}': expected ASC or DESC at character ${rest.pos + 1}`);
    return { ...id, ascending };
  });
}

/** How attributes and MLflow's LIKE map onto the tables of a given query. */
export interface SqlMapping {
  /** SQL expression for an attribute of the run row aliased `r`. */
  attribute(key: string): string;
  /** Value translation for an attribute before comparison (e.g. status names). */
  attributeValue?(key: string, value: string): string;
}

/** Params are stored as JSON (the native API keeps their types); MLflow compares them as text. */
const paramText = (alias: string): string => `CAST(json_extract(${alias}.value, '$') AS TEXT)`;

/** MLflow's LIKE is case-sensitive with `%` and `_`; SQLite's LIKE is not, so compile to GLOB. */
export function likeToGlob(pattern: string): string {
  let out = '';
  for (const ch of pattern) {
    if (ch === '%') out += '*';
    else if (ch === '_') out += '?';
    else if (ch === '*' || ch === '?' || ch === '[' || ch === ']') out += `[${ch}]`;
    else out += ch;
  }
  return out;
}

function stringTest(expr: string, op: Comparator, value: string, args: unknown[]): string {
  if (op === 'LIKE') { args.push(likeToGlob(value)); return `${expr} GLOB ?`; }
  if (op === 'ILIKE') { args.push(likeToGlob(value.toLowerCase())); return `lower(${expr}) GLOB ?`; }
  args.push(value);
  return `${expr} ${op} ?`;
}

/** Where params and tags of the searched entity live (default: a run's, owned by `r.id`). */
export interface TableOptions {
  tagTable?: string;
  tagOwner?: string;
}

/** A compiled fragment: joins to put after the FROM (with their arguments first), then its SQL. */
export interface Compiled {
  joins: string;
  joinArgs: unknown[];
  sql: string;
  args: unknown[];
}

/**
 * A metric's latest value (the summary's, chosen by MLflow's rule in one place: `isLaterPoint`)
 * joined once per metric named, so a filter reads the matching runs from the (key, last) index
 * rather than probing every run of the experiment. `inner` drops runs without the metric.
 */
function metricJoin(alias: string, key: string, inner: boolean, into: Compiled): string {
  into.joins += ` ${inner ? 'JOIN' : 'LEFT JOIN'} run_metric_summary ${alias} ON ${alias}.run_id = r.id AND ${alias}.key = ?`;
  into.joinArgs.push(key);
  return `${alias}.last`;
}

/** Compiles clauses to joins and a WHERE fragment over runs aliased `r`, with their positional arguments. */
export function compileFilter(clauses: Clause[], map: SqlMapping, tables: TableOptions = {}): Compiled {
  const out: Compiled = { joins: '', joinArgs: [], sql: '1', args: [] };
  const args = out.args;
  const owner = tables.tagOwner ?? 'x.run_id = r.id';
  const parts = clauses.map((c, i) => {
    if (c.type === 'metric' && tables.tagTable) throw new SearchSyntaxError(`metrics cannot be searched here: '${c.key}'`);
    if (c.type === 'param' && tables.tagTable) throw new SearchSyntaxError(`params cannot be searched here: '${c.key}'`);
    if (c.type === 'metric') {
      args.push(c.value);
      return `${metricJoin(`mf${i}`, c.key, true, out)} ${c.comparator} ?`;
    }
    if (c.type === 'param' || c.type === 'tag') {
      const table = c.type === 'param' ? 'run_params' : (tables.tagTable ?? 'run_tags');
      args.push(c.key);
      if (c.comparator === 'IS NULL') return `NOT EXISTS (SELECT 1 FROM ${table} x WHERE ${owner} AND x.key = ?)`;
      if (c.comparator === 'IS NOT NULL') return `EXISTS (SELECT 1 FROM ${table} x WHERE ${owner} AND x.key = ?)`;
      const value = c.type === 'param' ? paramText('x') : 'x.value';
      return `EXISTS (SELECT 1 FROM ${table} x WHERE ${owner} AND x.key = ? AND ${stringTest(value, c.comparator, c.value as string, args)})`;
    }
    const expr = map.attribute(c.key);
    if (Array.isArray(c.value)) {
      const values = c.value.map((v) => map.attributeValue?.(c.key, v) ?? v);
      args.push(...values);
      return `${expr} ${c.comparator} (${values.map(() => '?').join(', ')})`;
    }
    if (typeof c.value === 'number') { args.push(c.value); return `${expr} ${c.comparator} ?`; }
    return stringTest(expr, c.comparator, map.attributeValue?.(c.key, c.value as string) ?? (c.value as string), args);
  });
  if (parts.length) out.sql = parts.join(' AND ');
  return out;
}

/**
 * Compiles order terms to joins and an ORDER BY list. As in MLflow, runs lacking the metric or
 * param sort last whatever the direction, and ties fall back to start time (newest first), then run id.
 */
export function compileOrderBy(terms: OrderTerm[], map: SqlMapping): Compiled {
  const out: Compiled = { joins: '', joinArgs: [], sql: '', args: [] };
  const parts: string[] = [];
  terms.forEach((t, i) => {
    const dir = t.ascending ? 'ASC' : 'DESC';
    if (t.type === 'attribute') {
      parts.push(`${map.attribute(t.key)} ${dir}`);
      return;
    }
    let expr: string;
    if (t.type === 'metric') expr = metricJoin(`mo${i}`, t.key, false, out);
    else {
      const table = t.type === 'param' ? 'run_params' : 'run_tags';
      out.joins += ` LEFT JOIN ${table} x${i} ON x${i}.run_id = r.id AND x${i}.key = ?`;
      out.joinArgs.push(t.key);
      expr = t.type === 'param' ? paramText(`x${i}`) : `x${i}.value`;
    }
    parts.push(`(${expr} IS NULL) ASC, ${expr} ${dir}`);
  });
  parts.push(`${map.attribute('start_time')} DESC`, 'r.id ASC');
  out.sql = parts.join(', ');
  return out;
}
