/**
 * How a daemon endpoint is declared: once, here in `schemas/`, with its method, path, schemas and
 * error codes. The daemon serves a declaration by adding only its handler (`daemon/src/http/router.ts`
 * `serve`), and the client calls one with `request(endpoint, input)` (`client/src/client.ts`), which
 * validates the input before sending and the answer on arrival. No other file spells a path.
 */
import type * as z from 'zod';
import { COMMON_ERRORS, type ErrorCode } from './errors';

export const API_PREFIX = '/api/v1';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** How an endpoint family answers errors: ours (`{error: {code, …}}`) or MLflow's (`{error_code, message}`). */
export type ErrorStyle = 'mlops' | 'mlflow';
type Schema = z.ZodType | undefined;

interface EndpointShape<P extends Schema, Q extends Schema, B extends Schema> {
  method: HttpMethod;
  /** Below `prefix`; `:name` segments are path parameters, declared by `params`; a last `:name*` takes the rest of the path. */
  path: string;
  /** The API family's prefix (default API_PREFIX); the MLflow-compatible endpoints live under MLflow's own. */
  prefix?: string;
  /** Error body convention (default `mlops`). */
  errorStyle?: ErrorStyle;
  params?: P;
  /** Without one, the endpoint takes no query: an unknown key is a 400, never silently ignored. */
  query?: Q;
  /** Without one, the endpoint takes no request body. */
  body?: B;
  /** The codes this endpoint answers beyond COMMON_ERRORS. */
  errors: readonly ErrorCode[];
  /** Body size limit (default 1 MiB). */
  maxBodyBytes?: number;
  /**
   * The body is raw content of this type instead of JSON: the daemon hands the request stream to
   * the handler (never read whole into memory), capped at `maxBodyBytes`.
   */
  rawBody?: 'application/octet-stream';
  /** How long a client waits by default (default 30 s). */
  timeoutMs?: number;
}

export interface JsonEndpoint<P extends Schema = Schema, Q extends Schema = Schema, B extends Schema = Schema, R extends z.ZodType = z.ZodType>
  extends EndpointShape<P, Q, B> {
  kind: 'json';
  response: R;
  /** Success status (default 200). */
  status: number;
}

/** An endpoint that answers a stream: NDJSON lines or server-sent events, each one `item`. */
export interface StreamEndpoint<P extends Schema = Schema, Q extends Schema = Schema, B extends Schema = Schema, I extends z.ZodType = z.ZodType>
  extends EndpointShape<P, Q, B> {
  kind: 'stream';
  /** `bytes`: the handler reads or writes raw content (artifact upload and download). */
  format: 'ndjson' | 'sse' | 'bytes';
  item: I;
}

export type Endpoint = JsonEndpoint | StreamEndpoint;

type JsonDecl<P extends Schema, Q extends Schema, B extends Schema, R extends z.ZodType> = Omit<
  JsonEndpoint<P, Q, B, R>,
  'kind' | 'status' | 'errors'
> & { status?: number; errors?: readonly ErrorCode[] };
type StreamDecl<P extends Schema, Q extends Schema, B extends Schema, I extends z.ZodType> = Omit<
  StreamEndpoint<P, Q, B, I>,
  'kind' | 'errors'
> & { errors?: readonly ErrorCode[] };

export function defineEndpoint<P extends Schema = undefined, Q extends Schema = undefined, B extends Schema = undefined, R extends z.ZodType = z.ZodType>(
  decl: JsonDecl<P, Q, B, R>,
): JsonEndpoint<P, Q, B, R> {
  checkParams(decl.path, decl.params);
  return { ...decl, kind: 'json', status: decl.status ?? 200, errors: decl.errors ?? [] };
}

export function defineStreamEndpoint<P extends Schema = undefined, Q extends Schema = undefined, B extends Schema = undefined, I extends z.ZodType = z.ZodType>(
  decl: StreamDecl<P, Q, B, I>,
): StreamEndpoint<P, Q, B, I> {
  checkParams(decl.path, decl.params);
  return { ...decl, kind: 'stream', errors: decl.errors ?? [] };
}

export function isEndpoint(value: unknown): value is Endpoint {
  const v = value as Partial<Endpoint> | null;
  return typeof v === 'object' && v !== null && (v.kind === 'json' || v.kind === 'stream') && typeof v.path === 'string' && typeof v.method === 'string';
}

/** Every code an endpoint can answer. */
export function errorsOf(ep: Endpoint): ErrorCode[] {
  return [...new Set<ErrorCode>([...COMMON_ERRORS, ...ep.errors])];
}

/** The `:name` segments of a path. */
export function pathParams(path: string): string[] {
  return path
    .split('/')
    .filter((s) => s.startsWith(':'))
    .map((s) => s.slice(1).replace(/\*$/, ''));
}

/** The path with its parameters filled in (URL-encoded), prefix included. */
export function fillPath(ep: Endpoint, params: Record<string, unknown> = {}): string {
  const filled = ep.path
    .split('/')
    .map((seg) => {
      if (!seg.startsWith(':')) return seg;
      // A rest parameter keeps its slashes; each of its segments is encoded on its own.
      if (seg.endsWith('*')) return String(params[seg.slice(1, -1)]).split('/').map(encodeURIComponent).join('/');
      return encodeURIComponent(String(params[seg.slice(1)]));
    })
    .join('/');
  return (ep.prefix ?? API_PREFIX) + filled;
}

/** A declaration whose `:name` segments and `params` schema disagree fails at load, not at the first request. */
function checkParams(path: string, params: z.ZodType | undefined): void {
  const names = pathParams(path);
  const shape = (params as { shape?: Record<string, unknown> } | undefined)?.shape;
  const keys = shape ? Object.keys(shape) : [];
  if (names.length !== keys.length || names.some((n) => !keys.includes(n))) {
    throw new Error(`endpoint ${path}: path parameters [${names.join(', ')}] and params schema [${keys.join(', ')}] disagree`);
  }
}

/** An input with no keys: what `{}` means in an `extends` test, without `{}`'s any-value meaning. */
export type NoKeys = Record<string, never>;
/** The schema an optional declaration field holds, or never when the endpoint declares none. */
type Declared<S> = Exclude<S, undefined>;
type Part<S, K extends string> = [Declared<S>] extends [never]
  ? { [k in K]?: never }
  : NoKeys extends z.input<Declared<S>>
    ? { [k in K]?: z.input<Declared<S>> }
    : { [k in K]: z.input<Declared<S>> };
type Parsed<S, Empty> = [Declared<S>] extends [never] ? Empty : z.output<Declared<S>>;

/** What a caller passes to `request(endpoint, input)`: path params, query and body as their schemas take them. */
export type EndpointInput<E extends Endpoint> = Part<E['params'], 'params'> & Part<E['query'], 'query'> & Part<E['body'], 'body'>;
/** The parsed answer of a JSON endpoint. */
export type EndpointOutput<E extends JsonEndpoint> = z.output<E['response']>;
/** One parsed item of a stream endpoint. */
export type StreamItem<E extends StreamEndpoint> = z.output<E['item']>;
/** What the daemon's handler receives after validation. */
export interface EndpointArgs<E extends Endpoint> {
  params: Parsed<E['params'], Record<string, never>>;
  query: Parsed<E['query'], Record<string, never>>;
  body: Parsed<E['body'], undefined>;
}
