/**
 * What mlops.yaml tells a serving process about its safety nets: the feature flag, the fallback
 * rules (checked against the served version's signature, refused with the rule and column named),
 * and the breaker thresholds, which are the deployment's effective monitoring thresholds
 * (`monitoringFor`) so the breaker and the alerts never disagree.
 */
import { type DeploymentConfig, type MlopsConfig } from '../../../schemas/src/mlops-yaml';
import { type ServingSafety } from '../../../schemas/src/safety';
import { type ServingFeature } from '../../../schemas/src/serving';
import { monitoringFor } from '../../../shared/src/monitoring/config';
import { compileFallback, describeRuleProblems } from '../../../shared/src/rules/fallback';
import { type Registry } from '../registry/registry';
import { DomainError } from '../util/errors';
import { targetVersion } from './resolve';

export function servingSafety(config: MlopsConfig | undefined, name: string, d: DeploymentConfig): ServingSafety {
  const m = monitoringFor(config, name);
  return {
    enabled: d.enabled,
    fallback: d.fallback ? { rules: d.fallback.rules, default: d.fallback.default, ...(d.fallback.output ? { output: d.fallback.output } : {}) } : null,
    // Without rules an open breaker could only turn slow or failed answers into 503s: no breaker then.
    breaker: d.fallback
      ? {
          window: d.breaker.window,
          min_requests: d.breaker.min_requests,
          cooldown_ms: d.breaker.cooldown_s * 1000,
          error_rate_max: m.error_rate.max,
          p95_ms: m.latency.p95_ms,
        }
      : null,
  };
}

/** Refuses rules that do not fit the version's features, naming the rule, the column and the problem. */
export function checkFallback(name: string, d: DeploymentConfig, features: ServingFeature[]): void {
  if (!d.fallback || !features.length) return;
  const { problems } = compileFallback(d.fallback, features);
  if (problems.length) throw new DomainError(422, 'invalid_config', `fallback rules of deployment "${name}" do not fit the model's signature: ${describeRuleProblems(name, d.fallback, problems)}`);
}

/** The version `shadow` names (a stage, an alias or a version number), or why there is none. */
export function shadowTarget(registry: Registry, d: DeploymentConfig): { version: number } | { error: string } | null {
  if (d.shadow === undefined) return null;
  const s = d.shadow;
  const follow: DeploymentConfig = { ...d, stage: undefined, alias: undefined, version: undefined };
  if (typeof s === 'number' || /^\d+$/.test(s)) follow.version = Number(s);
  else if (s === 'Staging' || s === 'Production') follow.stage = s;
  else follow.alias = s;
  try {
    return { version: targetVersion(registry, follow) };
  } catch (e) {
    return { error: `shadow "${s}": ${e instanceof Error ? e.message : String(e)}` };
  }
}
