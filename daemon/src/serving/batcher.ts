/**
 * Micro-batching: concurrent requests' rows wait up to `maxDelayMs` (or until `maxBatch` rows are
 * pending) and run as one onnxruntime call, whose outputs are then split back per request. One run
 * per batch instead of one per request is what lifts throughput above a bare per-request server.
 */
import { type RunOutputs } from '../../../shared/src/serving/model';
import { type Rows } from '../../../shared/src/serving/validate';

interface Pending {
  rows: Rows;
  resolve(o: RunOutputs): void;
  reject(e: unknown): void;
}

export class MicroBatcher {
  private pending: Pending[] = [];
  private pendingRows = 0;
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;

  constructor(
    private readonly run: (rows: Rows) => Promise<RunOutputs>,
    private readonly maxBatch: number,
    private readonly maxDelayMs: number,
    private readonly onBatch: (size: number) => void = () => undefined,
  ) {}

  submit(rows: Rows): Promise<RunOutputs> {
    // A request as large as a batch gains nothing from waiting.
    if (rows.length >= this.maxBatch) return this.runOne(rows);
    return new Promise((resolve, reject) => {
      this.pending.push({ rows, resolve, reject });
      this.pendingRows += rows.length;
      if (this.pendingRows >= this.maxBatch) this.flush();
      // With no delay allowed, the batch is whatever arrived in the same event-loop turn: no added latency.
      else this.timer ??= this.maxDelayMs > 0 ? setTimeout(() => this.flush(), this.maxDelayMs) : setImmediate(() => this.flush());
    });
  }

  /** Runs whatever is pending now (also used when a version is retired). */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
    }
    this.timer = undefined;
    const batch = this.pending;
    if (!batch.length) return;
    this.pending = [];
    this.pendingRows = 0;
    const rows = batch.flatMap((p) => p.rows);
    this.onBatch(rows.length);
    this.run(rows).then(
      (out) => {
        let at = 0;
        for (const p of batch) {
          p.resolve(slice(out, at, p.rows.length));
          at += p.rows.length;
        }
      },
      (e: unknown) => batch.forEach((p) => p.reject(e)),
    );
  }

  private runOne(rows: Rows): Promise<RunOutputs> {
    this.onBatch(rows.length);
    return this.run(rows);
  }
}

function slice(out: RunOutputs, at: number, n: number): RunOutputs {
  const part: RunOutputs = new Map();
  for (const [name, o] of out) part.set(name, { ...o, perRow: o.perRow.slice(at, at + n) });
  return part;
}
