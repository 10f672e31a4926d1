/**
 * Node/TypeScript tracking client: the same shape as the Python `mlops` module (`params()`,
 * `startRun()`, `logParam(s)`, buffered `logMetric(s)`, `logArtifact`, `setTag`, `endRun`), built by
 * composition on `DaemonClient`. Tracking must never break the program it observes: when no daemon
 * answers, the client warns once and every call becomes a no-op; daemon refusals become warnings.
 */
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type * as z from 'zod';
import { createRun, logArtifact, logMetricBatch, logParams, logTags, setRunStatus } from '../../schemas/src/endpoints/runs';
import { type artifactResponse, type metricBatchRequest, type RunStatus } from '../../schemas/src/tracking';
import { formatProblems, loadConfig } from '../../shared/src/mlops-yaml';
import { findProjectRoot } from '../../shared/src/paths';
import { ApiError, DaemonClient } from './client';
import { connectDaemon } from './connect';

export type ParamValue = string | number | boolean | null;
export type FinalStatus = Exclude<RunStatus, 'running'>;
export type Artifact = z.infer<typeof artifactResponse>;
export type MetricBatch = z.infer<typeof metricBatchRequest>;

/** Flush thresholds, mirrored from the Python module. */
export const FLUSH_POINTS = 1000;
export const FLUSH_INTERVAL_MS = 2000;
/** The daemon caps request bodies at 1 MiB; long backlogs go out in slices below that. */
const MAX_BATCH_BYTES = 512 * 1024;
const MAX_BUFFERED_POINTS = 1_000_000;
const METRIC_KEY = /^[\w.\-/: ]{1,250}$/;
const MAX_PARAM_TEXT = 6000;
const MAX_TAG_TEXT = 5000;

export interface TrackingOptions {
  /** Where to look for the project (default: process.cwd()). */
  cwd?: string;
  /** Environment to read MLOPS_* from (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Start a daemon when none answers (default true). */
  autoStart?: boolean;
  /** The daemon bundle for auto-start (default: dist/daemon.js next to this bundle). */
  daemonScript?: string;
  /** Recorded as the actor of every change (default "node"). */
  actor?: string;
  /** Receives every warning (default: `process.emitWarning` with type MlopsWarning). */
  warn?: (message: string) => void;
  flushPoints?: number;
  flushIntervalMs?: number;
}

export interface StartRunOptions {
  experiment?: string;
  name?: string;
  tags?: Record<string, string>;
  params?: Record<string, unknown>;
}

function defaultWarn(message: string): void {
  process.emitWarning(message, 'MlopsWarning');
}

/**
 * The resolved `params` section of mlops.yaml: from the JSON file named by MLOPS_PARAMS inside
 * `mlops exec`, otherwise from the project's mlops.yaml. Throws with the file and reason when neither works.
 */
export function params(opts: Pick<TrackingOptions, 'cwd' | 'env'> = {}): Record<string, unknown> {
  const env = opts.env ?? process.env;
  const file = env['MLOPS_PARAMS'];
  if (file) {
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new Error(`cannot read the run parameters from MLOPS_PARAMS=${file}: ${(e as Error).message}`);
    }
    if (!isPlainObject(data)) throw new Error(`MLOPS_PARAMS file ${file}: expected a JSON object of parameters`);
    return data;
  }
  const cwd = resolve(opts.cwd ?? process.cwd());
  const root = findProjectRoot(cwd, env);
  if (!root) throw new Error(`cannot read parameters: MLOPS_PARAMS is not set and there is no mlops.yaml in ${cwd} or above`);
  const loaded = loadConfig(root);
  if (!loaded.ok) throw new Error(`cannot read parameters from mlops.yaml:\n${formatProblems(loaded)}`);
  return loaded.config.params;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Where the daemon is: MLOPS_API + MLOPS_TOKEN inside `mlops exec`, else the project's daemon.json. */
