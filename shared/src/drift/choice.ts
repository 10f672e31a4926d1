/**
 * Which test runs on a feature, and why. `auto` decides by type and size (docs/DRIFT.md, "Choosing
 * the test"); a global test applies only to features it fits, the others fall back to `auto`; a
 * per-feature override that cannot apply is an error. Every choice carries a plain-language reason
 * that the report prints.
 */
import { type DriftTestKind } from '../../../schemas/src/drift';
import { type DRIFT_TESTS } from '../../../schemas/src/mlops-yaml';

export type DriftTestChoice = (typeof DRIFT_TESTS)[number];
export type FeatureType = 'numeric' | 'categorical';

export class DriftInputError extends Error {}

/** The size rule of `auto`. */
export interface AutoRule {
  /**
   * A numeric feature whose reference has at most this many distinct finite values is tested as
   * categorical (chi-square over its values), as Evidently does with 5. 0 turns this off.
   */
  maxDistinct: number;
  /**
   * When set, features whose reference has more values than this get a distance instead of a
   * p-value test: Wasserstein (normed) for numeric, Jensen–Shannon for categorical and discrete
   * numeric (Evidently uses 1,000). null (default): p-value tests at every size.
   */
  distanceAbove: number | null;
}

export const DEFAULT_AUTO_RULE: AutoRule = { maxDistinct: 5, distanceAbove: null };

/** What the choice needs to know about the feature (reference side only, so that it is stable across windows). */
export interface FeatureFacts {
  type: FeatureType;
  /** Finite values (numeric) or non-empty values (categorical) in the reference. */
  referenceCount: number;
  /** Distinct finite reference values, counted up to maxDistinct + 1 (numeric only; 0 when empty). */
  distinct: number;
}

export interface TestChoice {
  test: DriftTestKind;
  reason: string;
  /** A numeric feature tested over its distinct values (chi-square). */
  asCategories: boolean;
}

/** A numeric feature with few distinct values counts as categorical for the choice. */
export function isDiscrete(facts: FeatureFacts, rule: AutoRule): boolean {
  return facts.type === 'numeric' && facts.distinct >= 1 && facts.distinct <= rule.maxDistinct;
}

function describe(facts: FeatureFacts, rule: AutoRule): string {
  if (facts.type === 'categorical') return 'categorical';
  if (facts.referenceCount === 0) return 'numeric (no reference value)';
  if (isDiscrete(facts, rule)) return `numeric with ${facts.distinct} distinct value${facts.distinct === 1 ? '' : 's'} (≤ ${rule.maxDistinct})`;
  return `numeric with more than ${rule.maxDistinct} distinct values`;
}

export function autoChoice(facts: FeatureFacts, rule: AutoRule): TestChoice {
  const discrete = isDiscrete(facts, rule);
  const what = describe(facts, rule);
  const large = rule.distanceAbove !== null && facts.referenceCount > rule.distanceAbove;
  const size = large ? `, ${facts.referenceCount} reference values > ${rule.distanceAbove}` : '';
  const categoricalLike = facts.type === 'categorical' || discrete;
  const test: DriftTestKind = categoricalLike ? (large ? 'jensenshannon' : 'chi2') : large ? 'wasserstein' : 'ks';
  return { test, reason: `auto: ${what}${size}`, asCategories: test === 'chi2' && facts.type === 'numeric' };
}

/** Why `test` cannot run on the feature, or undefined when it can. */
export function incompatibility(test: DriftTestKind, facts: FeatureFacts, rule: AutoRule): string | undefined {
  if (facts.type === 'categorical' && (test === 'ks' || test === 'wasserstein')) return `test "${test}" needs numbers`;
  if (test === 'chi2' && facts.type === 'numeric' && !isDiscrete(facts, rule)) {
    return `test "chi2" needs categories (a numeric feature qualifies with at most ${rule.maxDistinct} distinct reference values)`;
  }
  return undefined;
}

/**
 * The test for one feature: the per-feature override (an error when it cannot apply), else the
 * global test when it fits, else auto.
 */
export function chooseTest(
  feature: string,
  facts: FeatureFacts,
  override: DriftTestChoice | undefined,
  global: DriftTestChoice,
  rule: AutoRule,
): TestChoice {
  const fixed = (test: DriftTestKind, reason: string): TestChoice => ({ test, reason, asCategories: test === 'chi2' && facts.type === 'numeric' });
  if (override !== undefined && override !== 'auto') {
    const bad = incompatibility(override, facts, rule);
    if (bad) {
      const fits = facts.type === 'categorical' ? 'chi2, psi or jensenshannon' : isDiscrete(facts, rule) ? 'any test' : 'ks, psi, wasserstein or jensenshannon';
      throw new DriftInputError(`feature "${feature}" is ${facts.type}; ${bad} (monitoring.drift.features.${feature}: use ${fits})`);
    }
    return fixed(override, `set for this feature`);
  }
  if (override === 'auto' || global === 'auto') return autoChoice(facts, rule);
  const bad = incompatibility(global, facts, rule);
  if (!bad) return fixed(global, `global test "${global}"`);
  const auto = autoChoice(facts, rule);
  return { ...auto, reason: `global ${bad}; fell back to ${auto.reason}` };
}
