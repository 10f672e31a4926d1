/**
 * Shadow traffic. The record step hands each answered request to `ShadowCopier.offer` after the
 * answer has been written; it only queues a reference (bounded: a full queue drops and counts), and
 * the copies go, in batches and one batch at a time, to a separate low-priority worker process that
 * runs the shadow version. session.run blocks its event loop, so running the shadow in the serving
 * process itself would delay the next answers; a worker process cannot. The worker's answers are
 * compared with the primary's (same label, absolute score difference, both latencies) and the sums
 * are reported to the daemon with the stats, which stores them (daemon/src/safety/shadow-store.ts).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import { SHADOW_BUCKETS_MS, type ShadowDelta } from '../../../schemas/src/safety';
import { servingModelSpecSchema, type PredictionValue, type ServingModelSpec } from '../../../schemas/src/serving';
import { LoadedModel } from '../../../shared/src/serving/model';
import { type Rows } from '../../../shared/src/serving/validate';
import { type RequestRecord } from './http';
import { records } from './protocols';

const MAX_QUEUE = 1000;
const BATCH = 64;
/**
 * How long a part-filled batch waits for more copies. Sending each copy as it came cost the serving
 * loop an IPC round trip per request (send, result, compare: ~50 µs), which one client sending back
 * to back felt as +50 % on p50 (bench/safety.bench.ts); a batch of up to BATCH costs about one.
 */
const BATCH_WAIT_MS = 50;

type Row = Record<string, PredictionValue>;
interface Copy {
  rows: Rows;
  /** The primary's answer as records, formatted at drain time so the answer path only pushes. */
  primary: () => Row[];
  primaryMs: number;
  primaryVersion: number;
}
type WorkerResult = { out: Row[]; ms: number } | { error: string };

export class ShadowCopier {
  private queue: Copy[] = [];
  private worker?: ChildProcess;
  private spec: ServingModelSpec | null = null;
  private inFlight: Copy[] | null = null;
  private seq = 0;
  private timer?: NodeJS.Timeout;
  private readonly delta = new Map<number, ShadowDelta>();

  constructor(
    private readonly deployment: string,
    spec: ServingModelSpec | null,
    private readonly report_: (d: ShadowDelta) => void,
    private readonly log: (line: string) => void,
  ) {
    this.follow(spec);
  }

  /** Starts, switches or stops the shadow worker. */
  follow(spec: ServingModelSpec | null): void {
    if (spec?.version === this.spec?.version && spec?.artifact_sha256 === this.spec?.artifact_sha256) return;
    this.report();
    this.stopWorker();
    this.spec = spec;
    this.queue = [];
    if (!spec) return;
    const w = fork(process.argv[1] ?? '', ['--shadow'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: [], serialization: 'json' });
    try {
      if (w.pid) setPriority(w.pid, 10);
    } catch {
      // Lower priority is a courtesy; without it the worker still never sits in the answer path.
    }
    w.on('message', (m: unknown) => this.onResult(w, m));
    w.on('exit', (code) => {
      if (this.worker !== w) return;
      this.log(`shadow worker for version ${spec.version} exited (${code ?? 'signal'}); copies are dropped until the shadow changes`);
      this.worker = undefined;
      this.inFlight = null;
    });
    w.on('error', () => undefined);
    w.send({ type: 'load', model: spec });
    this.worker = w;
    this.log(`shadow: version ${spec.version} of ${spec.model} gets a copy of each request of ${this.deployment}`);
  }

  /** Called after the answer was written: never blocks, never throws. */
  offer(r: RequestRecord): void {
    if (!this.spec || !this.worker || r.status !== 200 || r.fallback || !r.rows || !r.outputs || r.version === undefined) return;
    if (this.queue.length >= MAX_QUEUE) {
      this.deltaFor(r.version).dropped++;
      return;
    }
    const outputs = r.outputs;
    const n = r.rows.length;
    this.queue.push({ rows: r.rows, primary: () => records(outputs, n), primaryMs: r.seconds * 1000, primaryVersion: r.version });
    this.schedule();
  }

