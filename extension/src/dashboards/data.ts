/**
 * What the drift and latency webviews are fed, read from the daemon's declared endpoints and shaped
 * here: dataset drift comes whole from the daemon; a deployment's drift from its stored windows
 * (score per window per feature) and the selected feature's binned distribution; latency from the
 * stored per-step series, with breaker transitions and version changes as marks. Series longer
 * than the point budget are decimated keeping the p99 envelope. No `vscode` import.
 */
import { type DaemonClient } from '../../../client/src/client';
import { type MlopsEvent } from '../../../schemas/src/api';
import {
  type Distribution,
  type DriftDashboard,
  type LatencyDashboard,
  type LatencyPatch,
  type LatencySeries,
  type LatencyShadow,
  type ScoreHistory,
  type TimeMark,
  type WindowChoice,
} from '../../../schemas/src/dashboards';
import * as endpoints from '../../../schemas/src/endpoints';
import { type MlopsConfig } from '../../../schemas/src/mlops-yaml';
import { type DistributionResponse, type SeriesPoint, type WindowResult } from '../../../schemas/src/monitoring';
import { type ShadowReport } from '../../../schemas/src/safety';
import { type DriftSource, type LatencySource } from '../../../schemas/src/webview';
import { minMaxIndexes, windowRange } from '../../../shared/src/dashboards/shaping';
import { monitoringFor } from '../../../shared/src/monitoring/config';

/** Points a latency chart gets at most; longer series are decimated (the p99 envelope kept). */
export const MAX_POINTS = 1500;
const MAX_EVENT_PAGES = 20;

/** The window's range now (hour/day/week end now; custom as chosen). */
export function resolveWindow(w: WindowChoice, now = Date.now()): WindowChoice {
  const r = windowRange(w.kind, now, w.kind === 'custom' ? { from: w.from, to: w.to } : undefined, MAX_POINTS);
  return { kind: w.kind, from: r.from, to: r.to };
}

export function stepSeconds(w: WindowChoice): number {
  return windowRange('custom', 0, { from: w.from, to: w.to }, MAX_POINTS).bucketMs / 1000;
}

export async function datasetDrift(c: DaemonClient, s: Extract<DriftSource, { type: 'dataset' }>): Promise<DriftDashboard> {
  const query = { ...(s.version ? { version: s.version } : {}), ...(s.reference ? { reference: s.reference } : {}) };
  return (await c.request(endpoints.datasetDrift, { params: { name: s.dataset }, query })).dashboard;
}

const score = (f: { p_value: number | null; distance: number | null }): number | null => f.p_value ?? f.distance;

/** Per feature (or only `only`), the score of every window that has drift results, in time order. */
export function scoreHistories(windows: WindowResult[], only?: string): ScoreHistory[] {
  const withDrift = windows.filter((w) => w.drift && w.drift.features.length);
  const names = only !== undefined ? [only] : [...new Set(withDrift.flatMap((w) => w.drift?.features.map((f) => f.name) ?? []))];
  return names.map((feature) => {
    const found = withDrift.map((w) => w.drift?.features.find((f) => f.name === feature));
    const first = found.find((f) => f?.test);
    const measure = first && (first.test === 'ks' || first.test === 'chi2') ? 'p_value' : 'distance';
    return { feature, times: withDrift.map((w) => Date.parse(w.end)), scores: found.map((f) => (f ? score(f) : null)), threshold: first?.threshold ?? null, measure };
  });
}

export function distributionOf(d: DistributionResponse): Distribution {
  if (d.kind === 'numeric') return { feature: d.feature, kind: 'histogram', edges: d.edges, reference: d.reference, current: d.current };
  return { feature: d.feature, kind: 'bars', categories: d.categories, reference: d.reference, current: d.current };
}

