/**
 * The daemon's HTTP server on 127.0.0.1: Host check (403), bearer token (401), body size limit
 * (413), zod validation of params, query and body (400 with field paths) and of the response (500).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { userInfo } from 'node:os';
import * as z from 'zod';
import { API_PREFIX, errorsOf, type Endpoint, type ErrorStyle, type JsonEndpoint } from '../../../schemas/src/endpoint';
import { type MlflowError } from '../../../schemas/src/mlflow';
import { toMlflowError } from '../mlflow/errors';
import { type ErrorBody } from '../../../schemas/src/errors';
import { DomainError } from '../util/errors';
import { type Logger } from '../util/logger';
import { storeErrorMessage } from '../store/store-errors';
import { type Route, type Router, type RequestContext } from './router';
import { isLoopbackHost, readBody as readCapped } from './wire';
import { peerUser } from './peer';
import { parsePart } from './parse';
import { BodyParser, endpointKey } from './body-parser';

export const MAX_BODY_BYTES = 1 << 20;
/** Routes that declare no query take none: an unknown key is a 400, never silently ignored. */
const NO_QUERY = z.object({}).strict();
const OS_USER = osUser();

export interface ServerOptions {
  router: Router;
  token: string;
  log: Logger;
  /** The OS user the daemon runs as (default: this process's). */
  user?: string;
}

