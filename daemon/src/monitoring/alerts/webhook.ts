/**
 * `monitoring.notify.webhook`: the alert JSON POSTed when an alert opens or resolves. Deliveries run
 * in the daemon, never in a serving process, one at a time from a bounded queue, each retried with
 * exponential backoff; a delivery that keeps failing becomes an `alert.notify_failed` event.
 */
import { type Alert } from '../../../../schemas/src/monitoring';

export interface WebhookDelivery {
  url: string;
  event: 'opened' | 'resolved';
  alert: Alert;
}

export interface WebhookOptions {
  attempts: number;
  firstDelayMs: number;
  timeoutMs: number;
  maxQueue: number;
}

const DEFAULTS: WebhookOptions = { attempts: 5, firstDelayMs: 500, timeoutMs: 5000, maxQueue: 200 };

export class WebhookNotifier {
  private readonly queue: WebhookDelivery[] = [];
  private running = false;
  private closed = false;
  private readonly opts: WebhookOptions;

  constructor(
    private readonly failed: (d: WebhookDelivery, error: string, attempts: number) => void,
    opts: Partial<WebhookOptions> = {},
  ) {
    this.opts = { ...DEFAULTS, ...opts };
  }

  /** Queues a delivery and returns at once. A full queue drops the oldest delivery (reported as failed). */
  send(d: WebhookDelivery): void {
    if (this.closed) return;
    if (this.queue.length >= this.opts.maxQueue) {
      const old = this.queue.shift();
      if (old) this.failed(old, `dropped: more than ${this.opts.maxQueue} deliveries waiting`, 0);
    }
    this.queue.push(d);
    if (!this.running) void this.drain();
  }

  private async drain(): Promise<void> {
    this.running = true;
    for (let d = this.queue.shift(); d && !this.closed; d = this.queue.shift()) await this.deliver(d);
    this.running = false;
  }

  private async deliver(d: WebhookDelivery): Promise<void> {
    let error = '';
    for (let attempt = 1; attempt <= this.opts.attempts && !this.closed; attempt++) {
      error = await post(d, this.opts.timeoutMs);
      if (!error) return;
      if (attempt < this.opts.attempts) await sleep(this.opts.firstDelayMs * 2 ** (attempt - 1));
    }
    if (!this.closed) this.failed(d, error, this.opts.attempts);
  }

  close(): void {
    this.closed = true;
    this.queue.length = 0;
  }
}

/** One POST; resolves with an error text, or '' on a 2xx answer. */
async function post(d: WebhookDelivery, timeoutMs: number): Promise<string> {
  try {
    const res = await fetch(d.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'User-Agent': 'mlops-workbench-alerts' },
      body: JSON.stringify({ event: d.event, alert: d.alert }),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
    });
    await res.arrayBuffer().catch(() => undefined);
    return res.ok ? '' : `HTTP ${res.status}`;
  } catch (e) {
    return e instanceof Error ? (e.cause instanceof Error ? `${e.message}: ${e.cause.message}` : e.message) : String(e);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
