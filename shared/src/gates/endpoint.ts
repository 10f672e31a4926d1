/**
 * Temporary serving endpoints for the latency gate: the real serving process (dist/serving.js, the
 * entry every deployment runs) forked with an IPC channel and booted like a deployment, but on an
 * ephemeral loopback port with a fresh token, one thread, no micro-batching, no monitoring, no
 * shadow and no row anywhere: nothing is registered, recorded or written. Both the daemon and the
 * CLI on a CI runner (no daemon) start them, so this lives in shared/; each passes the path of the
 * serving entry it ships beside (the daemon's supervisor knows it, the CLI bundle sits next to it).
 *
 * Every process started here is in `live` until it has exited: `stopTemporaryEndpoints` (daemon
 * shutdown, CLI SIGINT) and a process `exit` hook kill what is left. A serving process also exits
 * on its own when its parent goes away (the IPC channel closes), so even `kill -9` leaves none.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { SERVING_LIMIT_DEFAULTS } from '../../../schemas/src/mlops-yaml';
import { fromServingMessage, type FeatureValue, type ServingBootInput, type ServingModelSpec } from '../../../schemas/src/serving';
import { GateCannotRun } from './data';
import { percentile } from './rules';

const TAIL_BYTES = 4096;
/** Loading a large model on a busy runner takes a while; past this the process is given up on. */
const START_TIMEOUT_MS = 120_000;
const REQUEST_TIMEOUT_MS = 60_000;
/** The process warmed the model up at load; these open the keep-alive connection and settle both sides. */
const WARMUP_REQUESTS = 5;

/** The serving entry beside a bundle (dist/serving.js next to dist/cli.js); MLOPS_SERVING_JS overrides, as for deployments. */
export function servingEntryBeside(dir: string): string {
  return process.env['MLOPS_SERVING_JS'] ?? join(dir, 'serving.js');
}

export interface EndpointInfo {
  /** Whose endpoint: "candidate" or "Production". */
  role: string;
  pid: number;
  port: number;
}

export class TemporaryEndpoint implements EndpointInfo {
  readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  port = 0;
  private tail = '';
  private exitCode: string | null = null;
  private readonly exited: Promise<void>;

  private constructor(
    readonly role: string,
    readonly token: string,
    private readonly proc: ChildProcess,
  ) {
    const keep = (c: Buffer): void => void (this.tail = (this.tail + c.toString('utf8')).slice(-TAIL_BYTES));
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    proc.on('error', () => undefined);
    this.exited = new Promise((resolve) =>
      proc.once('exit', (code, signal) => {
        this.exitCode = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        live.delete(this);
        this.agent.destroy();
        resolve();
      }),
    );
  }

  get pid(): number {
    return this.proc.pid ?? 0;
  }

