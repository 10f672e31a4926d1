/**
 * The serving process's HTTP server. Every prediction request goes through one pipeline:
 *
 *   guard (Host, Content-Type, token, body cap) → parse (protocol) → validate (signature)
 *     → run (micro-batched when configured) → respond (protocol) → record (metrics, hooks)
 *
 * `record` hands each finished request to `recorders`, where monitoring plugs in latency histograms,
 * prediction logs or a shadow copy without touching the steps before it.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type FeatureValue, type ServingBoot } from '../../../schemas/src/serving';
import { REQUEST_ID_PATTERN } from '../../../schemas/src/monitoring';
import { uuidV7 } from './request-id';
import { ServingError } from '../../../shared/src/serving/errors';
import { type ModelHost } from './host';
import { type LoadedModel, type RunOutputs } from '../../../shared/src/serving/model';
import { type ServingMetrics } from './metrics';
import { formatInvocations, formatV2, parseInvocations, parsePredict, parseV2, records, v2Datatype } from './protocols';
import { validateInstances } from '../../../shared/src/serving/validate';
import { type Decision, type Safety } from './safety';
import { hostName, isLoopbackHost, readBody } from '../http/wire';

/** What the record step sees of each prediction request. */
export interface RequestRecord {
  requestId: string;
  route: string;
  status: number;
  seconds: number;
  model: string | undefined;
  version: number | undefined;
  /** Validated rows (absent when the request was refused before validation passed). */
  rows?: FeatureValue[][];
  outputs?: RunOutputs;
  /** JSON text of `records(outputs)` when the answer embeds it (/predict): monitoring logs this very text. */
  outputsJson?: string;
  /** Answered from the fallback rules (breaker open or deployment disabled), not by the model. */
  fallback?: boolean;
  /** The fallback answered because of the model (it threw, failed to load, or its breaker is open), not the feature flag. */
  modelFailed?: boolean;
  error?: ServingError;
}
export type Recorder = (r: RequestRecord) => void;
/** A POST route added beside the prediction ones (monitoring's `/feedback`); it does its own auth. */
export interface ExtraPostRoute {
  checkToken(req: IncomingMessage): void;
  handle(body: unknown): Promise<{ status: number; body: unknown }>;
}

interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  record: RequestRecord;
}

type Protocol = 'predict' | 'invocations' | 'v2';

export class ServingServer {
  readonly recorders: Recorder[] = [];
  readonly postRoutes = new Map<string, ExtraPostRoute>();
  private readonly server: Server;

  constructor(
    private readonly boot: ServingBoot,
    private readonly host: ModelHost,
    private readonly metrics: ServingMetrics,
    private readonly safety: Safety,
  ) {
    this.server = createServer((req, res) => void this.handle(req, res));
    // Load generators and client pools keep connections open; do not cut them between requests.
    this.server.keepAliveTimeout = 65_000;
    this.server.headersTimeout = 10_000;
    this.server.requestTimeout = 60_000;
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.boot.port, this.boot.host, () => {
        const a = this.server.address();
        resolve(typeof a === 'object' && a ? a.port : 0);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
      setTimeout(() => this.server.closeAllConnections(), 2000).unref();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const t0 = performance.now();
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const record: RequestRecord = { requestId: requestIdOf(req), route: routeName(path), status: 0, seconds: 0, model: undefined, version: undefined };
    this.metrics.inFlight++;
    try {
      await this.dispatch({ req, res, record }, path);
    } catch (e) {
      const err = e instanceof ServingError ? e : new ServingError(500, 'internal', e instanceof Error ? e.message : String(e));
      if (err.code === 'model_error') this.metrics.modelErrors++;
      record.error = err;
      send(res, err.status, err.body());
    } finally {
      this.metrics.inFlight--;
      record.status = res.statusCode;
      record.seconds = (performance.now() - t0) / 1000;
      const prediction = record.route !== '/health' && record.route !== '/metrics' && record.route !== '/feedback' && !record.route.startsWith('/v2/health');
      this.metrics.observe(record.route, record.status, record.seconds, prediction);
      for (const r of this.recorders) r(record);
    }
  }

  private async dispatch(ctx: Ctx, path: string): Promise<void> {
    const { req } = ctx;
    if (!this.hostAllowed(req.headers.host)) {
      throw new ServingError(403, 'forbidden_host', `Host "${req.headers.host ?? ''}" is not a loopback name; the endpoint answers local clients only`);
    }
    const method = req.method ?? 'GET';
    if (method === 'GET') return this.get(ctx, path);
    if (method !== 'POST') throw new ServingError(405, 'method_not_allowed', `${method} is not allowed; use GET or POST`);
    const extra = this.postRoutes.get(path);
    const protocol = extra ? undefined : postProtocol(path, this.model()?.spec.model);
    if (!protocol && !extra) throw new ServingError(404, 'no_route', `no route POST ${path}`);
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') {
      throw new ServingError(415, 'unsupported_media_type', `Content-Type must be application/json (got ${type ? `"${type}"` : 'none'})`);
    }
    if (extra) {
      extra.checkToken(req);
      const answer = await extra.handle(await readJson(req, this.boot.max_body_bytes, this.boot.deployment));
      return send(ctx.res, answer.status, answer.body);
    }
    this.checkToken(req);
    const body = await readJson(req, this.boot.max_body_bytes, this.boot.deployment);
    return this.predict(ctx, protocol as Protocol, body);
  }