export function createApiServer(opts: ServerOptions): Server {
  const bodies = new BodyParser();
  const server = createServer((req, res) => {
    handle(opts, bodies, req, res).catch((err: unknown) => {
      opts.log.error(`unhandled ${req.method} ${req.url}: ${String(err)}`);
      if (!res.headersSent) sendError(res, new DomainError(500, 'internal', 'internal error; see .mlops/daemon.log'), 'mlops', opts.log);
      else res.end();
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;
  server.keepAliveTimeout = 5_000;
  server.on('close', () => void bodies.close());
  return server;
}

/** MLflow's UI prefix answers exactly as its API prefix does. */
const AJAX_PREFIX = '/ajax-api/2.0/';
const MLFLOW_FAMILIES = ['/api/2.0/mlflow/', '/api/2.0/mlflow-artifacts/', '/api/3.0/mlflow/'];

async function handle(opts: ServerOptions, bodies: BodyParser, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const pathname = url.pathname.startsWith(AJAX_PREFIX) ? `/api/2.0/${url.pathname.slice(AJAX_PREFIX.length)}` : url.pathname;
  // Errors before a route is known answer in the convention of the API family the path names.
  const style: ErrorStyle = MLFLOW_FAMILIES.some((f) => pathname.startsWith(f)) ? 'mlflow' : 'mlops';
  const fail = (e: unknown): void => sendError(res, e, style, opts.log);
  if (!isLoopbackHost(req.headers.host)) {
    return fail(new DomainError(403, 'forbidden_host', `Host "${req.headers.host ?? ''}" is not a loopback name`));
  }
  if (!validToken(req.headers.authorization, opts.token)) {
    return fail(new DomainError(401, 'unauthorized', 'missing or wrong bearer token; read it from .mlops/daemon.json'));
  }
  const { route, params, allowed } = opts.router.match(req.method ?? 'GET', pathname);
  if (!route) {
    if (allowed.length) {
      res.setHeader('Allow', allowed.join(', '));
      return fail(new DomainError(405, 'method_not_allowed', `${req.method} is not allowed here; use ${allowed.join(', ')}`));
    }
    return fail(new DomainError(404, 'no_route', `no route ${req.method} ${url.pathname}`));
  }
  const actor = actorOf(req, opts.user ?? OS_USER);
  const ep = route.endpoint;
  try {
    const query = parsePart<unknown>('query', ep.query ?? NO_QUERY, queryObject(url.searchParams));
    const pathParams = parsePart('path', ep.params, params);
    const raw = ep.kind === 'stream' && ep.format === 'bytes';
    const body = ep.rawBody ? checkRawBody(ep.rawBody, req, ep.maxBodyBytes ?? MAX_BODY_BYTES) : raw ? undefined : await readValidBody(ep, req, bodies);
    const ctx = { params: pathParams, query, body, actor, req } as RequestContext<never>;
    if (ep.kind === 'stream') await route.handler(ctx, res);
    else await runJson(route, ep, ctx, res, opts.log);
  } catch (err) {
    if (res.headersSent) {
      opts.log.error(`error after response started on ${req.method} ${url.pathname}: ${String(err)}`);
      res.end();
      return;
    }
    if (ep.errorStyle === 'mlflow') return sendError(res, err, 'mlflow', opts.log);
    const e = toDomainError(err, opts.log);
    if (!errorsOf(ep).includes(e.code)) opts.log.error(`${ep.method} ${ep.path} answered code ${e.code}, which its declaration does not list`);
    sendError(res, e, 'mlops', opts.log);
  }
}

/** A query string as an object; a key given more than once (`order_by=a&order_by=b`) becomes an array. */
function queryObject(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const all = params.getAll(key);
    out[key] = all.length > 1 ? all : (all[0] as string);
  }
  return out;
}

/** Reads and validates a body against the route's schema (large ones off the event loop); a route without one takes no body. */
async function readValidBody(ep: Endpoint, req: IncomingMessage, bodies: BodyParser): Promise<unknown> {
  const raw = await readBody(req, ep.maxBodyBytes ?? MAX_BODY_BYTES);
  if (raw.length > 0) requireType(req, 'application/json');
  const schema = ep.body;
  if (schema) return bodies.parse(endpointKey(ep.method, (ep.prefix ?? API_PREFIX) + ep.path), schema, raw);
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

/**
 * A body is what its Content-Type says: a web page can send `text/plain` or a form without a CORS
 * preflight, never `application/json`, so anything else is a 415.
 */
function requireType(req: IncomingMessage, wanted: string): void {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== wanted) {
    throw new DomainError(415, 'unsupported_media_type', `Content-Type "${req.headers['content-type'] ?? ''}" is not accepted; send the body as ${wanted}`);
  }
}

/** Raw content: its type and declared length are checked before any byte is read; the handler streams it. */
function checkRawBody(type: string, req: IncomingMessage, limit: number): undefined {
  requireType(req, type);
  if (Number(req.headers['content-length'] ?? 0) > limit) {
    req.resume();
    throw tooLarge(limit);
  }
  return undefined;
}

function formatIssues(where: string, issues: z.core.$ZodIssue[]): string {
  return issues.map((i) => `${[where, ...i.path.map(String)].join('.')}: ${i.message}`).join('; ');
}

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return readCapped(req, limit, () => tooLarge(limit));
}

const tooLarge = (limit: number): DomainError =>
  new DomainError(413, 'body_too_large', `request body exceeds ${limit} bytes`);

export function toDomainError(err: unknown, log: Logger): DomainError {
  if (err instanceof DomainError) return err;
  const code = (err as { code?: unknown }).code;
  if (code === 'SQLITE_BUSY') return new DomainError(503, 'busy', 'the store is busy; retry');
  const store = storeErrorMessage(err);
  if (store) {
    log.error(`store error: ${store}`);
    return new DomainError(503, 'store_error', store);
  }
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

function sendError(res: ServerResponse, err: unknown, style: ErrorStyle, log: Logger): void {
  if (style === 'mlflow') {
    const m = toMlflowError(err);
    if (m.code === 'INTERNAL_ERROR') log.error(`MLflow API internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    const body: MlflowError = { error_code: m.code, message: m.message };
    return sendJson(res, m.status, body);
  }
  const e = toDomainError(err, log);
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

function validToken(header: string | undefined, token: string): boolean {
  // The auth scheme is case-insensitive (RFC 9110 §11.1).
  const m = /^bearer +(\S+)$/i.exec(header ?? '');
  if (!m?.[1]) return false;
  const a = Buffer.from(m[1]);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Who acts, for the audit log: the OS user that owns the client's end of the connection (Linux,
 * from /proc/net/tcp*), else the daemon's own user (reading the token in daemon.json, which is 0600,
 * proves that much). `X-Mlops-Actor` is only a claim: one that names that user (`cli:alice`) is
 * recorded as is, any other next to the user as `alice (claimed: ceo)`.
 */
export function actorOf(req: IncomingMessage, daemonUser: string): string {
  const user = peerUser(req.socket) ?? daemonUser;
  const raw = req.headers['x-mlops-actor'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  const claimed = value && /^[\w.:@/-]{1,100}$/.test(value) ? value : undefined;
  if (!claimed) return user;
  if (claimed.split(/[:@/]/).includes(user)) return claimed;
  return `${user} (claimed: ${claimed})`;
}

function osUser(): string {
  try {
    return userInfo().username.replace(/[^\w.@-]/g, '_') || 'unknown';
  } catch {
    return 'unknown';
  }
}
