/**
 * `data.<name>.expectations` evaluated over rows fed one at a time (CSV streamed, Parquet by row
 * batches), keeping per expectation a failure count and the first example row numbers.
 */
import { type Expectations } from '../../../schemas/src/mlops-yaml';
import { type ExpectationResult } from '../../../schemas/src/pipelines';

type ColumnExpectation = Expectations['columns'][string];
export type Cell = string | number | boolean | bigint | null | undefined | Date;

const EXAMPLES = 10;

class Failures {
  count = 0;
  rows: number[] = [];
  add(row: number): void {
    this.count++;
    if (this.rows.length < EXAMPLES) this.rows.push(row);
  }
}

function isNull(v: Cell): boolean {
  return v === null || v === undefined || (typeof v === 'string' && v.trim() === '');
}

function asNumber(v: Cell): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isNaN(n) ? undefined : n;
  }
  return undefined;
}

const TYPE_CHECKS: Record<NonNullable<ColumnExpectation['type']>, (v: Cell) => boolean> = {
  number: (v) => asNumber(v) !== undefined,
  integer: (v) => (typeof v === 'bigint' ? true : Number.isInteger(asNumber(v) ?? Number.NaN)),
  string: () => true,
  boolean: (v) => typeof v === 'boolean' || (typeof v === 'string' && /^(true|false|0|1)$/i.test(v.trim())),
};

class ColumnState {
  index = -1;
  readonly nulls = new Failures();
  readonly type = new Failures();
  readonly range = new Failures();
  readonly allowed = new Failures();
  readonly unique = new Failures();
  readonly regex = new Failures();
  private readonly seen = new Set<string>();
  private readonly allowedSet?: Set<string>;
  private readonly pattern?: RegExp;

  constructor(
    readonly name: string,
    readonly exp: ColumnExpectation,
  ) {
    if (exp.allowed) this.allowedSet = new Set(exp.allowed.map(String));
    if (exp.regex !== undefined) this.pattern = new RegExp(`^(?:${exp.regex})$`);
  }

  check(v: Cell, row: number): void {
    if (isNull(v)) {
      this.nulls.add(row);
      return;
    }
    const e = this.exp;
    if (e.type && !TYPE_CHECKS[e.type](v)) this.type.add(row);
    if (e.min !== undefined || e.max !== undefined) {
      const n = asNumber(v);
      if (n === undefined || (e.min !== undefined && n < e.min) || (e.max !== undefined && n > e.max)) this.range.add(row);
    }
    const text = v instanceof Date ? v.toISOString() : String(v);
    if (this.allowedSet && !this.allowedSet.has(text)) this.allowed.add(row);
    if (this.pattern && !this.pattern.test(text)) this.regex.add(row);
    if (e.unique) {
      if (this.seen.has(text)) this.unique.add(row);
      else this.seen.add(text);
    }
  }
}

function result(expectation: string, column: string | null, failures: Failures, message: string): ExpectationResult {
  return { expectation, column, success: failures.count === 0, message, failed_count: failures.count, example_rows: failures.rows };
}

export class ExpectationRunner {
  private readonly columns: ColumnState[];
  private rows = 0;
  private missing: string[] = [];

  constructor(private readonly exp: Expectations) {
    this.columns = Object.entries(exp.columns).map(([n, e]) => new ColumnState(n, e));
  }

  /** Sets where each expected column is in the rows that follow; absent ones are noted once. */
  header(names: string[]): void {
    for (const c of this.columns) {
      c.index = names.indexOf(c.name);
      if (c.index < 0 && c.exp.required && !this.missing.includes(c.name)) this.missing.push(c.name);
    }
  }

  row(values: Cell[]): void {
    this.rows++;
    for (const c of this.columns) if (c.index >= 0) c.check(values[c.index], this.rows);
  }

  get rowCount(): number {
    return this.rows;
  }

  results(): ExpectationResult[] {
    const out: ExpectationResult[] = [];
    for (const c of this.columns) out.push(...this.columnResults(c));
    const rc = this.exp.row_count;
    if (rc) {
      const ok = (rc.min === undefined || this.rows >= rc.min) && (rc.max === undefined || this.rows <= rc.max);
      const bounds = `${rc.min ?? 0}…${rc.max ?? '∞'}`;
      out.push({ expectation: 'row_count', column: null, success: ok, message: `${this.rows} rows, expected ${bounds}`, failed_count: ok ? 0 : 1, example_rows: [] });
    }
    return out;
  }

  private columnResults(c: ColumnState): ExpectationResult[] {
    const base = `columns.${c.name}`;
    if (c.index < 0) {
      const f = new Failures();
      if (c.exp.required) f.count = 1;
      return [result(`${base}.present`, c.name, f, c.exp.required ? `column "${c.name}" is missing` : `column "${c.name}" is absent (optional)`)];
    }
    const e = c.exp;
    const out = [result(`${base}.present`, c.name, new Failures(), 'present')];
    if (e.type) out.push(result(`${base}.type`, c.name, c.type, `${c.type.count} values are not ${e.type}`));
    if (e.max_null_fraction !== undefined) {
      const frac = this.rows ? c.nulls.count / this.rows : 0;
      const f = frac > e.max_null_fraction ? c.nulls : new Failures();
      out.push(result(`${base}.max_null_fraction`, c.name, f, `null fraction ${frac.toFixed(4)} (${c.nulls.count} empty), at most ${e.max_null_fraction} allowed`));
    }
    if (e.min !== undefined || e.max !== undefined) out.push(result(`${base}.range`, c.name, c.range, `${c.range.count} values outside [${e.min ?? '-∞'}, ${e.max ?? '∞'}]`));
    if (e.allowed) out.push(result(`${base}.allowed`, c.name, c.allowed, `${c.allowed.count} values not in ${JSON.stringify(e.allowed)}`));
    if (e.unique) out.push(result(`${base}.unique`, c.name, c.unique, `${c.unique.count} repeated values`));
    if (e.regex !== undefined) out.push(result(`${base}.regex`, c.name, c.regex, `${c.regex.count} values do not match /${e.regex}/`));
    return out;
  }
}
