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
} from '../../schemas/src/api';
import {
  checkoutResponse,
  compareRunsResponse,
  datasetDiffResponse,
  datasetManifestResponse,
  datasetVersionsResponse,
  gcResponse,
  listDatasetsResponse,
  listExperimentsResponse,
  listRunsResponse,
  metricSeriesResponse,
  metricsWrittenResponse,
  runDetailSchema,
  snapshotStreamLine,
  type createRunRequest,
  type metricBatchRequest,
  type RunStatus,
  type SnapshotStreamLine,
} from '../../schemas/src/tracking';

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
    if (status < 200 || status >= 300) throw errorFrom(status, text);
    return schema.parse(text ? (JSON.parse(text) as unknown) : {});
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

  // ---------- tracking ----------

  createRun(body: z.input<typeof createRunRequest>) {
    return this.call('POST', '/runs', runDetailSchema, { body, timeoutMs: 120_000 });
  }

  listRuns(query: { experiment?: string; status?: RunStatus; limit?: number; cursor?: string } = {}) {
    return this.call('GET', '/runs', listRunsResponse, { query });
  }

  getRun(id: string) {
    return this.call('GET', `/runs/${enc(id)}`, runDetailSchema);
  }

  endRun(id: string, status: Exclude<RunStatus, 'running'>, exitCode: number | null = null) {
    return this.call('POST', `/runs/${enc(id)}/status`, runDetailSchema, { body: { status, exit_code: exitCode } });
  }

  logMetricBatch(id: string, batch: z.input<typeof metricBatchRequest>) {
    return this.call('POST', `/runs/${enc(id)}/metrics/batch`, metricsWrittenResponse, { body: batch, timeoutMs: 120_000 });
  }

  metricSeries(id: string, key?: string) {
    return this.call('GET', `/runs/${enc(id)}/metrics`, metricSeriesResponse, { query: { key } });
  }

  compareRuns(ids: string[]) {
    return this.call('GET', '/runs/compare', compareRunsResponse, { query: { ids: ids.join(',') } });
  }

  experiments() {
    return this.call('GET', '/experiments', listExperimentsResponse);
  }

  // ---------- datasets ----------

  datasets() {
    return this.call('GET', '/datasets', listDatasetsResponse);
  }

  datasetVersions(name: string) {
    return this.call('GET', `/datasets/${enc(name)}/versions`, datasetVersionsResponse);
  }

  datasetManifest(name: string, version: number) {
    return this.call('GET', `/datasets/${enc(name)}/versions/${version}`, datasetManifestResponse);
  }

  datasetDiff(name: string, from: number, to: number) {
    return this.call('GET', `/datasets/${enc(name)}/diff`, datasetDiffResponse, { query: { from, to } });
  }

  checkout(name: string, version: number) {
    return this.call('POST', `/datasets/${enc(name)}/checkout`, checkoutResponse, { body: { version }, timeoutMs: 600_000 });
  }

  gc(dryRun: boolean, graceSeconds?: number) {
    return this.call('POST', '/gc', gcResponse, { body: { dry_run: dryRun, ...(graceSeconds !== undefined ? { grace_seconds: graceSeconds } : {}) } });
  }

  /** Snapshots a dataset, reporting progress lines as the daemon streams them. */
  snapshot(name: string, reason: string, onProgress?: (l: Extract<SnapshotStreamLine, { type: 'progress' }>) => void) {
    return new Promise<Extract<SnapshotStreamLine, { type: 'result' }>>((resolve, reject) => {
      const body = JSON.stringify({ reason });
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: this.conn.port,
          method: 'POST',
          path: `${API_PREFIX}/datasets/${enc(name)}/snapshot`,
          headers: {
            Authorization: `Bearer ${this.conn.token}`,
            'X-Mlops-Actor': this.actor,
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(body),
          },
        },
        (res) => {
          if (res.statusCode !== 200) {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => reject(errorFrom(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))));
            return;
          }
          let buf = '';
          let settled = false;
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            buf += chunk;
            let i: number;
            while ((i = buf.indexOf('\n')) >= 0) {
              const line = snapshotStreamLine.parse(JSON.parse(buf.slice(0, i)));
              buf = buf.slice(i + 1);
              if (line.type === 'progress') onProgress?.(line);
              else if (line.type === 'result') {
                settled = true;
                resolve(line);
              } else {
                settled = true;
                reject(new ApiError(line.status, 'snapshot_failed', line.message));
              }
            }
          });
          res.on('end', () => settled || reject(new Error('snapshot stream ended without a result')));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  events(after = 0, limit = 1000, subject?: string) {
    return this.call('GET', '/events/log', eventsResponse, { query: { after, limit, subject } });
  }
}

const enc = encodeURIComponent;

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
    return new ApiError(status, e.code, e.message, e.issues ?? []);
  }
  return new ApiError(status, 'http_error', `daemon answered HTTP ${status}`);
}
