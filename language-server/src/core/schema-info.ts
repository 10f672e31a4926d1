/**
 * Reads the zod schema itself (zod 4 exposes `_zod.def` and `.description`) so hover, completion,
 * messages and quick fixes always follow `mlopsConfigSchema`, never a copy of it.
 */
import type * as z from 'zod';
import { mlopsConfigSchema } from '../../../schemas/src/mlops-yaml';
import { type PathSegment } from './types';

interface CheckDef {
  check: string;
  value?: unknown;
  inclusive?: boolean;
  format?: string;
  minimum?: number;
  maximum?: number;
  pattern?: RegExp;
}

interface Def {
  type: string;
  innerType?: SchemaNode;
  shape?: Record<string, SchemaNode>;
  element?: SchemaNode;
  keyType?: SchemaNode;
  valueType?: SchemaNode;
  options?: SchemaNode[];
  entries?: Record<string, string | number>;
  values?: unknown[];
  items?: SchemaNode[];
  checks?: { _zod: { def: CheckDef } }[];
  defaultValue?: unknown;
  in?: SchemaNode;
}

/** The slice of a zod 4 schema object this module reads. */
export interface SchemaNode {
  _zod: { def: Def };
  description?: string;
}

export const rootSchema = mlopsConfigSchema as unknown as SchemaNode;

export function asNode(schema: z.ZodType): SchemaNode {
  return schema as unknown as SchemaNode;
}

const WRAPPERS = new Set(['optional', 'default', 'prefault', 'nullable', 'readonly', 'catch', 'nonoptional']);

export interface Unwrapped {
  core: SchemaNode;
  description?: string;
  hasDefault: boolean;
  defaultValue?: unknown;
  optional: boolean;
}

/** Strips optional/default wrappers, collecting the outermost description and the default. */
export function unwrap(schema: SchemaNode): Unwrapped {
  let s = schema;
  const out: Unwrapped = { core: s, hasDefault: false, optional: false };
  for (let i = 0; i < 20; i++) {
    if (out.description === undefined && s.description) out.description = s.description;
    const def = s._zod.def;
    if (def.type === 'default' || def.type === 'prefault') {
      out.hasDefault = true;
      out.defaultValue = def.defaultValue;
    }
    if (def.type === 'optional') out.optional = true;
    if (def.type === 'pipe' && def.in) s = def.in;
    else if (WRAPPERS.has(def.type) && def.innerType) s = def.innerType;
    else break;
  }
  out.core = s;
  return out;
}

/** The schema of one child: object field, record value, list element or tuple item. */
export function childSchema(schema: SchemaNode, seg: PathSegment): SchemaNode | undefined {
  const def = unwrap(schema).core._zod.def;
  switch (def.type) {
    case 'object':
      return typeof seg === 'string' && def.shape && Object.hasOwn(def.shape, seg) ? def.shape[seg] : undefined;
    case 'record':
      return def.valueType;
    case 'array':
      return def.element;
    case 'tuple':
      return typeof seg === 'number' ? def.items?.[seg] : undefined;
    case 'union':
      for (const o of def.options ?? []) {
        const c = childSchema(o, seg);
        if (c) return c;
      }
      return undefined;
    default:
      return undefined;
  }
}

export function schemaAt(path: readonly PathSegment[], from: SchemaNode = rootSchema): SchemaNode | undefined {
  let s: SchemaNode | undefined = from;
  for (const seg of path) {
    if (!s) return undefined;
    s = childSchema(s, seg);
  }
  return s;
}

export function kindOf(schema: SchemaNode): string {
  return unwrap(schema).core._zod.def.type;
}

/** Field names of an object schema, with whether each one must be written. */
export function objectFields(schema: SchemaNode): { name: string; schema: SchemaNode; required: boolean }[] {
  const def = unwrap(schema).core._zod.def;
  if (def.type !== 'object' || !def.shape) return [];
  return Object.entries(def.shape).map(([name, s]) => {
    const u = unwrap(s);
    return { name, schema: s, required: !u.optional && !u.hasDefault && u.core._zod.def.type !== 'unknown' };
  });
}

/** Allowed values of an enum or literal, else undefined. */
export function enumValues(schema: SchemaNode): (string | number)[] | undefined {
  const def = unwrap(schema).core._zod.def;
  if (def.type === 'enum' && def.entries) return Object.values(def.entries);
  if (def.type === 'literal' && def.values) {
    return def.values.filter((v): v is string | number => typeof v === 'string' || typeof v === 'number');
  }
  if (def.type === 'boolean') return undefined;
  return undefined;
}

function numberText(checks: CheckDef[]): string {
  let int = false;
  let lo: { v: number; inc: boolean } | undefined;
  let hi: { v: number; inc: boolean } | undefined;
  for (const c of checks) {
    if (c.check === 'number_format' && (c.format === 'safeint' || c.format === 'int32')) int = true;
    if (c.check === 'greater_than' && typeof c.value === 'number') lo = { v: c.value, inc: c.inclusive === true };
    if (c.check === 'less_than' && typeof c.value === 'number') hi = { v: c.value, inc: c.inclusive === true };
  }
  const noun = int ? 'integer' : 'number';
  if (lo && lo.v === 0 && !lo.inc && !hi) return `a positive ${noun}`;
  if (lo && hi) return `${int ? 'an integer' : 'a number'} from ${lo.v} to ${hi.v}`;
  if (lo) return `${int ? 'an integer' : 'a number'} ${lo.inc ? '≥' : '>'} ${lo.v}`;
  if (hi) return `${int ? 'an integer' : 'a number'} ${hi.inc ? '≤' : '<'} ${hi.v}`;
  return int ? 'an integer' : 'a number';
}

function checksOf(def: Def): CheckDef[] {
  return (def.checks ?? []).map((c) => c._zod.def);
}

/** What a value must be, in words: "a positive number", "one of "a", "b"", "a list of strings". */
export function expectedText(schema: SchemaNode, depth = 0): string {
  const def = unwrap(schema).core._zod.def;
  const checks = checksOf(def);
  switch (def.type) {
    case 'number':
      return numberText(checks);
    case 'string': {
      const nonEmpty = checks.some((c) => c.check === 'min_length' && (c.minimum ?? 0) > 0);
      return checks.some((c) => c.format === 'regex') ? 'a name' : nonEmpty ? 'a non-empty string' : 'a string';
    }
    case 'boolean':
      return 'true or false';
    case 'enum':
    case 'literal':
      return `one of ${(enumValues(schema) ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'object':
    case 'record':
      return 'a mapping';
    case 'array':
      return depth < 1 && def.element ? `a list of ${plural(expectedText(def.element, depth + 1))}` : 'a list';
    case 'tuple':
      return `a list of ${def.items?.length ?? 0} items`;
    case 'union':
      return (def.options ?? []).map((o) => expectedText(o, depth + 1)).join(' or ');
    default:
      return 'a value';
  }
}

function plural(text: string): string {
  if (text.startsWith('a number')) return 'numbers';
  if (text.startsWith('a string') || text.startsWith('a non-empty string')) return 'strings';
  if (text === 'a mapping') return 'mappings';
  if (text.startsWith('one of')) return `values (${text})`;
  return text.replace(/^an? /, '') + 's';
}