/** The drift dashboard of a deployment: the latest window with drift results, and every window's scores. */
export async function deploymentDrift(c: DaemonClient, s: Extract<DriftSource, { type: 'deployment' }>, config: MlopsConfig | undefined): Promise<DriftDashboard> {
  const window = resolveWindow(s.window);
  const range = { from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString() };
  const { windows } = await c.request(endpoints.monitoringWindows, { params: { name: s.deployment }, query: range });
  const last = [...windows].reverse().find((w) => w.drift && w.drift.features.length);
  const drift = last?.drift;
  const settings = monitoringFor(config, s.deployment).drift;
  const features = (drift?.features ?? []).map((f) => ({
    feature: f.name,
    type: (f.test === 'chi2' ? 'categorical' : 'numeric') as 'numeric' | 'categorical',
    test: f.test,
    reason: f.test ? `monitoring.drift.test: ${settings.test}` : '',
    statistic: f.statistic,
    p_value: f.p_value,
    distance: f.distance,
    threshold: f.threshold,
    drifted: f.drifted,
    note: f.note,
    missing: f.missing,
    out_of_range: f.out_of_range,
  }));
  const selected = s.feature ?? features.find((f) => f.drifted)?.feature ?? features[0]?.feature;
  const distributions: Distribution[] = [];
  if (last?.id && selected) {
    const d = await c.request(endpoints.monitoringDistribution, { params: { name: s.deployment, window: last.id }, query: { feature: selected } });
    distributions.push(distributionOf(d));
  }
  const tested = features.filter((f) => f.test !== null).length;
  return {
    title: `Drift: ${s.deployment}`,
    subject: { kind: 'deployment', deployment: s.deployment, reference: drift?.reference ?? null },
    generated_at: new Date().toISOString(),
    reference_rows: 0,
    current_rows: drift?.sample ?? 0,
    verdict: { drifted: drift?.drifted ?? false, drifted_features: drift?.drifted_features.length ?? 0, tested_features: tested, share: drift?.share ?? 0, share_threshold: settings.share, correction: settings.correction },
    features,
    distributions,
    // Only the selected feature's scores: 50 features × a day of windows would be ~1 MB per message.
    history: selected ? scoreHistories(windows, selected) : [],
    window,
    references: drift?.reference ? [drift.reference] : [],
  };
}

/** Series points as parallel arrays. */
export function seriesOf(points: readonly SeriesPoint[]): LatencySeries {
  return {
    t: points.map((p) => Date.parse(p.time)),
    p50: points.map((p) => p.p50_ms),
    p95: points.map((p) => p.p95_ms),
    p99: points.map((p) => p.p99_ms),
    error_rate: points.map((p) => p.error_rate),
    throughput: points.map((p) => p.throughput_rps),
    in_flight: points.map((p) => p.in_flight),
  };
}

/** At most `max` steps, chosen by the p99 envelope (min and max per bucket), every series at the same steps. */
export function decimateSeries(s: LatencySeries, max = MAX_POINTS): LatencySeries {
  if (s.t.length <= max) return s;
  const keep = minMaxIndexes(s.p99.map((v) => v ?? 0), max);
  const pick = <T>(a: T[]): T[] => keep.map((i) => a[i] as T);
  return { t: pick(s.t), p50: pick(s.p50), p95: pick(s.p95), p99: pick(s.p99), error_rate: pick(s.error_rate), throughput: pick(s.throughput), in_flight: pick(s.in_flight) };
}

/** "v3" marks where the serving version changes between steps. */
export function versionMarks(points: readonly SeriesPoint[]): TimeMark[] {
  const marks: TimeMark[] = [];
  let prev: number | null = null;
  for (const p of points) {
    if (p.version !== null && prev !== null && p.version !== prev) marks.push({ time: Date.parse(p.time), kind: 'version', label: `v${prev} → v${p.version}` });
    if (p.version !== null) prev = p.version;
  }
  return marks;
}

const BREAKER: Record<string, 'open' | 'half_open' | 'closed'> = { 'breaker.opened': 'open', 'breaker.half_open': 'half_open', 'breaker.closed': 'closed' };

export function breakerMark(ev: Pick<MlopsEvent, 'kind' | 'time'>): TimeMark | undefined {
  const to = BREAKER[ev.kind];
  return to ? { time: Date.parse(ev.time), kind: 'breaker', label: `breaker ${to.replace('_', '-')}` } : undefined;
}

/** Breaker events of a deployment (bounded pages of its subject), the marks in range and the state now. */
async function breakerHistory(c: DaemonClient, deployment: string, from: number): Promise<{ marks: TimeMark[]; state: 'open' | 'half_open' | 'closed' }> {
  let after = 0;
  let state: 'open' | 'half_open' | 'closed' = 'closed';
  const marks: TimeMark[] = [];
  for (let page = 0; page < MAX_EVENT_PAGES; page++) {
    const r = await c.request(endpoints.listEvents, { query: { after, limit: 1000, subject: `deployment:${deployment}` } });
    for (const ev of r.events) {
      const to = BREAKER[ev.kind];
      if (!to) continue;
      state = to;
      const m = breakerMark(ev);
      if (m && m.time >= from) marks.push(m);
    }
    if (r.events.length < 1000) break;
    after = r.events[r.events.length - 1]?.seq ?? r.last_seq;
  }
  return { marks, state };
}

