/**
 * The serving process's metrics in the Prometheus text exposition format (version 0.0.4): requests by
 * route and status, a latency histogram, in-flight requests, the served version, load times and
 * model errors. Also the short-window figures (rps, p95) that the daemon shows in its status.
 */
import { type ServingStats } from '../../../schemas/src/serving';

/** Latency buckets in seconds: sub-millisecond resolution where a local model answers. */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const RECENT = 4096;

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

function esc(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labels(l: Record<string, string>): string {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${esc(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

export class ServingMetrics {
  private readonly requests = new Map<string, number>();
  private readonly latency = new Map<string, Histogram>();
  private readonly loads = new Map<number, number>();
  private readonly batchSizes: Histogram = { counts: BUCKETS.map(() => 0), sum: 0, count: 0 };
  inFlight = 0;
  modelErrors = 0;
  predictions = 0;
  served: { model: string; version: number } | undefined;
  /** Ring of recent (time ms, latency ms) for rps and p95. */
  private readonly recentAt = new Float64Array(RECENT);
  private readonly recentMs = new Float64Array(RECENT);
  private recentNext = 0;
  private total = 0;
  private errors = 0;

  constructor(private readonly deployment: string) {}

  /** Records one finished request. `predictionRoute` is false for health and metrics scrapes. */
  observe(route: string, status: number, seconds: number, predictionRoute: boolean): void {
    const key = `${route}\u0000${status}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    let h = this.latency.get(route);
    if (!h) this.latency.set(route, (h = { counts: BUCKETS.map(() => 0), sum: 0, count: 0 }));
    const i = BUCKETS.findIndex((b) => seconds <= b);
    if (i >= 0) h.counts[i] = (h.counts[i] ?? 0) + 1;
    h.sum += seconds;
    h.count++;
    if (!predictionRoute) return;
    this.total++;
    if (status >= 500) this.errors++;
    const slot = this.recentNext++ % RECENT;
    this.recentAt[slot] = Date.now();
    this.recentMs[slot] = seconds * 1000;
  }

  observeLoad(version: number, seconds: number): void {
    this.loads.set(version, seconds);
  }

  observeBatch(size: number): void {
    const i = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, Infinity].findIndex((b) => size <= b);
    this.batchSizes.counts[i] = (this.batchSizes.counts[i] ?? 0) + 1;
    this.batchSizes.sum += size;
    this.batchSizes.count++;
  }

  stats(now = Date.now()): ServingStats {
    const filled = Math.min(this.recentNext, RECENT);
    let last10 = 0;
    const window: number[] = [];
    for (let k = 0; k < filled; k++) {
      const at = this.recentAt[k] as number;
      if (now - at <= 10_000) last10++;
      if (now - at <= 60_000) window.push(this.recentMs[k] as number);
    }
    window.sort((a, b) => a - b);
    const p95 = window.length ? (window[Math.min(window.length - 1, Math.ceil(window.length * 0.95) - 1)] as number) : null;
    return { requests: this.total, errors: this.errors, rps: last10 / 10, p95_ms: p95 === null ? null : Math.round(p95 * 1000) / 1000 };
  }

  /** The exposition text for `GET /metrics`. */
  render(): string {
    const d = { deployment: this.deployment };
    const out: string[] = [];
    const head = (name: string, type: string, help: string): void => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    };
    head('mlops_serving_requests_total', 'counter', 'HTTP requests answered, by route and status.');
    for (const [key, n] of this.requests) {
      const [route, status] = key.split('\u0000') as [string, string];
      out.push(`mlops_serving_requests_total${labels({ ...d, route, status })} ${n}`);
    }
    head('mlops_serving_request_duration_seconds', 'histogram', 'Time from request received to response sent.');
    for (const [route, h] of this.latency) histogramLines(out, 'mlops_serving_request_duration_seconds', { ...d, route }, BUCKETS, h);
    head('mlops_serving_in_flight_requests', 'gauge', 'Requests being handled now.');
    out.push(`mlops_serving_in_flight_requests${labels(d)} ${this.inFlight}`);
    head('mlops_serving_model_version', 'gauge', 'Registry version being served (absent before the first load).');
    if (this.served) out.push(`mlops_serving_model_version${labels({ ...d, model: this.served.model })} ${this.served.version}`);
    head('mlops_serving_model_load_seconds', 'gauge', 'Time to load and warm up each version loaded by this process.');
    for (const [v, s] of this.loads) out.push(`mlops_serving_model_load_seconds${labels({ ...d, version: String(v) })} ${s}`);
    head('mlops_serving_model_errors_total', 'counter', 'Runs that failed inside the model (answered 500).');
    out.push(`mlops_serving_model_errors_total${labels(d)} ${this.modelErrors}`);
    head('mlops_serving_predictions_total', 'counter', 'Instances predicted.');
    out.push(`mlops_serving_predictions_total${labels(d)} ${this.predictions}`);
    head('mlops_serving_batch_size', 'histogram', 'Instances per onnxruntime run.');
    histogramLines(out, 'mlops_serving_batch_size', d, [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096], this.batchSizes);
    return out.join('\n') + '\n';
  }
}

function histogramLines(out: string[], name: string, l: Record<string, string>, bounds: number[], h: Histogram): void {
  let cum = 0;
  bounds.forEach((b, i) => {
    cum += h.counts[i] ?? 0;
    out.push(`${name}_bucket${labels({ ...l, le: String(b) })} ${cum}`);
  });
  out.push(`${name}_bucket${labels({ ...l, le: '+Inf' })} ${h.count}`);
  out.push(`${name}_sum${labels(l)} ${h.sum}`);
  out.push(`${name}_count${labels(l)} ${h.count}`);
}
