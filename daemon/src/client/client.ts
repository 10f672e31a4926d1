/**
 * Typed client of the daemon API, shared by the CLI, the Node tracking client, the extension and the
 * tests. Pure JS (node:http only): the extension bundles it. Responses are parsed with the same zod
 * schemas the daemon validates them with.
 */
import { request as httpRequest } from 'node:http';
import { type z } from 'zod';
import {
  API_PREFIX,
  aliasResponse,
  errorResponse,
  eventsResponse,
  getModelResponse,
  listModelsResponse,
  modelVersionSchema,
  registerVersionResponse,
  rollbackResponse,
  stageChangeResponse,
  statusResponse,
  stopResponse,
  type Stage,
  type registerVersionRequest,
} from '../../../schemas/src/api';

export interface Connection {
  port: number;
  token: string;
}

/** A non-2xx answer from the daemon, carrying its message and field issues. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  timeoutMs?: number;
}

export class DaemonClient {
  constructor(
    readonly conn: Connection,
    private readonly actor = 'api',
  ) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.conn.port}${API_PREFIX}`;
  }

  async call<T>(method: string, path: string, schema: z.ZodType<T>, opts: RequestOptions = {}): Promise<T> {
    const { status, text } = await this.raw(method, path, opts);
    const json = text ? (JSON.parse(text) as unknown) : {};
    if (status < 200 || status >= 300) {
      const err = errorResponse.safeParse(json);
      if (err.success) {
        const e = err.data.error;
        throw new ApiError(status, e.code, e.message, e.issues ?? []);
      }
      throw new ApiError(status, 'http_error', `daemon answered HTTP ${status}`);
    }
    return schema.parse(json);
  }

  raw(method: string, path: string, opts: RequestOptions = {}): Promise<{ status: number; text: string }> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) qs.set(k, String(v));
    const url = `${API_PREFIX}${path}${qs.size ? `?${qs}` : ''}`;
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
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
          timeout: opts.timeoutMs ?? 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`daemon did not answer ${method} ${path} in time`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  status() {
    return this.call('GET', '/status', statusResponse, { timeoutMs: 3000 });
  }

  stop() {
    return this.call('POST', '/daemon/stop', stopResponse);
  }

  listModels(limit = 100, cursor?: string) {
    return this.call('GET', '/models', listModelsResponse, { query: { limit, cursor } });
  }

  /** Every model, following pages. */
  async allModels() {
    const out: z.infer<typeof listModelsResponse>['models'] = [];
    let cursor: string | undefined;
    do {
      const page = await this.listModels(1000, cursor);
      out.push(...page.models);
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    return out;
  }

  getModel(name: string, limit = 100, cursor?: string) {
    return this.call('GET', `/models/${enc(name)}`, getModelResponse, { query: { limit, cursor } });
  }

  getVersion(name: string, version: number) {
    return this.call('GET', `/models/${enc(name)}/versions/${version}`, modelVersionSchema);
  }

  register(name: string, body: z.input<typeof registerVersionRequest>) {
    return this.call('POST', `/models/${enc(name)}/versions`, registerVersionResponse, { body, timeoutMs: 300_000 });
  }

  setStage(name: string, version: number, stage: Stage, reason = '') {
    return this.call('POST', `/models/${enc(name)}/versions/${version}/stage`, stageChangeResponse, {
      body: { stage, reason },
    });
  }

  setAlias(name: string, alias: string, version: number, reason = '') {
    return this.call('PUT', `/models/${enc(name)}/aliases/${enc(alias)}`, aliasResponse, { body: { version, reason } });
  }

  removeAlias(name: string, alias: string, reason = '') {
    return this.call('DELETE', `/models/${enc(name)}/aliases/${enc(alias)}`, aliasResponse, { query: { reason } });
  }

  rollback(name: string, reason = '') {
    return this.call('POST', `/models/${enc(name)}/rollback`, rollbackResponse, { body: { reason } });
  }

  events(after = 0, limit = 1000, subject?: string) {
    return this.call('GET', '/events/log', eventsResponse, { query: { after, limit, subject } });
  }
}

const enc = encodeURIComponent;