/** The newest (primary, shadow) pair of a shadow report as the page shows it; null when no shadow is configured. */
export function shadowOf(r: ShadowReport): LatencyShadow | null {
  if (r.shadow === null) return null;
  const p = r.pairs[0];
  return {
    shadow: r.shadow,
    primary_version: p?.primary_version ?? null,
    shadow_version: p?.shadow_version ?? null,
    compared: p?.compared ?? 0,
    agreement: p?.agreement ?? null,
    mean_abs_score_diff: p?.mean_abs_score_diff ?? null,
    dropped: p?.dropped ?? 0,
    failed: p?.failed ?? 0,
    primary_p95_ms: p?.primary_latency.p95_ms ?? null,
    shadow_p95_ms: p?.shadow_latency.p95_ms ?? null,
  };
}

/** Asked only when mlops.yaml gives the deployment a shadow (or when the config could not be read). */
export async function shadowFor(c: DaemonClient, deployment: string, config: MlopsConfig | undefined): Promise<LatencyShadow | null> {
  if (config && config.deployments?.[deployment]?.shadow === undefined) return null;
  return shadowOf(await c.request(endpoints.getShadowReport, { params: { name: deployment } }));
}

export async function latencyDashboard(c: DaemonClient, s: LatencySource, config: MlopsConfig | undefined): Promise<LatencyDashboard> {
  const window = resolveWindow(s.window);
  const step = stepSeconds(window);
  const r = await c.request(endpoints.monitoringSeries, {
    params: { name: s.deployment },
    query: { from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString(), step },
  });
  const breaker = await breakerHistory(c, s.deployment, window.from);
  const shadow = await shadowFor(c, s.deployment, config);
  const m = monitoringFor(config, s.deployment);
  return {
    title: `Latency: ${s.deployment}`,
    deployment: s.deployment,
    generated_at: new Date().toISOString(),
    sla_p95_ms: m.latency.p95_ms,
    error_rate_max: m.error_rate.max,
    window,
    step_ms: r.step * 1000,
    source_points: r.points.length,
    series: decimateSeries(seriesOf(r.points)),
    breaker: breaker.state,
    marks: [...versionMarks(r.points), ...breaker.marks].sort((a, b) => a.time - b.time),
    shadow,
  };
}

/** The steps from `from` on (the last known step may still be filling): what a live patch carries. */
export async function latencySince(c: DaemonClient, deployment: string, from: number, step: number): Promise<{ series: LatencySeries; points: SeriesPoint[] }> {
  const r = await c.request(endpoints.monitoringSeries, { params: { name: deployment }, query: { from: new Date(from).toISOString(), to: new Date().toISOString(), step } });
  return { series: seriesOf(r.points), points: r.points };
}

/** Where a live latency page stands: the start of its last step, the step (s), that step's version, the shadow figures it shows. */
export interface LatencyCursor {
  t: number;
  step: number;
  version: number | null;
  shadow: LatencyShadow | null;
}

export function latencyCursor(d: LatencyDashboard): LatencyCursor {
  const n = d.series.t.length;
  return { t: d.series.t[n - 1] ?? d.window.from, step: d.step_ms / 1000, version: null, shadow: d.shadow };
}

/**
 * The live patch from `cur` on: the steps since (the last one replaced, it may have been filling),
 * version changes among them, and the shadow figures when they changed (the serving process reports
 * shadow sums every few seconds; no event says so, so each refresh compares). Null when nothing changed.
 */
export function latencyPatch(
  cur: LatencyCursor,
  since: { series: LatencySeries; points: readonly SeriesPoint[] },
  shadow: LatencyShadow | null,
): { patch: LatencyPatch; cursor: LatencyCursor } | null {
  const { points } = since;
  const shadowChanged = JSON.stringify(shadow) !== JSON.stringify(cur.shadow);
  if (!points.length && !shadowChanged) return null;
  // The version of the step before these, so a change at the first new step is marked too.
  const prev = cur.version === null || !points[0] ? [] : [{ ...points[0], version: cur.version }];
  const patch: LatencyPatch = { from: cur.t, series: since.series, marks: versionMarks([...prev, ...points]) };
  if (shadowChanged) patch.shadow = shadow;
  const last = points[points.length - 1];
  const cursor = { ...cur, shadow, ...(last ? { t: Date.parse(last.time), version: last.version ?? cur.version } : {}) };
  return { patch, cursor };
}
