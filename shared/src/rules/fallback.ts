/**
 * A deployment's `fallback` (mlops.yaml) checked against a model's signature: the one check the
 * daemon makes when a deployment loads and the language server makes as you type, so both name the
 * same rule, column and problem.
 */
import { compileRuleSet, ruleTypeOf, type RuleProblem, type RuleSet, type RuleType, type Value } from './rules';

export interface FallbackSpec {
  rules: string[];
  default: Value;
}

/** Signature features (any type names: config, ONNX or serving) as rule types. */
export function ruleFeatures(features: readonly { name: string; type?: string }[]): Map<string, RuleType> {
  return new Map(features.map((f) => [f.name, ruleTypeOf(f.type ?? 'float')]));
}

export function compileFallback(spec: FallbackSpec, features: readonly { name: string; type?: string }[]): { set?: RuleSet; problems: RuleProblem[] } {
  return compileRuleSet(spec, ruleFeatures(features));
}

/** `deployments.prod.fallback.rules[1], column 12: unknown feature 'x'` for each problem. */
export function describeRuleProblems(deployment: string, spec: FallbackSpec, problems: RuleProblem[]): string {
  return problems
    .map((p) => {
      const where = p.rule === 'default' ? `deployments.${deployment}.fallback.default` : `deployments.${deployment}.fallback.rules[${p.rule}]`;
      const src = p.rule === 'default' ? '' : ` in "${spec.rules[p.rule] ?? ''}"`;
      return `${where}, column ${p.offset + 1}${src}: ${p.message}`;
    })
    .join('; ');
}
