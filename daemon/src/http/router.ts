/**
 * Typed routes: each declares zod schemas for its path params, query, body and response. The server
 * validates input (400 naming the field) and output (500, never sending an off-contract body).
 */
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type z } from 'zod';

export interface RequestContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  actor: string;
  req: IncomingMessage;
}

export interface JsonRoute<P = unknown, Q = unknown, B = unknown, R = unknown> {
  kind: 'json';
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  response: z.ZodType<R>;
  status?: number;
  /** Body size limit for this route (default MAX_BODY_BYTES, 1 MiB). */
  maxBodyBytes?: number;
  handler(ctx: RequestContext<P, Q, B>): R | Promise<R>;
}

/** A route that owns the response stream (server-sent events, NDJSON progress). */
export interface StreamRoute<P = unknown, Q = unknown, B = unknown> {
  kind: 'stream';
  method: 'GET' | 'POST';
  path: string;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  handler(ctx: RequestContext<P, Q, B>, res: ServerResponse): void | Promise<void>;
}

/**
 * A route whose request body is raw content (`application/octet-stream`), handed over as the
 * request stream so it is never held whole in memory; the handler enforces its own size cap.
 */
export interface UploadRoute<P = unknown, Q = unknown, R = unknown> {
  kind: 'upload';
  method: 'POST' | 'PUT';
  path: string;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  response: z.ZodType<R>;
  status?: number;
  maxBodyBytes: number;
  handler(ctx: RequestContext<P, Q, undefined>): R | Promise<R>;
}

export type Route = JsonRoute<never, never, never, unknown> | StreamRoute<never, never, never> | UploadRoute<never, never, unknown>;

/** Declares a JSON route with its types inferred from the schemas. */
export function route<P, Q, B, R>(r: Omit<JsonRoute<P, Q, B, R>, 'kind'>): Route {
  return { kind: 'json', ...r } as unknown as Route;
}

export function streamRoute<P, Q, B>(r: Omit<StreamRoute<P, Q, B>, 'kind'>): Route {
  return { kind: 'stream', ...r } as unknown as Route;
}

export function uploadRoute<P, Q, R>(r: Omit<UploadRoute<P, Q, R>, 'kind'>): Route {
  return { kind: 'upload', ...r } as unknown as Route;
}

interface Compiled {
  route: Route;
  regex: RegExp;
  names: string[];
}

export class Router {
  private readonly compiled: Compiled[];

  constructor(routes: Route[]) {
    this.compiled = routes.map((r) => {
      const names: string[] = [];
      const src = r.path
        .split('/')
        .map((seg) => {
          if (!seg.startsWith(':')) return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          names.push(seg.slice(1));
          return '([^/]+)';
        })
        .join('/');
      return { route: r, regex: new RegExp(`^${src}$`), names };
    });
  }

  /** The route for a method and path; `allowed` lists methods when only the path matched. */
  match(method: string, path: string): { route?: Route; params: Record<string, string>; allowed: string[] } {
    const allowed: string[] = [];
    for (const c of this.compiled) {
      const m = c.regex.exec(path);
      if (!m) continue;
      if (c.route.method !== method) {
        allowed.push(c.route.method);
        continue;
      }
      const params: Record<string, string> = {};
      c.names.forEach((n, i) => {
        params[n] = safeDecode(m[i + 1] ?? '');
      });
      return { route: c.route, params, allowed };
    }
    return { params: {}, allowed };
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
