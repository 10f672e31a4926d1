/**
 * Monitoring of deployments (issue 15), the daemon side. Serving processes report over IPC (see
 * recorder/): flushes of slices and predictions are stored; each closed window gets its drift
 * evaluated and stored with its distributions; feedback is matched to stored predictions. Alert rules
 * run when a window closes, when feedback arrives and on a timer (`monitoring.evaluate_every`).
 */
import type * as z from 'zod';
import { durationSeconds, type MlopsConfig } from '../../../schemas/src/mlops-yaml';
import {
  type DistributionResponse,
  type FeedbackRequest,
  type FeedbackResponse,
  type MonitorResponse,
  type MonitoringBoot,
  type MonitoringFromServing,
  type SliceStats,
  type Prediction,
  type rangeQuery,
  type SeriesResponse,
  type WindowResult,
  type windowsResponse,
  feedbackRequest,
} from '../../../schemas/src/monitoring';
import { type DeploymentStatus, type ServingModelSpec, type ToServingMessage } from '../../../schemas/src/serving';
import { monitoringFor, storedFeatures, windowRule, type MonitoringSettings } from '../../../shared/src/monitoring/config';
import { addSparse, sparse } from '../../../shared/src/monitoring/histogram';
import { type ObjectStore } from '../../../shared/src/objects';
import { LATENCY_HISTOGRAM } from '../../../schemas/src/monitoring';
import { decodePredictionLog, decodeWindowSample, storedInputRows, type WindowSample } from '../../../schemas/src/monitoring-wire';
import { type Datasets } from '../datasets/datasets';
import { type EventLog } from '../events/event-log';
import { type Db } from '../store/db';
import { DomainError, notFound } from '../util/errors';
import { type Logger } from '../util/logger';
import { Alerts, type Condition } from './alerts/alerts';
import { accuracyRule, driftRule, errorRateRule, latencyRule } from './alerts/rules';
import { WebhookNotifier } from './alerts/webhook';
import { LiveDrift, predictedValues } from './drift';
import { matchFeedback } from './feedback';
import { accuracyFigures, rangeOf, seriesPoints, spanFigures, storedWindow, type Task } from './queries';
import { MonitoringStore } from './store';

const TICK_MS = 1000;
const PRUNE_EVERY_MS = 2000;
const FLUSH_MS = 1000;
const RING = 20_000;

export interface MonitoringDeps {
  db: Db;
  events: EventLog;
  config: () => MlopsConfig | undefined;
  datasets: Datasets;
  objects: ObjectStore;
  /** The deployment's status; throws not_found for a name not in mlops.yaml. */
  status: (name: string) => DeploymentStatus;
  log: Logger;
  /** Waits until the serving process of `name` (if running) has sent the predictions it still holds. */
  sync?: (name: string) => Promise<void>;
}

