/**
 * What the serving benchmarks (serving, monitoring, safety) share: a temp folder and the server
 * processes they start, both gone however the benchmark ends; wrk on loopback and its parsing; runs
 * of two servers back to back in pairs. Also small sample helpers of the drift benchmarks.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ServingBootInput, type ServingModelSpec } from '../schemas/src/serving';

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** xorshift32 → sums of three uniforms: a cheap bell-shaped sample, shifted for drifted features. */
export function bell(n: number, seed: number, shift: number): Float64Array {
  let x = seed >>> 0 || 1;
  const next = (): number => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = next() + next() + next() - 1.5 + shift;
  return v;
}

/** A benchmark's temp folder and child processes. */
export class BenchSession {
  readonly dir: string;
  private readonly procs: ChildProcess[] = [];

  constructor(prefix: string) {
    this.dir = mkdtempSync(join(tmpdir(), prefix));
    // A crash or an exit() skips run()'s clean-up: no server may outlive the benchmark.
    process.on('exit', () => this.procs.forEach((p) => p.kill('SIGKILL')));
  }

  /** Stopped when the benchmark ends. */
  track<P extends ChildProcess>(p: P): P {
    this.procs.push(p);
    return p;
  }

  /** Spawns a server; resolves with the port it prints (`PORT n` or `listening on http://127.0.0.1:n`). */
  startServer(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<number> {
    const p = this.track(spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } }));
    return new Promise((resolve, reject) => {
      let out = '';
      const onData = (c: Buffer): void => {
        out += c.toString();
        const m = /PORT (\d+)|listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
        if (m) resolve(Number(m[1] ?? m[2]));
      };
      p.stdout?.on('data', onData);
      p.stderr?.on('data', onData);
      p.once('exit', (code) => reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${out}`)));
      setTimeout(() => reject(new Error(`${cmd} did not start: ${out}`)), 30_000).unref();
    });
  }

  /** Writes a wrk script that POSTs `body` as JSON; returns its path. */
  postScript(body = '{"instances": [[35, 12, 70.5]]}', name = 'post.lua'): string {
    const file = join(this.dir, name);
    writeFileSync(file, `wrk.method = "POST"\nwrk.body = '${body}'\nwrk.headers["Content-Type"] = "application/json"\n`);
    return file;
  }

  /** Runs the benchmark, then stops its servers and removes its folder; an error fails it. */
  run(main: () => Promise<void>): void {
    main()
      .catch((e: unknown) => {
        console.error(e);
        process.exitCode = 1;
      })
      .finally(() => {
        this.procs.forEach((p) => p.kill('SIGTERM'));
        rmSync(this.dir, { recursive: true, force: true });
      });
  }
}

/** The serving process as shipped (dist/serving.js); the build must have run. */
export function servingScript(): string {
  const file = join(__dirname, '..', 'dist', 'serving.js');
  if (!existsSync(file)) throw new Error('dist/serving.js is missing: run `npm run build` first');
  return file;
}

/** The churn classifier (age, tenure, spend) at `artifact`, as a serving process loads it. */
export function churnSpec(artifact: string, more: Partial<ServingModelSpec> = {}): ServingModelSpec {
  const features = ['age', 'tenure', 'spend'].map((name) => ({ name, type: 'float' as const }));
  return { model: 'churn', version: 1, artifact_path: artifact, artifact_sha256: 'bench', task: 'classification', input_mode: 'tensor', features, ...more };
}

/** A benchmark serving process's boot: any port, one thread, no micro-batching, no token. */
export function servingBoot(model: ServingModelSpec, more: Partial<ServingBootInput> = {}): ServingBootInput {
  return { deployment: 'bench', port: 0, threads: 1, max_batch: 1, max_delay_ms: 0, max_body_bytes: 8 << 20, max_instances: 10_000, token: null, model, ...more };
}

/** True when wrk (Debian package wrk) can be run. */
export const hasWrk = (): boolean => !spawnSync('wrk', ['--version']).error;

export interface WrkResult {
  rps: number;
  p50ms: number;
  p99ms: number;
  requests: number;
}

/** Requests wrk sent to each port in this run, warm-ups included. */
export const sentTo = new Map<number, number>();

/**
 * wrk on loopback `POST /predict` with `script`; a non-2xx answer fails the benchmark. It runs without
 * blocking this process, which may play the daemon: a daemon reads its serving processes' IPC messages
 * while traffic flows (blocked, the serving process's channel fills and it drops logged predictions
 * no real daemon would make it drop).
 */
export async function wrk(port: number, connections: number, script: string, seconds: number): Promise<WrkResult> {
  const args = [`-t${connections === 1 ? 1 : 2}`, `-c${connections}`, `-d${seconds}s`, '--latency', '-s', script, `http://127.0.0.1:${port}/predict`];
  const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const p = spawn('wrk', args);
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    p.on('error', reject);
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
  if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr}`);
  const failed = /Non-2xx or 3xx responses: (\d+)/.exec(r.stdout);
  if (failed) throw new Error(`port ${port}: ${failed[1]} failed responses\n${r.stdout}`);
  const percentile = (p: string): number => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(r.stdout);
    return Number(m?.[1] ?? NaN) * { us: 0.001, ms: 1, s: 1000 }[(m?.[2] ?? 'ms') as 'us' | 'ms' | 's'];
  };
  const requests = Number(/(\d+) requests in/.exec(r.stdout)?.[1] ?? 0);
  sentTo.set(port, (sentTo.get(port) ?? 0) + requests);
  return { rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1] ?? 0), p50ms: percentile('50'), p99ms: percentile('99'), requests };
}

export interface PairOptions {
  connections: number;
  seconds: number;
  reps: number;
  /** Each server is warmed up (JIT, sessions) this long first. */
  warmupSeconds: number;
}

/**
 * Runs wrk on servers a and b back to back, `reps` times, alternating which goes first (a in the
 * first pair): each pair sees nearly the same load of the shared machine, so ratios taken pair by
 * pair (the i-th run of each) or of the medians compare like with like.
 */
export async function pairedRuns<K extends string>(ports: Record<K, number>, [a, b]: [K, K], script: string, o: PairOptions): Promise<Record<K, WrkResult[]>> {
  await wrk(ports[a], o.connections, script, o.warmupSeconds);
  await wrk(ports[b], o.connections, script, o.warmupSeconds);
  const runs = Object.fromEntries([a, b].map((k) => [k, []])) as unknown as Record<K, WrkResult[]>;
  for (let rep = 0; rep < o.reps; rep++) {
    for (const k of rep % 2 ? [b, a] : [a, b]) runs[k].push(await wrk(ports[k], o.connections, script, o.seconds));
  }
  return runs;
}
