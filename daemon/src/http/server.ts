/**
 * The daemon's HTTP server on 127.0.0.1: Host check (403), bearer token (401), body size limit
 * (413), zod validation of params, query and body (400 with field paths) and of the response (500).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { API_PREFIX, errorsOf, type JsonEndpoint } from '../../../schemas/src/endpoint';
import { type ErrorBody } from '../../../schemas/src/errors';
import { DomainError } from '../util/errors';
import { type Logger } from '../util/logger';
import { type Route, type Router, type RequestContext } from './router';

export const MAX_BODY_BYTES = 1 << 20;
/** Routes that declare no query take none: an unknown key is a 400, never silently ignored. */
const NO_QUERY = z.object({}).strict();
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export interface ServerOptions {
  router: Router;
  token: string;
  log: Logger;
}

export function createApiServer(opts: ServerOptions): Server {
  const server = createServer((req, res) => {
    handle(opts, req, res).catch((err: unknown) => {
      opts.log.error(`unhandled ${req.method} ${req.url}: ${String(err)}`);
      if (!res.headersSent) sendError(res, new DomainError(500, 'internal', 'internal error; see .mlops/daemon.log'));
      else res.end();
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;
  server.keepAliveTimeout = 5_000;
  return server;
}

async function handle(opts: ServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (!isLoopbackHost(req.headers.host)) {
    return sendError(res, new DomainError(403, 'forbidden_host', `Host "${req.headers.host ?? ''}" is not a loopback name`));
  }
  if (!validToken(req.headers.authorization, opts.token)) {
    return sendError(
      res,
      new DomainError(401, 'unauthorized', 'missing or wrong bearer token; read it from .mlops/daemon.json'),
    );
  }
  if (!url.pathname.startsWith(API_PREFIX + '/')) {
    return sendError(res, new DomainError(404, 'no_route', `no route ${req.method} ${url.pathname}`));
  }
  const { route, params, allowed } = opts.router.match(req.method ?? 'GET', url.pathname.slice(API_PREFIX.length));
  if (!route) {
    if (allowed.length) {
      res.setHeader('Allow', allowed.join(', '));
      return sendError(res, new DomainError(405, 'method_not_allowed', `${req.method} is not allowed here; use ${allowed.join(', ')}`));
    }
    return sendError(res, new DomainError(404, 'no_route', `no route ${req.method} ${url.pathname}`));
  }
  const actor = actorOf(req);
  const ep = route.endpoint;
  try {
    const query = parsePart<unknown>('query', ep.query ?? NO_QUERY, Object.fromEntries(url.searchParams));
    const pathParams = parsePart('path', ep.params, params);
    const body = await readValidBody(ep.body, req, ep.maxBodyBytes ?? MAX_BODY_BYTES);
    const ctx = { params: pathParams, query, body, actor, req } as RequestContext<never>;
    if (ep.kind === 'stream') await route.handler(ctx, res);
    else await runJson(route, ep, ctx, res, opts.log);
  } catch (err) {
    if (res.headersSent) {
      opts.log.error(`error after response started on ${req.method} ${url.pathname}: ${String(err)}`);
      res.end();
      return;
    }
    const e = toDomainError(err, opts.log);
    if (!errorsOf(ep).includes(e.code)) opts.log.error(`${ep.method} ${ep.path} answered code ${e.code}, which its declaration does not list`);
    sendError(res, e);
  }
}

/** Reads and validates a body against the route's schema; a route without one takes no body. */
async function readValidBody(schema: z.ZodType | undefined, req: IncomingMessage, limit: number): Promise<unknown> {
  const raw = await readBody(req, limit);
  if (schema) return parsePart('body', schema, parseJson(raw));
  if (raw.length > 0) throw new DomainError(400, 'bad_request', 'this route takes no request body');
  return undefined;
}

async function runJson(route: Route, ep: JsonEndpoint, ctx: RequestContext<never>, res: ServerResponse, log: Logger): Promise<void> {
  const result: unknown = await route.handler(ctx, res);
  const checked = ep.response.safeParse(result);
  if (!checked.success) {
    log.error(`response of ${ep.method} ${ep.path} broke its contract: ${formatIssues('response', checked.error.issues)}`);
    throw new DomainError(500, 'invalid_response', 'the daemon produced a response that breaks its own contract');
  }
  sendJson(res, ep.status, checked.data);
}

export function parsePart<T>(where: string, schema: z.ZodType<T> | undefined, value: unknown): T {
  if (!schema) return value as T;
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message }));
  throw new DomainError(400, 'bad_request', issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues);
}

function formatIssues(where: string, issues: z.core.$ZodIssue[]): string {
  return issues.map((i) => `${[where, ...i.path.map(String)].join('.')}: ${i.message}`).join('; ');
}

export function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return {};
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch (e) {
    throw new DomainError(400, 'bad_json', `request body is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      req.resume();
      reject(tooLarge(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const tooLarge = (limit: number): DomainError =>
  new DomainError(413, 'body_too_large', `request body exceeds ${limit} bytes`);

export function toDomainError(err: unknown, log: Logger): DomainError {
  if (err instanceof DomainError) return err;
  const code = (err as { code?: unknown }).code;
  if (code === 'SQLITE_BUSY') return new DomainError(503, 'busy', 'the store is busy; retry');
  log.error(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return new DomainError(500, 'internal', `internal error: ${err instanceof Error ? err.message : String(err)}`);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

function sendError(res: ServerResponse, e: DomainError): void {
  const body: ErrorBody = {
    error: {
      status: e.status,
      code: e.code,
      message: e.message,
      ...(e.entity ? { entity: e.entity } : {}),
      ...(e.issues ? { issues: e.issues } : {}),
    },
  };
  sendJson(res, e.status, body);
}

export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const m = /^(\[[^\]]+\]|[^:]+)(?::\d+)?$/.exec(host);
  return m !== null && LOOPBACK_HOSTS.has((m[1] ?? '').toLowerCase());
}

function validToken(header: string | undefined, token: string): boolean {
  const m = /^Bearer (\S+)$/.exec(header ?? '');
  if (!m?.[1]) return false;
  const a = Buffer.from(m[1]);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function actorOf(req: IncomingMessage): string {
  const raw = req.headers['x-mlops-actor'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  return value && /^[\w.:@/-]{1,100}$/.test(value) ? value : 'api';
}
