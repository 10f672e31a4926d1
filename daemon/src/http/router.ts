/**
 * Routes are endpoint declarations from `schemas/src/endpoints/` plus a handler: `serve(endpoint,
 * handler)` is all a domain adds. The server validates input against the declaration (400 naming the
 * field) and output (500, never sending an off-contract body).
 */
import { type IncomingMessage, type ServerResponse } from 'node:http';
import {
  type Endpoint,
  type EndpointArgs,
  type EndpointOutput,
  type JsonEndpoint,
  type StreamEndpoint,
} from '../../../schemas/src/endpoint';

export type RequestContext<E extends Endpoint> = EndpointArgs<E> & { actor: string; req: IncomingMessage };

export type JsonHandler<E extends JsonEndpoint> = (ctx: RequestContext<E>) => EndpointOutput<E> | Promise<EndpointOutput<E>>;
/** A stream endpoint's handler owns the response (server-sent events, NDJSON progress). */
export type StreamHandler<E extends StreamEndpoint> = (ctx: RequestContext<E>, res: ServerResponse) => void | Promise<void>;

export interface Route {
  endpoint: Endpoint;
  handler(ctx: RequestContext<Endpoint>, res: ServerResponse): unknown;
}

/** Serves a declared endpoint with a handler; parameter, query, body and answer types come from the declaration. */
export function serve<E extends JsonEndpoint>(endpoint: E, handler: JsonHandler<E>): Route;
export function serve<E extends StreamEndpoint>(endpoint: E, handler: StreamHandler<E>): Route;
export function serve(endpoint: Endpoint, handler: (ctx: never, res: ServerResponse) => unknown): Route {
  return { endpoint, handler: handler as Route['handler'] };
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
      const src = r.endpoint.path
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
      if (c.route.endpoint.method !== method) {
        allowed.push(c.route.endpoint.method);
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
