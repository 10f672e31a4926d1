/**
 * The effective monitoring settings of one deployment: the global `monitoring` section (or its
 * defaults, which are the seed's: p95 > 500 ms, errors > 1 %, drift p < 0.05) with the deployment's
 * `deployments.<name>.monitoring` overrides merged key by key (nested sections too). Every reader
 * (the serving recorder, alerts, the circuit breaker) goes through here so they never disagree.
 */
import {
  durationSeconds,
  monitoringSchema,
  type MlopsConfig,
  type MonitoringConfig,
  type MonitoringOverride,
} from '../../../schemas/src/mlops-yaml';

export type MonitoringSettings = MonitoringConfig;

/** The defaults alone (no `monitoring` section anywhere). */
export function defaultMonitoring(): MonitoringSettings {
  return monitoringSchema.parse({});
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Merges `over` into `base`: objects key by key, everything else (arrays, scalars) replaced. */
function mergeDeep(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    const b = out[k];
    out[k] = isPlainObject(b) && isPlainObject(v) ? mergeDeep(b, v) : v;
  }
  return out;
}

/** Global settings with one deployment's overrides applied; the override is re-validated by the full schema. */
export function mergeMonitoring(global: MonitoringConfig | undefined, override: MonitoringOverride | undefined): MonitoringSettings {
  const base = global ?? defaultMonitoring();
  if (!override) return base;
  return monitoringSchema.parse(mergeDeep(base as Record<string, unknown>, override as Record<string, unknown>));
}

/** The effective monitoring settings of deployment `deploymentName` (defaults when the config or the deployment is absent). */
export function monitoringFor(config: MlopsConfig | undefined, deploymentName: string): MonitoringSettings {
  const override = config?.deployments[deploymentName]?.monitoring as MonitoringOverride | undefined;
  return mergeMonitoring(config?.monitoring, override);
}

/** A window as the recorder counts it: a number of predictions, a duration, or both bounds. */
export interface WindowRule {
  /** Predictions that close a window; null for a time window. */
  predictions: number | null;
  /** Seconds after which a window closes; null for a count window. */
  seconds: number | null;
}

export function windowRule(m: MonitoringSettings): WindowRule {
  return typeof m.window === 'number' ? { predictions: m.window, seconds: null } : { predictions: null, seconds: durationSeconds(m.window) };
}

/** Features whose inputs may be stored: all, none (`store_inputs: false`) or all but the listed ones. */
export function storedFeatures(m: MonitoringSettings, features: readonly string[]): string[] {
  if (m.store_inputs === false) return [];
  if (m.store_inputs === 'sampled') return [...features];
  const left = new Set(m.store_inputs);
  return features.filter((f) => !left.has(f));
}