  /** A full batch goes on the next turn; a part-filled one after BATCH_WAIT_MS. */
  private schedule(): void {
    if (this.inFlight || !this.queue.length) return;
    if (this.queue.length >= BATCH) {
      clearTimeout(this.timer);
      this.timer = undefined;
      setImmediate(() => this.drain());
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.drain();
      }, BATCH_WAIT_MS);
      this.timer.unref();
    }
  }

  private drain(): void {
    if (this.inFlight || !this.worker || !this.queue.length) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue.splice(0, BATCH);
    this.inFlight = batch;
    this.worker.send({ type: 'run', id: ++this.seq, items: batch.map((c) => c.rows) });
  }

  private onResult(w: ChildProcess, m: unknown): void {
    if (w !== this.worker || !this.inFlight || !this.spec) return;
    const msg = m as { type?: string; results?: WorkerResult[] };
    if (msg.type !== 'result' || !Array.isArray(msg.results)) return;
    const batch = this.inFlight;
    this.inFlight = null;
    batch.forEach((c, i) => this.compare(c, msg.results?.[i] ?? { error: 'no answer' }));
    this.schedule();
  }

  private deltaFor(primaryVersion: number): ShadowDelta {
    let d = this.delta.get(primaryVersion);
    if (!d) {
      const zeros = () => SHADOW_BUCKETS_MS.map(() => 0);
      d = { shadow_version: this.spec?.version ?? 0, primary_version: primaryVersion, compared: 0, agreed: 0, score_diff_sum: 0, score_count: 0, dropped: 0, failed: 0, primary_buckets: zeros(), shadow_buckets: zeros() };
      this.delta.set(primaryVersion, d);
    }
    return d;
  }

  private compare(c: Copy, res: WorkerResult): void {
    const d = this.deltaFor(c.primaryVersion);
    d.primary_buckets[bucketOf(c.primaryMs)]!++;
    if ('error' in res) {
      d.failed++;
      return;
    }
    d.shadow_buckets[bucketOf(res.ms)]!++;
    c.primary().forEach((p, i) => {
      const s = res.out[i];
      if (!s) return;
      const names = Object.keys(p);
      const label = labelOf(names);
      d.compared++;
      if (JSON.stringify(p[label]) === JSON.stringify(s[label] ?? Object.values(s)[0])) d.agreed++;
      const diff = scoreDiff(p, s, names, label);
      if (diff !== undefined) {
        d.score_diff_sum += diff;
        d.score_count++;
      }
    });
  }

  /** Sends what was added up since the last report (per primary version), then starts again from zero. */
  report(): void {
    for (const d of this.delta.values()) if (d.compared || d.failed || d.dropped) this.report_(d);
    this.delta.clear();
  }

  private stopWorker(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const w = this.worker;
    this.worker = undefined;
    this.inFlight = null;
    if (w && w.exitCode === null) w.kill();
  }

  async close(): Promise<void> {
    this.report();
    this.stopWorker();
  }
}

function bucketOf(ms: number): number {
  const i = SHADOW_BUCKETS_MS.findIndex((b) => ms <= b);
  return i < 0 ? SHADOW_BUCKETS_MS.length - 1 : i;
}

/** The output that holds the label: one named like it, else the first (a regression's value). */
export function labelOf(names: string[]): string {
  return names.find((n) => /label/i.test(n)) ?? names[0] ?? '';
}

/** Mean absolute difference of the scores: another numeric output (probabilities), else a numeric label (regression). */
function scoreDiff(p: Row, s: Row, names: string[], label: string): number | undefined {
  const numeric = (v: unknown): boolean => [v].flat().every((x) => typeof x === 'number');
  const key = names.find((n) => n !== label && numeric(p[n])) ?? (numeric(p[label]) ? label : undefined);
  if (key === undefined) return undefined;
  const a = [p[key]].flat();
  const b = [s[key]].flat();
  if (a.length !== b.length || !a.length || !a.every((x) => typeof x === 'number') || !b.every((x) => typeof x === 'number')) return undefined;
  return a.reduce<number>((sum, x, i) => sum + Math.abs((x as number) - (b[i] as number)), 0) / a.length;
}

/** `serving.js --shadow`: loads one version and runs the batches of copies it is sent. */
export function runShadowWorker(): void {
  let model: LoadedModel | undefined;
  let loading: Promise<void> = Promise.resolve();
  process.on('message', (raw: unknown) => {
    const m = raw as { type?: string; model?: unknown; id?: number; items?: Rows[] };
    if (m.type === 'load') {
      const spec = servingModelSpecSchema.parse(m.model);
      loading = LoadedModel.load(spec, 1).then(
        async (loaded) => {
          await loaded.warmUp();
          model = loaded;
        },
        (e: unknown) => void process.stderr.write(`shadow: version ${spec.version} failed to load: ${e instanceof Error ? e.message : String(e)}\n`),
      );
    } else if (m.type === 'run' && Array.isArray(m.items)) {
      const items = m.items;
      void loading.then(async () => {
        const results: WorkerResult[] = [];
        for (const rows of items) {
          if (!model) {
            results.push({ error: 'the shadow version is not loaded' });
            continue;
          }
          const t0 = performance.now();
          try {
            const out = await model.run(rows);
            results.push({ out: records(out, rows.length), ms: performance.now() - t0 });
          } catch (e) {
            results.push({ error: e instanceof Error ? e.message : String(e) });
          }
        }
        if (process.connected) process.send?.({ type: 'result', id: m.id, results });
      });
    }
  });
  process.on('disconnect', () => process.exit(0));
}