async function discover(opts: TrackingOptions): Promise<{ client?: DaemonClient; why: string }> {
  const env = opts.env ?? process.env;
  const actor = opts.actor ?? 'node';
  const apiUrl = env['MLOPS_API'];
  const token = env['MLOPS_TOKEN'];
  if (apiUrl && token) {
    const port = Number(safeUrl(apiUrl)?.port);
    if (Number.isInteger(port) && port > 0) return { client: new DaemonClient({ port, token }, actor), why: '' };
    return { why: `MLOPS_API="${apiUrl}" is not an http://127.0.0.1:<port>/api/v1 address` };
  }
  const cwd = resolve(opts.cwd ?? process.cwd());
  const root = findProjectRoot(cwd, env);
  if (!root) return { why: `no MLOps project here (no mlops.yaml or .mlops/ in ${cwd} or above)` };
  try {
    const client = await connectDaemon(root, {
      actor,
      autoStart: opts.autoStart ?? true,
      ...(opts.daemonScript ? { daemonScript: opts.daemonScript } : {}),
    });
    return { client, why: '' };
  } catch (e) {
    return { why: (e as Error).message };
  }
}

function safeUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/** Runs of one process. Obtain with `TrackingClient.connect()`; a client without a daemon is a no-op. */
export class TrackingClient {
  readonly api: DaemonClient | undefined;
  private readonly warn: (message: string) => void;

  constructor(
    client: DaemonClient | undefined,
    private readonly opts: TrackingOptions = {},
  ) {
    this.api = client;
    this.warn = opts.warn ?? defaultWarn;
  }

  /** Connects to (or starts) the project's daemon; warns once and returns a no-op client when none answers. */
  static async connect(opts: TrackingOptions = {}): Promise<TrackingClient> {
    const found = await discover(opts);
    if (!found.client) (opts.warn ?? defaultWarn)(`mlops: tracking is disabled: ${found.why}. Nothing is recorded.`);
    return new TrackingClient(found.client, opts);
  }

  get enabled(): boolean {
    return this.api !== undefined;
  }

  params(): Record<string, unknown> {
    return params(this.opts);
  }

  /**
   * Joins the `mlops exec` run when MLOPS_RUN_ID is set (adding `tags`), otherwise creates a run.
   * A run the daemon refuses to create comes back disabled, with a warning.
   */
  async startRun(opts: StartRunOptions = {}): Promise<Run> {
    const env = this.opts.env ?? process.env;
    if (!this.api) return new Run(undefined, undefined, false, this.runOptions());
    const execRun = env['MLOPS_RUN_ID'];
    if (execRun) {
      const run = new Run(this.api, execRun, false, this.runOptions());
      if (opts.tags && Object.keys(opts.tags).length) await run.setTags(opts.tags);
      if (opts.params && Object.keys(opts.params).length) await run.logParams(opts.params);
      return run;
    }
    try {
      const detail = await this.api.request(createRun, {
        body: {
          experiment: opts.experiment ?? 'default',
          ...(opts.name !== undefined ? { name: opts.name } : {}),
          command: process.argv.slice(),
          environment: { node_version: process.version, os: `${process.platform} ${process.arch}` },
          tags: opts.tags ?? {},
          params: toParams(opts.params ?? {}, this.warn),
        },
      });
      return new Run(this.api, detail.id, true, this.runOptions());
    } catch (e) {
      this.warn(`mlops: startRun: the daemon did not create a run (${(e as Error).message}); this run is not tracked`);
      return new Run(undefined, undefined, false, this.runOptions());
    }
  }

  private runOptions(): RunOptions {
    return {
      warn: this.warn,
      flushPoints: this.opts.flushPoints ?? FLUSH_POINTS,
      flushIntervalMs: this.opts.flushIntervalMs ?? FLUSH_INTERVAL_MS,
    };
  }
}

interface RunOptions {
  warn: (message: string) => void;
  flushPoints: number;
  flushIntervalMs: number;
}

function toParam(key: string, value: unknown, warn: (m: string) => void): ParamValue {
  let v: ParamValue;
  if (value === null || value === undefined) v = null;
  else if (typeof value === 'number') v = Number.isFinite(value) ? value : String(value);
  else if (typeof value === 'string' || typeof value === 'boolean') v = value;
  else if (typeof value === 'bigint') v = value.toString();
  else v = JSON.stringify(value) ?? String(value);
  if (typeof v === 'string' && v.length > MAX_PARAM_TEXT) {
    warn(`mlops: param "${key}" is ${v.length} characters long; keeping the first ${MAX_PARAM_TEXT}`);
    v = v.slice(0, MAX_PARAM_TEXT);
  }
  return v;
}