export class Monitoring {
  readonly store: MonitoringStore;
  readonly alerts: Alerts;
  private readonly drift: LiveDrift;
  private readonly webhook: WebhookNotifier;
  private readonly lastEval = new Map<string, number>();
  private readonly lastPrune = new Map<string, number>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly deps: MonitoringDeps) {
    this.store = new MonitoringStore(deps.db);
    this.webhook = new WebhookNotifier((d, error, attempts) => this.alerts.notifyFailed(d.alert, d.event, error, attempts));
    this.alerts = new Alerts(deps.db, deps.events, this.webhook, (name) => this.settings(name).notify?.webhook);
    this.drift = new LiveDrift(deps.datasets, deps.objects);
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.webhook.close();
  }

  settings(name: string): MonitoringSettings {
    return monitoringFor(this.deps.config(), name);
  }

  private taskOf(name: string): Task {
    const cfg = this.deps.config();
    const model = cfg?.deployments[name]?.model;
    return (model ? cfg?.models[model]?.task : undefined) ?? null;
  }

  /** What the serving process of `name` records (part of its boot spec). */
  boot(name: string, spec: ServingModelSpec, feedbackToken: string): MonitoringBoot {
    const m = this.settings(name);
    const rule = windowRule(m);
    const names = spec.features.map((f) => f.name);
    const cfg = this.deps.config();
    const declared = cfg?.models[spec.model]?.signature.inputs ?? [];
    const ranges = Object.fromEntries(declared.filter((f) => f.range).map((f) => [f.name, f.range as [number, number]]));
    const stored = storedFeatures(m, names.length ? names : declared.map((f) => f.name));
    const inputEvery = m.store_inputs === false || !stored.length ? 0 : rule.predictions ? Math.max(1, Math.ceil(rule.predictions / m.sample_size)) : 1;
    return {
      slice_ms: durationSeconds(m.slice) * 1000,
      flush_ms: FLUSH_MS,
      window_predictions: rule.predictions,
      window_ms: rule.seconds === null ? null : rule.seconds * 1000,
      sample_size: m.sample_size,
      input_every: inputEvery,
      stored_features: stored,
      ranges,
      ring: RING,
      feedback_token: feedbackToken,
    };
  }

  /** A report from the serving process of `name`. */
  message(name: string, msg: MonitoringFromServing, reply: (m: ToServingMessage) => void): void {
    try {
      if (msg.type === 'monitor_flush') this.ingest(name, msg.slices, msg);
      else if (msg.type === 'monitor_window') this.closeWindow(name, decodeWindowSample(msg.window));
      else if (msg.type === 'feedback') reply({ type: 'feedback_result', id: msg.id, ...this.feedbackFromServing(name, msg.body) });
    } catch (e) {
      this.deps.log.warn(`monitoring ${name}: ${e instanceof Error ? e.message : String(e)}`);
      if (msg.type === 'feedback') reply({ type: 'feedback_result', id: msg.id, status: 500, body: { error: { status: 500, code: 'internal', message: String(e) } } });
    }
  }

  /** Stores a flush; lines of the log that cannot be read are skipped and reported, the rest stored. */
  private ingest(name: string, slices: SliceStats[], chunk: { log: string | Uint8Array; count: number; meta: string | Uint8Array; inputs: string | Uint8Array }): void {
    const { predictions, errors } = decodePredictionLog(chunk.log, chunk.count, chunk.meta, chunk.inputs);
    this.store.ingest(name, slices, predictions, mergeLatency);
    if (errors.length) this.deps.log.warn(`monitoring ${name}: ${errors.length} unreadable prediction log lines skipped (${errors.slice(0, 3).join('; ')})`);
    this.pruneIfDue(name);
  }

  /** Past the horizon and over max_predictions goes, at most every PRUNE_EVERY_MS (after flushes and on the timer). */
  private pruneIfDue(name: string, now = Date.now()): void {
    if (now - (this.lastPrune.get(name) ?? 0) < PRUNE_EVERY_MS) return;
    this.lastPrune.set(name, now);
    const m = this.settings(name);
    this.store.prune(name, durationSeconds(m.horizon) * 1000, m.max_predictions, now);
  }

  private closeWindow(name: string, sample: WindowSample): void {
    const m = this.settings(name);
    const baselineRow = sample.version === null ? undefined : this.store.firstWindowOf(name, sample.version);
    const version = sample.version;
    const first = baselineRow ? (JSON.parse(baselineRow.result) as WindowResult) : undefined;
    // Regressions have no labels to count: their baseline is the first window's predicted values.
    const regression = this.taskOf(name) === 'regression';
    const baseline = regression ? first?.prediction_sample : first?.prediction_distribution;
    const { result: drift, distributions } = this.drift.evaluate(m, sample, baseline);
    const ownSample = regression && !first && version !== null ? { prediction_sample: predictedValues(sample) } : {};
    const slices = this.store.slices(name, sample.start_ms - (sample.start_ms % 1000), sample.end_ms + 1);
    const accuracy = version === null ? accuracyFigures(this.taskOf(name), undefined) : accuracyFigures(this.taskOf(name), this.store.accuracyRange(name, version, sample.start_ms, sample.end_ms));
    const figures = spanFigures(name, slices, sample.start_ms, sample.end_ms, accuracy, version);
    this.store.saveWindow(name, version, sample.start_ms, sample.end_ms, sample.predictions, drift.drifted, (id) => ({
      ...figures,
      id,
      predictions: sample.predictions,
      prediction_distribution: sample.prediction_distribution,
      mean_confidence: sample.confidence_n ? sample.confidence_sum / sample.confidence_n : null,
      ...ownSample,
      drift,
    }), distributions);
    this.evaluate(name);
  }

  /** Runs every rule of `name` and applies the outcome (open, dedup, resolve). */
  evaluate(name: string): void {
    this.lastEval.set(name, Date.now());
    const m = this.settings(name);
    const recent = this.recent(name, m);
    const conditions: (Condition | undefined)[] = [
      latencyRule(m, recent),
      errorRateRule(m, recent),
      driftRule(m, this.lastWindow(name)),
      accuracyRule(m, recent),
    ];
    this.alerts.apply(name, conditions.filter((c): c is Condition => c !== undefined));
  }

  private tick(): void {
    const cfg = this.deps.config();
    const now = Date.now();
    for (const name of Object.keys(cfg?.deployments ?? {})) {
      try {
        const every = durationSeconds(this.settings(name).evaluate_every) * 1000;
        if (now - (this.lastEval.get(name) ?? 0) >= every) this.evaluate(name);
        this.pruneIfDue(name, now);
      } catch (e) {
        this.deps.log.warn(`monitoring ${name}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  /** How far back latency and errors are judged: the window when it is a duration, else a minute (6 slices at least). */
  private spanMs(m: MonitoringSettings): number {
    const rule = windowRule(m);
    return rule.seconds !== null ? rule.seconds * 1000 : Math.max(60_000, 6 * durationSeconds(m.slice) * 1000);
  }

  private servedVersion(name: string): number | null {
    try {
      return this.deps.status(name).version;
    } catch {
      return null;
    }
  }

  /** The recent span's figures, with the accuracy of the served version's labelled predictions. */
  private recent(name: string, m: MonitoringSettings, now = Date.now()): WindowResult {
    const from = now - this.spanMs(m);
    const version = this.servedVersion(name);
    const rule = windowRule(m);
    const task = this.taskOf(name);
    const acc =
      version === null
        ? accuracyFigures(task, undefined)
        : accuracyFigures(task, rule.predictions ? this.store.accuracyLast(name, version, rule.predictions) : this.store.accuracyRange(name, version, from, now));
    return spanFigures(name, this.store.slices(name, from, now + 1), from, now, acc, version);
  }

  private lastWindow(name: string): WindowResult | null {
    const row = this.store.lastWindow(name);
    return row ? (JSON.parse(row.result) as WindowResult) : null;
  }

  private known(name: string): DeploymentStatus {
    return this.deps.status(name);
  }

  monitor(name: string): MonitorResponse {
    const st = this.known(name);
    const m = this.settings(name);
    return { deployment: name, state: st.state, version: st.version, current: this.recent(name, m), last_window: this.lastWindow(name), open_alerts: this.alerts.openOf(name) };
  }

  prediction(requestId: string, deployment?: string): Prediction {
    const row = this.store.prediction(requestId, deployment);
    if (!row) throw notFound('prediction', `prediction "${requestId}"${deployment ? ` of deployment "${deployment}"` : ''} (kept for monitoring.horizon, at most monitoring.max_predictions)`);
    const fb = this.store.feedbackOf(row.id);
    const inputs = row.inputs ? storedInputRows(row.inputs) : null;
    const names = this.featureNames(row.deployment);
    return {
      request_id: row.request_id,
      deployment: row.deployment,
      time: new Date(row.time_ms).toISOString(),
      version: row.version,
      latency_ms: row.latency_ms,
      status: row.status,
      outputs: JSON.parse(row.outputs) as Record<string, unknown>[],
      inputs: inputs ? inputs.map((r) => Object.fromEntries(r.map((v, j) => [names[j] ?? `f${j}`, v] as const).filter(([, v]) => v !== null))) : null,
      feedback: fb ? [{ label: JSON.parse(fb.label) as string | number | boolean, received_at: new Date(fb.received_ms).toISOString() }] : [],
    };
  }

  private featureNames(name: string): string[] {
    const cfg = this.deps.config();
    const model = cfg?.deployments[name]?.model;
    return (model ? cfg?.models[model]?.signature.inputs.map((f) => f.name) : undefined) ?? [];
  }

  /** Feedback sent to the daemon (`mlops feedback`): the serving process's newest predictions are fetched first. */
  async feedbackSynced(name: string, body: FeedbackRequest, actor: string): Promise<FeedbackResponse> {
    await this.deps.sync?.(name);
    return this.feedback(name, body, actor);
  }

  feedback(name: string, body: FeedbackRequest, _actor: string): FeedbackResponse {
    this.known(name);
    const items = 'feedback' in body ? body.feedback : [body];
    const out = matchFeedback(this.store, name, this.taskOf(name), items);
    this.evaluate(name);
    return out;
  }

  /** `POST /feedback` relayed by a serving process: validated here, answered with a status for it to send. */
  private feedbackFromServing(name: string, raw: unknown): { status: number; body: unknown } {
    const parsed = feedbackRequest.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? issue.path.join('.') : 'body';
      return { status: 400, body: { error: { status: 400, code: 'invalid_feedback', message: `${where}: ${issue?.message ?? 'invalid'}; send {"request_id": "…", "label": …} or {"feedback": [{"request_id": "…", "label": …}, …]}` } } };
    }
    return { status: 200, body: this.feedback(name, parsed.data, 'serving') };
  }

  series(name: string, q: z.infer<typeof rangeQuery>): SeriesResponse {
    this.known(name);
    const sliceMs = durationSeconds(this.settings(name).slice) * 1000;
    const { fromMs, toMs, stepMs } = rangeOf(q, sliceMs);
    const points = seriesPoints(this.store.slices(name, fromMs, toMs), stepMs);
    return { deployment: name, from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), step: stepMs / 1000, points };
  }

  windows(name: string, q: z.infer<typeof rangeQuery>): z.infer<typeof windowsResponse> {
    this.known(name);
    const { fromMs, toMs } = rangeOf(q, 1000);
    const task = this.taskOf(name);
    const windows = this.store.windows(name, fromMs, toMs).map((row) => {
      const w = JSON.parse(row.result) as WindowResult;
      // Feedback arrives after a window closes: its accuracy is read now, not when it closed.
      const accuracy = row.version === null ? w.accuracy : accuracyFigures(task, this.store.accuracyRange(name, row.version, row.start_ms, row.end_ms));
      return { ...w, accuracy };
    });
    return { deployment: name, windows };
  }

  distribution(name: string, window: number, feature: string): DistributionResponse {
    this.known(name);
    if (!storedWindow(this.store, name, window)) throw notFound('deployment', `window ${window} of deployment "${name}" (list them with GET …/monitoring/windows)`);
    const data = this.store.distribution(window, feature);
    if (!data) throw new DomainError(404, 'not_found', `no distribution of "${feature}" in window ${window} (features of the model, or "prediction" for a classifier)`);
    return { deployment: name, window, feature, ...(JSON.parse(data) as Omit<DistributionResponse, 'deployment' | 'window' | 'feature'>) };
  }
}

/** Adds a flush's sparse histogram to a stored one. */
function mergeLatency(stored: string, more: [number, number][]): string {
  const h = new Float64Array(LATENCY_HISTOGRAM.buckets);
  addSparse(h, JSON.parse(stored) as [number, number][]);
  addSparse(h, more);
  return JSON.stringify(sparse(Uint32Array.from(h)));
}
