/**
 * Typed client of the daemon API, shared by the CLI, the Node tracking client, the extension and the
 * tests. Pure JS (node:http only): the extension bundles it. One call, `request(endpoint, input)`,
 * serves every endpoint declared in schemas/src/endpoints/: it validates the input against the
 * declaration before sending (so a bad call fails here, naming the field, as the daemon would) and
 * the answer on arrival.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type * as z from 'zod';
import {
  API_PREFIX,
  fillPath,
  type Endpoint,
  type EndpointInput,
  type EndpointOutput,
  type JsonEndpoint,
  type NoKeys,
  type StreamEndpoint,
  type StreamItem,
} from '../../schemas/src/endpoint';
import { listModels, registerVersion, snapshotDataset } from '../../schemas/src/endpoints';
import { type UploadResponse } from '../../schemas/src/security';
import { type registerVersionRequest } from '../../schemas/src/api';
import { uploadFile } from './upload';
import { errorResponse, type EntityKind, type ErrorCode, type ErrorIssue } from '../../schemas/src/errors';
import { type SnapshotStreamLine } from '../../schemas/src/tracking';

/** What `register` takes: the registration body, with a local file instead of an uploaded hash. */
export type RegisterInput = Omit<z.input<typeof registerVersionRequest>, 'artifact_sha256'> & { artifact_path: string };

export interface Connection {
  port: number;
  token: string;
}

/** A non-2xx answer from the daemon (or an input the daemon would refuse), with its code and field issues. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly issues: ErrorIssue[] = [],
    /** For not_found: what kind of thing does not exist. */
    readonly entity?: EntityKind,
  ) {
    super(message);
  }
}

export interface CallOptions {
  timeoutMs?: number;
}

/** `request(endpoint)` for endpoints that need no input, `request(endpoint, input)` otherwise. */
type InputArgs<E extends Endpoint> = NoKeys extends EndpointInput<E>
  ? [input?: EndpointInput<E>, opts?: CallOptions]
  : [input: EndpointInput<E>, opts?: CallOptions];

interface RawOptions {
  query?: Record<string, unknown>;
  body?: unknown;
  timeoutMs?: number;
}

export class DaemonClient {
  constructor(
    readonly conn: Connection,
    private readonly actor = 'api',
  ) {}

