/**
 * The safety nets of a serving process around its model: the feature flag (`enabled: false` answers
 * from the fallback without touching the model), the circuit breaker, and the fallback rules that
 * answer while either is in the way, marked `"fallback": true` by every protocol. Without rules a
 * fallback answer is a 503 that says why and what to do.
 */
import { type ServingFeature, type PredictionValue } from '../../../schemas/src/serving';
import { type BreakerState, type ServingSafety } from '../../../schemas/src/safety';
import { compileFallback, describeRuleProblems } from '../../../shared/src/rules/fallback';
import { type RuleSet, type Value } from '../../../shared/src/rules/rules';
import { ServingError } from '../../../shared/src/serving/errors';
import { type LoadedModel, type RunOutputs } from '../../../shared/src/serving/model';
import { type Rows } from '../../../shared/src/serving/validate';
import { CircuitBreaker, type Admission } from './breaker';
import { labelOf } from './shadow';

export type Decision = Admission | 'disabled';

/** Thresholds that never trip: a process without breaker settings behaves as before. */
const NEVER = { window: 50, min_requests: 1_000_000, cooldown_ms: 5000, error_rate_max: 1, p95_ms: Number.MAX_VALUE };

export class Safety {
  readonly breaker: CircuitBreaker;
  fallbackAnswers = 0;
  private rules = new Map<string, RuleSet>();

  constructor(
    private settings: ServingSafety,
    private readonly deployment: string,
    onBreaker: (state: BreakerState, reason: string) => void,
  ) {
    this.breaker = new CircuitBreaker(settings.breaker ?? NEVER, onBreaker);
  }

  update(settings: ServingSafety): void {
    this.settings = settings;
    this.rules.clear();
    this.breaker.configure(settings.breaker ?? NEVER);
    // Rules removed: nothing to fall back on, so the breaker stands down.
    if (!settings.breaker) this.breaker.reset('the fallback rules were removed');
  }

  get enabled(): boolean {
    return this.settings.enabled;
  }

  decide(): Decision {
    if (!this.settings.enabled) return 'disabled';
    return this.settings.breaker ? this.breaker.admit() : 'model';
  }

  /** The model answered (`ms` since the request was parsed). */
  succeeded(ms: number, d: Decision): void {
    if (d !== 'disabled' && this.settings.breaker) this.breaker.success(ms, d);
  }

  /** The model threw; true when the fallback can answer this request instead. */
  failed(message: string, d: Decision): boolean {
    if (d !== 'disabled' && this.settings.breaker) this.breaker.failure(message, d);
    return this.settings.fallback !== null && this.settings.enabled;
  }

  /** Refuses with the reason when there is nothing to fall back on. */
  requireRules(d: Decision): void {
    if (this.settings.fallback) return;
    const why = d === 'disabled' ? `deployment "${this.deployment}" is disabled (deployments.${this.deployment}.enabled: false)` : `the circuit breaker of "${this.deployment}" is open (${this.breaker.reason})`;
    throw new ServingError(503, d === 'disabled' ? 'deployment_disabled' : 'breaker_open', `${why} and it has no fallback rules; add deployments.${this.deployment}.fallback in mlops.yaml${d === 'disabled' ? ' or enable it (mlops deployments enable ' + this.deployment + ')' : ', or retry later'}`);
  }

  /** Fallback answers for validated rows, as one output the protocols format like a model's. */
  answer(rows: Rows, features: ServingFeature[], model: LoadedModel | undefined): RunOutputs {
    const fb = this.settings.fallback;
    if (!fb) throw new ServingError(503, 'breaker_open', 'no fallback rules');
    const set = this.ruleSet(features, fb);
    const perRow: PredictionValue[] = rows.map((row) => {
      const rec: Record<string, Value> = {};
      features.forEach((f, i) => (rec[f.name] = row[i] ?? null));
      return set.answer(rec).value as PredictionValue;
    });
    const name = fb.output ?? (labelOf(model?.outputs.map((o) => o.name) ?? []) || 'prediction');
    const declared = model?.outputs.find((o) => o.name === name)?.type;
    const type = typeof fb.default === 'string' ? 'string' : typeof fb.default === 'boolean' ? 'bool' : (declared ?? 'float64');
    this.fallbackAnswers += rows.length ? 1 : 0;
    return new Map([[name, { type, perRow, rowShape: [] }]]);
  }

  private ruleSet(features: ServingFeature[], fb: NonNullable<ServingSafety['fallback']>): RuleSet {
    const key = features.map((f) => `${f.name}:${f.type}`).join(',');
    let set = this.rules.get(key);
    if (!set) {
      const compiled = compileFallback(fb, features);
      if (!compiled.set) throw new ServingError(503, 'invalid_fallback', `the fallback rules do not fit this model: ${describeRuleProblems(this.deployment, fb, compiled.problems)}`);
      set = compiled.set;
      this.rules.set(key, set);
    }
    return set;
  }
}