  private model(): LoadedModel | undefined {
    return this.host.model;
  }

  private get(ctx: Ctx, path: string): void {
    const m = this.model();
    const name = m?.spec.model;
    if (path === '/health') {
      return m ? send(ctx.res, 200, { status: 'ok', model: name, version: m.spec.version }) : send(ctx.res, 503, { status: 'loading' });
    }
    if (path === '/metrics') {
      ctx.res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
      ctx.res.end(this.metrics.render());
      return;
    }
    if (path === '/v2/health/live') return send(ctx.res, 200, { live: true });
    if (path === '/v2/health/ready') return send(ctx.res, m ? 200 : 503, { ready: !!m });
    if (path === '/v2') return send(ctx.res, 200, { name: 'mlops-workbench', version: '2', extensions: [] });
    const v2 = /^\/v2\/models\/([^/]+)(\/ready)?$/.exec(path);
    if (v2 && m && decodeURIComponent(v2[1] ?? '') === name) {
      if (v2[2]) return send(ctx.res, 200, { name, ready: true });
      this.checkToken(ctx.req);
      return send(ctx.res, 200, v2Metadata(m));
    }
    if (v2) throw new ServingError(404, 'model_not_found', `no model "${decodeURIComponent(v2[1] ?? '')}" here${name ? `; this endpoint serves "${name}"` : ''}`);
    throw new ServingError(404, 'no_route', `no route GET ${path}`);
  }

  private async predict(ctx: Ctx, protocol: Protocol, body: unknown): Promise<void> {
    const t0 = performance.now();
    const decision = this.safety.decide();
    if (decision === 'fallback' || decision === 'disabled') return this.fallback(ctx, protocol, body, decision);
    const pinned = this.host.acquire();
    if (!pinned) {
      if (decision !== 'probe') throw new ServingError(503, 'not_ready', 'the model is still loading; retry shortly (GET /health says when it is ready)');
      this.safety.failed('no version is loaded', decision);
      return this.fallback(ctx, protocol, body, 'fallback');
    }
    let reached = false;
    try {
      const m = pinned.model;
      ctx.record.model = m.spec.model;
      ctx.record.version = m.spec.version;
      const { rows, v2 } = this.parse(protocol, body, m, m.features);
      ctx.record.rows = rows;
      reached = true;
      let outputs: RunOutputs;
      let fallback = false;
      try {
        outputs = await pinned.run(rows);
        this.safety.succeeded(performance.now() - t0, decision);
      } catch (e) {
        // A throwing model trips the breaker; with rules this request is answered from them too.
        if (!(e instanceof ServingError && e.code === 'model_error') || !this.safety.failed(e.message, decision)) throw e;
        this.metrics.modelErrors++;
        outputs = this.safety.answer(rows, m.features, m);
        fallback = true;
      }
      this.respond(ctx, protocol, m, outputs, rows.length, v2, fallback);
    } finally {
      if (!reached) this.safety.breaker.release(decision);
      pinned.done();
    }
  }

  /** Parse (protocol) and validate (signature) one request body. */
  private parse(protocol: Protocol, body: unknown, m: LoadedModel | undefined, features: LoadedModel['features']): { rows: FeatureValue[][]; v2: ReturnType<typeof parseV2> | undefined } {
    if (protocol === 'v2' && !m) throw new ServingError(503, 'not_ready', 'no model version is loaded, and the v2 protocol needs its tensor names; use POST /predict meanwhile');
    const v2 = protocol === 'v2' && m ? parseV2(body, { inputMode: m.spec.input_mode, inputs: m.inputs, features }) : undefined;
    const instances = v2 ? v2.instances : protocol === 'predict' ? parsePredict(body) : parseInvocations(body);
    if (instances.length > this.boot.max_instances) {
      throw new ServingError(413, 'too_many_instances', `${instances.length} instances exceed the limit of ${this.boot.max_instances} per request (deployments.${this.boot.deployment}.max_instances)`);
    }
    if (!instances.length) throw new ServingError(400, 'invalid_input', 'no instances to predict');
    return { rows: validateInstances(instances, features), v2 };
  }

