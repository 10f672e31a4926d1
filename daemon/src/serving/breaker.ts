/**
 * The circuit breaker of a serving process. Closed: requests go to the model, and the last `window`
 * outcomes are kept. It opens when the model cannot be loaded, when a run throws, or when over the
 * window (once `min_requests` have been seen) the error share or the p95 latency passes its
 * threshold. Open: answers come from the fallback rules; after `cooldown_ms` one request probes the
 * model (half-open) while the others keep getting the fallback; a probe that succeeds within the
 * latency threshold closes it, any other outcome opens it for another cool-down.
 */
import { type BreakerState, type ServingSafety } from '../../../schemas/src/safety';

export type BreakerSettings = NonNullable<ServingSafety['breaker']>;
/** Where one request goes: the model, the model as the half-open probe, or the fallback. */
export type Admission = 'model' | 'probe' | 'fallback';

export class CircuitBreaker {
  state: BreakerState = 'closed';
  since = new Date();
  reason = 'the model answers';
  private readonly ok: boolean[] = [];
  private readonly ms: number[] = [];
  private openedAt = 0;
  private probing = false;

  constructor(
    private settings: BreakerSettings,
    private readonly changed: (state: BreakerState, reason: string) => void,
    private readonly now: () => number = () => Date.now(),
  ) {}

  configure(settings: BreakerSettings): void {
    this.settings = settings;
  }

  admit(): Admission {
    if (this.state === 'closed') return 'model';
    if (this.probing) return 'fallback';
    if (this.state === 'open' && this.now() - this.openedAt < this.settings.cooldown_ms) return 'fallback';
    this.probing = true;
    if (this.state === 'open') this.move('half_open', `probing the model after a ${this.settings.cooldown_ms} ms cool-down`);
    return 'probe';
  }

  success(ms: number, admission: Admission): void {
    if (admission === 'probe') {
      this.probing = false;
      if (ms > this.settings.p95_ms) return this.open(`the probe took ${ms.toFixed(1)} ms, over the ${this.settings.p95_ms} ms threshold`);
      this.clearWindow();
      return this.move('closed', `the probe succeeded in ${ms.toFixed(1)} ms`);
    }
    if (this.state !== 'closed') return;
    this.push(true, ms);
    this.judge();
  }

  failure(message: string, admission: Admission): void {
    if (admission === 'probe') this.probing = false;
    if (admission === 'fallback') return;
    this.open(`the model threw: ${message}`);
  }

  /** A probe that never reached the model (refused input): the next request probes instead. */
  release(admission: Admission | 'disabled'): void {
    if (admission === 'probe') this.probing = false;
  }

  /** The model could not be loaded (and no version is serving). */
  loadFailed(message: string): void {
    this.open(`the model failed to load: ${message}`);
  }

  /** A new version became current: it starts with a clean record. */
  reset(reason: string): void {
    this.probing = false;
    this.clearWindow();
    if (this.state !== 'closed') this.move('closed', reason);
  }

  private push(ok: boolean, ms: number): void {
    this.ok.push(ok);
    this.ms.push(ms);
    while (this.ok.length > this.settings.window) {
      this.ok.shift();
      this.ms.shift();
    }
  }

  private judge(): void {
    const n = this.ok.length;
    if (n < this.settings.min_requests) return;
    const errors = this.ok.filter((x) => !x).length;
    if (errors / n > this.settings.error_rate_max) {
      return this.open(`error rate ${(errors / n).toFixed(3)} over the last ${n} requests exceeds ${this.settings.error_rate_max}`);
    }
    const sorted = [...this.ms].sort((a, b) => a - b);
    const p95 = sorted[Math.min(n - 1, Math.ceil(0.95 * n) - 1)] ?? 0;
    if (p95 > this.settings.p95_ms) this.open(`p95 latency ${p95.toFixed(1)} ms over the last ${n} requests exceeds ${this.settings.p95_ms} ms`);
  }

  private open(reason: string): void {
    this.openedAt = this.now();
    this.clearWindow();
    this.move('open', reason);
  }

  private clearWindow(): void {
    this.ok.length = 0;
    this.ms.length = 0;
  }

  private move(state: BreakerState, reason: string): void {
    const was = this.state;
    this.state = state;
    this.reason = reason;
    if (was !== state) {
      this.since = new Date(this.now());
      this.changed(state, reason);
    }
  }
}