function toParams(values: Record<string, unknown>, warn: (m: string) => void): Record<string, ParamValue> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, toParam(k, v, warn)]));
}

/** Runs not yet ended, flushed (and ended, when ours) when the event loop drains. */
const openRuns = new Set<Run>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('beforeExit', () => {
    for (const run of [...openRuns]) void run.end('finished');
  });
}

/** One tracked run. Methods never throw: problems become warnings; a disabled run does nothing. */
export class Run {
  private buf: MetricBatch = { keys: [], steps: [], timestamps: [], values: [] };
  private readonly nextStep = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> = Promise.resolve();
  private ended = false;
  private netWarned = false;

  constructor(
    private readonly api: DaemonClient | undefined,
    readonly id: string | undefined,
    /** A run made by `mlops exec` is ended by exec from the exit code; we only flush it. */
    private readonly owned: boolean,
    private readonly opts: RunOptions,
  ) {
    if (this.enabled) {
      openRuns.add(this);
      installExitHook();
    }
  }

  get enabled(): boolean {
    return this.api !== undefined && this.id !== undefined;
  }

  logParam(key: string, value: unknown): Promise<void> {
    return this.logParams({ [key]: value });
  }

  /** Logging a key again with a different value is refused by the daemon (a warning, not an error). */
  async logParams(values: Record<string, unknown>): Promise<void> {
    const { api, id } = this;
    if (!api || !id) return;
    await this.guard('logParams', () => api.request(logParams, { params: { id }, body: { params: toParams(values, this.opts.warn) } }));
  }

  setTag(key: string, value: unknown): Promise<void> {
    return this.setTags({ [key]: value });
  }

  async setTags(tags: Record<string, unknown>): Promise<void> {
    const { api, id } = this;
    if (!api || !id) return;
    const body: Record<string, string> = {};
    for (const [k, v] of Object.entries(tags)) {
      let text = typeof v === 'string' ? v : String(v);
      if (text.length > MAX_TAG_TEXT) {
        this.opts.warn(`mlops: tag "${k}" is ${text.length} characters long; keeping the first ${MAX_TAG_TEXT}`);
        text = text.slice(0, MAX_TAG_TEXT);
      }
      body[k] = text;
    }
    await this.guard('setTags', () => api.request(logTags, { params: { id }, body: { tags: body } }));
  }

  /** Buffers one point; `step` defaults to one past this key's previous step (0 first). */
  logMetric(key: string, value: number, step?: number): void {
    this.logMetrics({ [key]: value }, step);
  }

