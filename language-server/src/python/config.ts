/**
 * Per-rule settings (`mlops.pythonRules` in the editor settings or the server's initialization
 * options) and what the Python analyser needs from its host.
 */
import { Severity, type SeverityValue } from '../core/types';
import { PYTHON_RULES, type PythonRule } from './rules';

export type RuleSetting = 'error' | 'warning' | 'information' | 'hint' | 'off';
export type PythonRuleConfig = Partial<Record<PythonRule, RuleSetting>>;

export interface PythonEnv {
  /**
   * The `mlops.yaml` that governs the document at `uri`: found next to it or up its folders, with
   * its current text; or, when there is none, the uri where the quick fix creates one (no text).
   */
  locateConfig?(uri: string): { uri: string; text?: string } | undefined;
  pythonRules?: PythonRuleConfig;
}

const DEFAULTS: Record<PythonRule, RuleSetting> = {
  hyperparameter: 'information',
  'hyperparameter-assignment': 'information',
  'data-path': 'information',
  seed: 'information',
  threshold: 'information',
  credential: 'warning',
};

const LEVELS: Record<Exclude<RuleSetting, 'off'>, SeverityValue> = {
  error: Severity.Error,
  warning: Severity.Warning,
  information: Severity.Information,
  hint: Severity.Hint,
};

/**
 * Reads a settings object leniently: unknown rules and values are reported, not fatal, so one typo
 * does not switch every rule back to its default.
 */
export function parseRuleConfig(raw: unknown): { config: PythonRuleConfig; problems: string[] } {
  const config: PythonRuleConfig = {};
  const problems: string[] = [];
  if (raw === undefined || raw === null) return { config, problems };
  if (typeof raw !== 'object' || Array.isArray(raw)) return { config, problems: ['mlops.pythonRules: expected an object of rule → severity'] };
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!(PYTHON_RULES as readonly string[]).includes(key)) {
      problems.push(`mlops.pythonRules.${key}: unknown rule (known: ${PYTHON_RULES.join(', ')})`);
      continue;
    }
    const v = typeof value === 'string' ? value.toLowerCase() : value;
    const setting = v === 'info' ? 'information' : v === false ? 'off' : v;
    if (typeof setting !== 'string' || !['error', 'warning', 'information', 'hint', 'off'].includes(setting)) {
      problems.push(`mlops.pythonRules.${key}: expected "error", "warning", "information", "hint" or "off", got ${JSON.stringify(value)}`);
      continue;
    }
    config[key as PythonRule] = setting as RuleSetting;
  }
  return { config, problems };
}

/** The severity of a rule, or undefined when it is off. `stronger` raises it one level (absolute paths). */
export function severityOf(config: PythonRuleConfig | undefined, rule: PythonRule, stronger = false): SeverityValue | undefined {
  const setting = config?.[rule] ?? DEFAULTS[rule];
  if (setting === 'off') return undefined;
  const level = LEVELS[setting];
  return stronger ? (Math.max(Severity.Error, level - 1) as SeverityValue) : level;
}
