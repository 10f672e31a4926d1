/**
 * The versions a serving process holds and the hand-over between them. A request takes a reference
 * to the current version when it arrives and keeps it to the end, so a switch never touches requests
 * in flight: the new version loads and warms up beside the old one, becomes current for new
 * requests, and the old session is released once its last request has finished.
 */
import { type ServingBoot, type ServingModelSpec } from '../../../schemas/src/serving';
import { MicroBatcher } from './batcher';
import { LoadedModel, type RunOutputs } from '../../../shared/src/serving/model';
import { type ServingMetrics } from './metrics';
import { type Rows } from '../../../shared/src/serving/validate';

export interface HostEvents {
  loaded(version: number, loadMs: number, warmupMs: number): void;
  loadFailed(version: number, error: string): void;
  released(version: number): void;
}

interface Held {
  model: LoadedModel;
  batcher: MicroBatcher | undefined;
  retired: boolean;
}

export class ModelHost {
  private current: Held | undefined;
  private readonly retiring = new Set<Held>();
  private loading: Promise<void> = Promise.resolve();

  constructor(
    private readonly boot: ServingBoot,
    private readonly metrics: ServingMetrics,
    private readonly events: HostEvents,
  ) {}

  get ready(): boolean {
    return this.current !== undefined;
  }

  /** The version new requests go to. */
  get model(): LoadedModel | undefined {
    return this.current?.model;
  }

  /** Number of sessions held (current plus those finishing their last requests). */
  get loadedCount(): number {
    return (this.current ? 1 : 0) + this.retiring.size;
  }

  /** Queues a load; loads run one at a time, in order. A failure leaves the current version serving. */
  load(spec: ServingModelSpec): Promise<void> {
    this.loading = this.loading.then(() => this.loadNow(spec));
    return this.loading;
  }

  private async loadNow(spec: ServingModelSpec): Promise<void> {
    if (this.current?.model.spec.version === spec.version && this.current.model.spec.artifact_sha256 === spec.artifact_sha256) {
      this.events.loaded(spec.version, 0, 0);
      return;
    }
    const t0 = performance.now();
    let model: LoadedModel;
    let t1: number;
    try {
      model = await LoadedModel.load(spec, this.boot.threads);
      t1 = performance.now();
      await model.warmUp().catch(async (e: unknown) => {
        await model.release().catch(() => undefined);
        throw new Error(`warm-up run failed: ${e instanceof Error ? e.message : String(e)}`);
      });
    } catch (e) {
      this.events.loadFailed(spec.version, e instanceof Error ? e.message : String(e));
      return;
    }
    const t2 = performance.now();
    const held: Held = { model, batcher: this.batcherFor(model), retired: false };
    const old = this.current;
    this.current = held;
    this.metrics.served = { model: spec.model, version: spec.version };
    this.metrics.observeLoad(spec.version, (t2 - t0) / 1000);
    this.events.loaded(spec.version, t1 - t0, t2 - t1);
    if (old) this.retire(old);
  }

  private batcherFor(model: LoadedModel): MicroBatcher | undefined {
    if (this.boot.max_batch <= 1) return undefined;
    return new MicroBatcher((rows) => model.run(rows), this.boot.max_batch, this.boot.max_delay_ms, (n) => this.metrics.observeBatch(n));
  }

  private retire(held: Held): void {
    held.retired = true;
    held.batcher?.flush();
    this.retiring.add(held);
    this.releaseIfIdle(held);
  }

  private releaseIfIdle(held: Held): void {
    if (!held.retired || held.model.inflight > 0 || !this.retiring.has(held)) return;
    this.retiring.delete(held);
    const version = held.model.spec.version;
    void held.model.release().finally(() => this.events.released(version));
  }

  /** Pins the current version for one request; `done` must be called exactly once. */
  acquire(): { model: LoadedModel; run(rows: Rows): Promise<RunOutputs>; done(): void } | undefined {
    const held = this.current;
    if (!held) return undefined;
    held.model.inflight++;
    let finished = false;
    return {
      model: held.model,
      run: (rows) => {
        if (!held.batcher) this.metrics.observeBatch(rows.length);
        return held.batcher ? held.batcher.submit(rows) : held.model.run(rows);
      },
      done: () => {
        if (finished) return;
        finished = true;
        held.model.inflight--;
        this.releaseIfIdle(held);
      },
    };
  }

  async close(): Promise<void> {
    await this.loading.catch(() => undefined);
    const all = [...this.retiring, ...(this.current ? [this.current] : [])];
    this.current = undefined;
    this.retiring.clear();
    await Promise.all(all.map((h) => h.model.release().catch(() => undefined)));
  }
}