  logMetrics(metrics: Record<string, number>, step?: number): void {
    if (!this.enabled || this.ended) return;
    if (step !== undefined && !(Number.isSafeInteger(step) && step >= 0)) {
      this.opts.warn(`mlops: step ${String(step)} is not a non-negative integer; these metrics were skipped`);
      return;
    }
    const now = Date.now();
    for (const [key, value] of Object.entries(metrics)) {
      if (!METRIC_KEY.test(key)) {
        this.opts.warn(`mlops: metric key "${key}" must be 1-250 letters, digits, _ . - / : or space; skipped`);
        continue;
      }
      if (typeof value !== 'number' || value === Infinity || value === -Infinity) {
        this.opts.warn(`mlops: metric "${key}": value ${String(value)} is not a finite number; skipped`);
        continue;
      }
      const at = step ?? this.nextStep.get(key) ?? 0;
      this.nextStep.set(key, at + 1);
      this.buf.keys.push(key);
      this.buf.steps.push(at);
      this.buf.timestamps.push(now);
      this.buf.values.push(Number.isNaN(value) ? null : value);
    }
    if (this.buf.keys.length >= this.opts.flushPoints) void this.flush();
    else if (this.buf.keys.length && !this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.opts.flushIntervalMs);
      this.timer.unref();
    }
  }

  /** Sends every buffered point; resolves when they are written (or kept for retry after a network error). */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const batch = this.buf;
    this.buf = { keys: [], steps: [], timestamps: [], values: [] };
    // Chained so batches reach the daemon in the order they were logged.
    this.sending = this.sending.then(() => this.send(batch));
    return this.sending;
  }

  private async send(batch: MetricBatch): Promise<void> {
    const { api, id } = this;
    if (!api || !id) return;
    let start = 0;
    while (start < batch.keys.length) {
      const end = sliceEnd(batch.keys, start);
      const part = sliceBatch(batch, start, end);
      try {
        await api.request(logMetricBatch, { params: { id }, body: part });
      } catch (e) {
        if (e instanceof ApiError && e.status < 500) {
          this.opts.warn(`mlops: the daemon refused ${part.keys.length} metric points of run ${id}: ${describe(e)}`);
        } else {
          this.warnNetwork(e);
          this.requeue(sliceBatch(batch, start, batch.keys.length));
          return;
        }
      }
      start = end;
    }
  }

  private requeue(rest: MetricBatch): void {
    const b = this.buf;
    this.buf = {
      keys: rest.keys.concat(b.keys),
      steps: rest.steps.concat(b.steps),
      timestamps: rest.timestamps.concat(b.timestamps),
      values: rest.values.concat(b.values),
    };
    const excess = this.buf.keys.length - MAX_BUFFERED_POINTS;
    if (excess > 0) this.buf = sliceBatch(this.buf, excess, this.buf.keys.length);
    if (!this.ended && !this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.opts.flushIntervalMs);
      this.timer.unref();
    }
  }

  /** Stores a local file with the run; resolves to its {path, sha256, size}, or undefined on failure. */
  async logArtifact(path: string, name?: string): Promise<Artifact | undefined> {
    const { api, id } = this;
    if (!api || !id) return undefined;
    // The daemon never reads a path we name: the content is uploaded, then named by its hash.
    return this.guard('logArtifact', async () => {
      const up = await api.upload(resolve(path));
      return api.request(logArtifact, { params: { id }, body: { sha256: up.sha256, name: name ?? basename(path) } });
    });
  }

  /** Flushes metrics and records the final status (only for runs this client created). */
  async end(status: FinalStatus = 'finished', exitCode: number | null = null): Promise<void> {
    const { api, id } = this;
    if (this.ended || !api || !id) return;
    this.ended = true;
    openRuns.delete(this);
    await this.flush();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.owned) await this.guard('endRun', () => api.request(setRunStatus, { params: { id }, body: { status, exit_code: exitCode } }));
  }

  /** Alias of `end`, matching the Python module's name. */
  endRun(status: FinalStatus = 'finished', exitCode: number | null = null): Promise<void> {
    return this.end(status, exitCode);
  }

  /** Runs `fn` with this run, ending it `finished`, or `failed` (and rethrowing) when `fn` throws. */
  async wrap<T>(fn: (run: Run) => Promise<T> | T): Promise<T> {
    try {
      const out = await fn(this);
      await this.end('finished');
      return out;
    } catch (e) {
      await this.end('failed');
      throw e;
    }
  }

  private async guard<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof ApiError && e.status < 500) this.opts.warn(`mlops: ${what} on run ${this.id}: ${describe(e)}`);
      else this.warnNetwork(e);
      return undefined;
    }
  }

  private warnNetwork(e: unknown): void {
    if (this.netWarned) return;
    this.netWarned = true;
    const msg = e instanceof Error ? e.message : String(e);
    this.opts.warn(`mlops: cannot reach the daemon (${msg}); metrics stay buffered and are retried, other calls are skipped`);
  }
}

function describe(e: ApiError): string {
  const where = e.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  return `${e.message} (HTTP ${e.status}${where ? `; ${where}` : ''})`;
}

function sliceBatch(b: MetricBatch, start: number, end: number): MetricBatch {
  return {
    keys: b.keys.slice(start, end),
    steps: b.steps.slice(start, end),
    timestamps: b.timestamps.slice(start, end),
    values: b.values.slice(start, end),
  };
}

/** End index of a slice whose JSON body stays under MAX_BATCH_BYTES. */
function sliceEnd(keys: string[], start: number): number {
  let size = 64;
  let i = start;
  while (i < keys.length) {
    size += (keys[i]?.length ?? 0) + 48;
    if (size > MAX_BATCH_BYTES && i > start) break;
    i++;
  }
  return i;
}

/** Module-level convenience: connect (or go no-op) and start a run in one call. */
export async function startRun(opts: StartRunOptions & TrackingOptions = {}): Promise<Run> {
  const client = await TrackingClient.connect(opts);
  return client.startRun(opts);
}
