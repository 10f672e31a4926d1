/**
 * Request body parsing shared by the API server and its body worker (body-worker.ts): JSON with a
 * nesting limit and no `__proto__` keys, then validation against the endpoint's zod schema, with
 * a 400 naming each field at fault.
 */
import type * as z from 'zod';
import { DomainError } from '../util/errors';

export function parsePart<T>(where: string, schema: z.ZodType<T> | undefined, value: unknown): T {
  if (!schema) return value as T;
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message }));
  throw new DomainError(400, 'bad_request', issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues);
}


/** Deepest nesting accepted in a request body; deeper is a 400 before anything recurses over it. */
export const MAX_BODY_DEPTH = 100;

/** Nesting depth of JSON text in one linear pass (brackets outside strings). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) max = Math.max(max, ++depth);
    else if (c === 125 || c === 93) depth--;
  }
  return max;
}

export function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return {};
  const text = raw.toString('utf8');
  if (jsonDepth(text) > MAX_BODY_DEPTH) {
    throw new DomainError(400, 'too_deep', `request body is nested deeper than ${MAX_BODY_DEPTH} levels`);
  }
  try {
    // A "__proto__" key would be dropped silently by the objects built from it: refused instead.
    if (!text.includes('__proto__') && !text.includes('\\u')) return JSON.parse(text) as unknown;
    return JSON.parse(text, (key, value: unknown) => {
      if (key === '__proto__') throw new DomainError(400, 'bad_request', 'body: the key "__proto__" is not allowed');
      return value;
    }) as unknown;
  } catch (e) {
    if (e instanceof DomainError) throw e;
    throw new DomainError(400, 'bad_json', `request body is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