  /** Answers from the fallback rules (breaker open or deployment disabled), or 503 saying why. */
  private fallback(ctx: Ctx, protocol: Protocol, body: unknown, decision: Decision): void {
    this.safety.requireRules(decision);
    const m = this.host.model;
    const features = m?.features.length ? m.features : this.boot.model.features;
    const { rows, v2 } = this.parse(protocol, body, m, features);
    ctx.record.rows = rows;
    ctx.record.model = m?.spec.model ?? this.boot.model.model;
    ctx.record.version = m?.spec.version ?? this.boot.model.version;
    const outputs = this.safety.answer(rows, features, m);
    this.respond(ctx, protocol, m?.spec ?? this.boot.model, outputs, rows.length, v2, true);
  }

  private respond(ctx: Ctx, protocol: Protocol, m: { spec: { model: string; version: number } } | { model: string; version: number }, outputs: RunOutputs, n: number, v2: ReturnType<typeof parseV2> | undefined, fallback: boolean): void {
    const spec = 'spec' in m ? m.spec : m;
    ctx.record.outputs = outputs;
    if (fallback) ctx.record.fallback = true;
    if (fallback && this.safety.enabled) ctx.record.modelFailed = true;
    this.metrics.predictions += n;
    const mark = fallback ? { fallback: true } : {};
    if (protocol === 'predict') {
      // The records' text is made once: the answer embeds it and monitoring logs it.
      const predictions = JSON.stringify(records(outputs, n));
      ctx.record.outputsJson = predictions;
      const rest = JSON.stringify({ model: spec.model, model_version: spec.version, request_id: ctx.record.requestId, ...mark });
      sendText(ctx.res, 200, `{"predictions":${predictions},${rest.slice(1)}`);
    } else if (protocol === 'invocations') send(ctx.res, 200, { ...formatInvocations(outputs, n), ...mark });
    else {
      const out = formatV2(outputs, n, fallback ? undefined : v2?.outputs);
      send(ctx.res, 200, { model_name: spec.model, model_version: String(spec.version), id: v2?.id ?? ctx.record.requestId, outputs: out, ...(fallback ? { parameters: { fallback: true }, fallback: true } : {}) });
    }
  }

  private hostAllowed(header: string | undefined): boolean {
    if (this.boot.allowed_hosts.includes('*')) return true;
    const name = hostName(header);
    return isLoopbackHost(header) || (name !== undefined && this.boot.allowed_hosts.includes(name));
  }

  private checkToken(req: IncomingMessage): void {
    const token = this.boot.token;
    if (token === null) return;
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    const given = Buffer.from(m?.[1] ?? '');
    const want = Buffer.from(token);
    if (given.length !== want.length || !timingSafeEqual(given, want)) {
      throw new ServingError(401, 'unauthorized', `missing or wrong serving token; send "Authorization: Bearer <token>" (mlops deployments show ${this.boot.deployment} --json gives it)`);
    }
  }
}

function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID_PATTERN.test(given) ? given : uuidV7();
}

/** Route label for metrics: bounded cardinality whatever paths clients try. */
function routeName(path: string): string {
  if (/^\/v2\/models\/[^/]+\/infer$/.test(path)) return '/v2/models/infer';
  if (/^\/v2\/models\/[^/]+(\/ready)?$/.test(path)) return path.endsWith('/ready') ? '/v2/models/ready' : '/v2/models';
  return ['/predict', '/invocations', '/health', '/metrics', '/v2', '/v2/health/live', '/v2/health/ready', '/feedback'].includes(path) ? path : 'other';
}

function postProtocol(path: string, model: string | undefined): Protocol | undefined {
  if (path === '/predict') return 'predict';
  if (path === '/invocations') return 'invocations';
  const m = /^\/v2\/models\/([^/]+)\/infer$/.exec(path);
  if (!m) return undefined;
  const name = decodeURIComponent(m[1] ?? '');
  if (model !== undefined && name !== model) throw new ServingError(404, 'model_not_found', `no model "${name}" here; this endpoint serves "${model}"`);
  return 'v2';
}

function v2Metadata(m: LoadedModel) {
  const tensorMode = m.spec.input_mode === 'tensor';
  return {
    name: m.spec.model,
    versions: [String(m.spec.version)],
    platform: 'onnxruntime_onnx',
    inputs: m.inputs.map((i) => ({ name: i.name, datatype: v2Datatype(i.type), shape: tensorMode ? [-1, m.features.length] : [-1, 1] })),
    outputs: m.outputs.map((o) => ({ name: o.name, datatype: v2Datatype(o.type), shape: [-1, ...o.shape.map((d) => (typeof d === 'number' ? d : -1))] })),
  };
}

async function readJson(req: IncomingMessage, limit: number, deployment: string): Promise<unknown> {
  const raw = await readBody(req, limit, () => new ServingError(413, 'body_too_large', `request body exceeds the limit of ${limit} bytes (deployments.${deployment}.max_body_bytes)`));
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch (e) {
    throw new ServingError(400, 'invalid_json', `the body is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  sendText(res, status, JSON.stringify(body));
}

function sendText(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
