/** Fallback rules in mlops.yaml: the language server underlines the exact place in the rule, with the daemon's own message. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateMlopsYaml, type MlopsDiagnostic } from '../../../language-server/src/core';
import { compileFallback, describeRuleProblems } from '../../../shared/src/rules/fallback';

const DOC = (rules: string) => `version: 1
project:
  name: demo
models:
  churn:
    task: classification
    signature:
      inputs:
        - name: support_calls
        - name: contract_type
        - name: plan
          type: string
deployments:
  prod:
    model: churn
    # rules are checked against models.churn.signature
    fallback:
      rules:
${rules}
      default: 0
`;

function show(d: MlopsDiagnostic): string {
  const r = d.range;
  return `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character} ${d.code} ${d.message}`;
}

const check = (rules: string): string[] => validateMlopsYaml(DOC(rules), {}).map(show);

test('valid rules: no diagnostics', () => {
  assert.deepEqual(check(`        - support_calls > 5 and contract_type == 0 -> 1\n        - "plan == 'pro' -> 0"`), []);
});

test('an unknown feature is underlined exactly, in a plain scalar', () => {
  // Line 18 is the first rule; the value starts at column 10; 'suport_calls' at offset 0.
  assert.deepEqual(check(`        - suport_calls > 5 -> 1`), [
    "18:10-18:22 fallback-rule deployments.prod.fallback.rules[0], column 1: unknown feature 'suport_calls'; the signature has support_calls, contract_type, plan",
  ]);
});

test('a type error inside a quoted rule: the offset counts from inside the quotes', () => {
  assert.deepEqual(check(`        - support_calls > 1 -> 1\n        - "plan > 'a' -> 1"`), [
    "19:16-19:17 fallback-rule deployments.prod.fallback.rules[1], column 6: '>' needs numbers, not strings",
  ]);
});

test('the daemon describes the same problem naming the rule and its column', () => {
  const spec = { rules: ['support_calls > 5 -> 1', 'contract_type == -> 0'], default: 0 };
  const { problems, set } = compileFallback(spec, [{ name: 'support_calls' }, { name: 'contract_type', type: 'int64' }]);
  assert.equal(set, undefined);
  assert.equal(describeRuleProblems('prod', spec, problems), 'deployments.prod.fallback.rules[1], column 18 in "contract_type == -> 0": expected a value at the end');
});

test('a rule set answers per instance, first rule that holds, else the default', () => {
  const { set } = compileFallback({ rules: ['support_calls > 5 and contract_type == 0 -> 1', 'support_calls > 8 -> 2'], default: 0 }, [{ name: 'support_calls' }, { name: 'contract_type' }]);
  assert.ok(set);
  assert.deepEqual(set.answer({ support_calls: 6, contract_type: 0 }), { value: 1, rule: 0 });
  assert.deepEqual(set.answer({ support_calls: 9, contract_type: 1 }), { value: 2, rule: 1 });
  assert.deepEqual(set.answer({ support_calls: 1, contract_type: 0 }), { value: 0, rule: null });
});