  /** The API's base URL, handed to child processes (the Python module reads MLOPS_URL). */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.conn.port}${API_PREFIX}`;
  }

  /** Calls a declared JSON endpoint. */
  async request<E extends JsonEndpoint>(ep: E, ...[input, opts]: InputArgs<E>): Promise<EndpointOutput<E>> {
    const res = await this.send(ep, (input ?? {}) as Input, opts);
    const text = await readAll(res).catch((e: unknown) => {
      throw connectionLost(ep, e);
    });
    if (res.statusCode !== ep.status) throw errorFrom(res.statusCode ?? 0, text);
    const parsed = ep.response.safeParse(text ? (JSON.parse(text) as unknown) : {});
    if (!parsed.success) throw invalid(502, 'invalid_response', `the daemon's answer to ${ep.method} ${ep.path}`, 'response', parsed.error);
    return parsed.data as EndpointOutput<E>;
  }

  /** Calls a declared NDJSON stream endpoint, handing each parsed line to `onItem`; resolves at the end. */
  async stream<E extends StreamEndpoint>(ep: E, input: EndpointInput<E>, onItem: (item: StreamItem<E>) => void, opts?: CallOptions): Promise<void> {
    const res = await this.send(ep, input as Input, opts);
    if (res.statusCode !== 200) throw errorFrom(res.statusCode ?? 0, await readAll(res));
    let buf = '';
    res.setEncoding('utf8');
    const chunks = (res as AsyncIterable<string>)[Symbol.asyncIterator]();
    try {
      for (;;) {
        const next = await chunks.next().catch((e: unknown) => {
          throw connectionLost(ep, e);
        });
        if (next.done) break;
        buf += next.value;
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          if (line.trim()) onItem(parseItem(ep, line));
        }
      }
      if (buf.trim()) onItem(parseItem(ep, buf));
    } finally {
      res.destroy();
    }
  }

  /** Uploads a local file's content into the store (the daemon never reads a path a client names). */
  upload(file: string): Promise<UploadResponse> {
    return uploadFile({ ...this.conn, actor: this.actor }, file, errorFrom);
  }

  /** Registers a local ONNX file: its content is uploaded, then the new version names it by hash. */
  async register(name: string, input: RegisterInput): Promise<EndpointOutput<typeof registerVersion>> {
    const { artifact_path, ...rest } = input;
    const up = await this.upload(artifact_path);
    try {
      return await this.request(registerVersion, { params: { name }, body: { ...rest, artifact_sha256: up.sha256 } });
    } catch (e) {
      // The daemon only saw bytes; name the file the user gave.
      if (e instanceof ApiError && e.code === 'invalid_artifact') {
        throw new ApiError(e.status, e.code, `${artifact_path}: ${e.message}`, e.issues);
      }
      throw e;
    }
  }

  /** Every model, following pages. */
  async allModels() {
    const out: EndpointOutput<typeof listModels>['models'] = [];
    let cursor: string | undefined;
    do {
      const page = await this.request(listModels, { query: { limit: 1000, cursor } });
      out.push(...page.models);
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    return out;
  }

  /** Snapshots a dataset (an NDJSON stream), reporting progress lines as they come. */
  async snapshot(name: string, reason: string, onProgress?: (l: Extract<SnapshotStreamLine, { type: 'progress' }>) => void) {
    let result: Extract<SnapshotStreamLine, { type: 'result' }> | undefined;
    await this.stream(snapshotDataset, { params: { name }, body: { reason } }, (line) => {
      if (line.type === 'progress') onProgress?.(line);
      else if (line.type === 'result') result = line;
      else throw new ApiError(line.status, line.code, line.message);
    });
    if (!result) throw new ApiError(502, 'connection_lost', `the daemon ended the snapshot of ${name} without a result`);
    return result;
  }

  /**
   * An unchecked call by method and path below /api/v1, for tests that send what a declared
   * endpoint would refuse to send. Product code calls `request`.
   */
  async raw(method: string, path: string, opts: RawOptions = {}): Promise<{ status: number; text: string }> {
    const res = await this.http(method, API_PREFIX + path + queryString(opts.query), opts.body, opts.timeoutMs);
    return { status: res.statusCode ?? 0, text: await readAll(res) };
  }

  private send(ep: Endpoint, input: Input, opts: CallOptions = {}): Promise<IncomingMessage> {
    const where = `${ep.method} ${ep.path}`;
    check(ep.params, input.params ?? {}, 'path', where);
    check(ep.query, input.query ?? {}, 'query', where);
    if (ep.body) check(ep.body, input.body ?? {}, 'body', where);
    const url = fillPath(ep, input.params) + queryString(input.query);
    return this.http(ep.method, url, ep.body ? (input.body ?? {}) : undefined, opts.timeoutMs ?? ep.timeoutMs ?? 30_000);
  }

  private http(method: string, url: string, value: unknown, timeoutMs = 30_000): Promise<IncomingMessage> {
    const body = value === undefined ? undefined : JSON.stringify(value);
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: this.conn.port,
          method,
          path: url,
          headers: {
            Authorization: `Bearer ${this.conn.token}`,
            'X-Mlops-Actor': this.actor,
            ...(body !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } : {}),
          },
          timeout: timeoutMs,
        },
        resolve,
      );
      req.on('timeout', () => req.destroy(new Error(`daemon did not answer ${method} ${url} in time`)));
      req.on('error', reject);
      req.end(body);
    });
  }
}

interface Input {
  params?: Record<string, unknown>;
  query?: Record<string, unknown>;
  body?: unknown;
}

/** Validates one part of the input as the daemon will; a failure is the 400 the daemon would answer. */
function check(schema: z.ZodType | undefined, value: unknown, where: string, endpoint: string): void {
  if (!schema) return;
  const r = schema.safeParse(value);
  if (!r.success) throw invalid(400, 'bad_request', `${endpoint}`, where, r.error);
}

function invalid(status: number, code: ErrorCode, what: string, where: string, error: z.ZodError): ApiError {
  const issues = error.issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message }));
  const detail = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  return new ApiError(status, code, status === 400 ? detail : `${what} breaks its contract: ${detail}`, issues);
}

function parseItem<E extends StreamEndpoint>(ep: E, line: string): StreamItem<E> {
  const r = ep.item.safeParse(JSON.parse(line));
  if (!r.success) throw invalid(502, 'invalid_response', `a line of ${ep.method} ${ep.path}`, 'item', r.error);
  return r.data as StreamItem<E>;
}

function queryString(query: Record<string, unknown> | undefined): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) qs.set(k, String(v));
  return qs.size ? `?${qs}` : '';
}

/**
 * The answer stopped before its end: the daemon died (crash, kill -9) or dropped the connection.
 * Whatever the call changed may or may not have been committed, so it is never reported as done.
 */
function connectionLost(ep: Endpoint, cause: unknown): ApiError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new ApiError(502, 'connection_lost', `the daemon stopped answering in the middle of ${ep.method} ${ep.path} (the connection was cut: ${why})`);
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

function errorFrom(status: number, text: string): ApiError {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const err = errorResponse.safeParse(json);
  if (err.success) {
    const e = err.data.error;
    return new ApiError(status, e.code, e.message, e.issues ?? [], e.entity);
  }
  return new ApiError(status, 'http_error', `daemon answered HTTP ${status}`);
}