  /** Forks the serving entry, boots it on 127.0.0.1:0 and resolves once the model is loaded and warm. */
  static async start(script: string, role: string, spec: ServingModelSpec): Promise<TemporaryEndpoint> {
    if (!existsSync(script)) throw new GateCannotRun(`the serving entry ${script} is missing (run \`npm run build\`), so no temporary endpoint can start`);
    const proc = fork(script, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execArgv: [], serialization: 'json' });
    const ep = new TemporaryEndpoint(role, randomBytes(24).toString('base64url'), proc);
    live.add(ep);
    try {
      await ep.boot(spec);
      return ep;
    } catch (e) {
      await ep.stop();
      throw e;
    }
  }

  private boot(spec: ServingModelSpec): Promise<void> {
    const boot: ServingBootInput = {
      deployment: `gate-${this.role.toLowerCase()}`,
      host: '127.0.0.1',
      port: 0,
      // One thread and no batching: single-instance latency, as the in-process measurement has it.
      threads: 1,
      max_batch: 1,
      max_delay_ms: 0,
      ...SERVING_LIMIT_DEFAULTS,
      token: this.token,
      model: spec,
    };
    return new Promise((resolve, reject) => {
      const fail = (why: string): void => {
        clearTimeout(timer);
        reject(new GateCannotRun(`the ${this.role} model's temporary serving process ${why}${this.lastLines() ? `: ${this.lastLines()}` : ''}`));
      };
      const timer = setTimeout(() => fail(`did not load the model within ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
      this.proc.on('message', (raw: unknown) => {
        const m = fromServingMessage.safeParse(raw);
        if (!m.success) return;
        if (m.data.type === 'listening') this.port = m.data.port;
        else if (m.data.type === 'load_failed') fail(`could not load it (${m.data.error})`);
        else if (m.data.type === 'loaded') {
          clearTimeout(timer);
          resolve();
        }
      });
      void this.exited.then(() => fail(`${this.exitCode ?? 'exited'} before serving`));
      this.proc.send({ type: 'boot', boot });
    });
  }

  lastLines(n = 3): string {
    return this.tail.trim().split('\n').slice(-n).join(' | ');
  }

  /** Graceful shutdown (the process closes its server and sessions), SIGKILL after `graceMs`. */
  async stop(graceMs = 3000): Promise<void> {
    if (this.exitCode !== null) return;
    if (this.proc.connected) this.proc.send({ type: 'shutdown' }, () => undefined);
    else this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  kill(): void {
    if (this.exitCode === null) this.proc.kill('SIGKILL');
  }

  /** One `POST /predict` of one instance; resolves with the client-side milliseconds. */
  predict(body: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const t0 = performance.now();
      const headers = { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Authorization: `Bearer ${this.token}` };
      const req = request({ host: '127.0.0.1', port: this.port, path: '/predict', method: 'POST', agent: this.agent, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('error', reject);
        res.on('end', () => {
          const ms = performance.now() - t0;
          if (res.statusCode === 200) return resolve(ms);
          reject(new GateCannotRun(`the ${this.role} model's temporary endpoint answered ${res.statusCode ?? '?'}: ${text.slice(0, 300)}`));
        });
      });
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)));
      req.on('error', (e) => reject(e instanceof GateCannotRun ? e : new GateCannotRun(`the ${this.role} model's temporary endpoint failed: ${e.message}${this.exitCode ? ` (the process ${this.exitCode}: ${this.lastLines()})` : ''}`)));
      req.end(body);
    });
  }
}

const live = new Set<TemporaryEndpoint>();
process.once('exit', () => {
  for (const ep of live) ep.kill();
});

/** Stops every temporary endpoint still running (daemon shutdown, CLI interrupted). */
export async function stopTemporaryEndpoints(): Promise<void> {
  await Promise.all([...live].map((ep) => ep.stop(1000)));
}

/** Kills them at once, for a signal handler that exits right after. */
export function killTemporaryEndpoints(): void {
  for (const ep of live) ep.kill();
}

export interface EndpointRun {
  script: string;
  candidate: ServingModelSpec;
  production: ServingModelSpec | null;
  rows: FeatureValue[][];
  requests: number;
  onStart?(e: EndpointInfo): void;
  onProgress?(done: number, total: number): void;
}

/**
 * Starts the candidate's and Production's endpoints side by side, warms both up, then times
 * `requests` single-instance predictions against each, alternating request by request (and which
 * goes first), over keep-alive connections, so machine noise hits both. Both processes are stopped
 * before it returns or throws.
 */
export async function endpointP95(run: EndpointRun): Promise<{ candidate: number; production: number | null }> {
  const targets = [{ role: 'candidate', spec: run.candidate }, ...(run.production ? [{ role: 'Production', spec: run.production }] : [])];
  const started = await Promise.allSettled(targets.map((t) => TemporaryEndpoint.start(run.script, t.role, t.spec)));
  const eps = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  try {
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    for (const ep of eps) run.onStart?.({ role: ep.role, pid: ep.pid, port: ep.port });
    const [a, b] = eps as [TemporaryEndpoint, TemporaryEndpoint | undefined];
    const bodies = (i: number): string => JSON.stringify({ instances: [run.rows[i % run.rows.length]] });
    for (let i = 0; i < WARMUP_REQUESTS; i++) {
      await a.predict(bodies(i));
      if (b) await b.predict(bodies(i));
    }
    const ta: number[] = [];
    const tb: number[] = [];
    const every = Math.max(1, Math.ceil(run.requests / 10));
    for (let i = 0; i < run.requests; i++) {
      const body = bodies(i);
      if (b && i % 2 === 1) tb.push(await b.predict(body));
      ta.push(await a.predict(body));
      if (b && i % 2 === 0) tb.push(await b.predict(body));
      if ((i + 1) % every === 0) run.onProgress?.(i + 1, run.requests);
    }
    return { candidate: percentile(ta, 95), production: b ? percentile(tb, 95) : null };
  } finally {
    await Promise.all(eps.map((ep) => ep.stop()));
  }
}
