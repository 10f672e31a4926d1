/** Fallback rules: parsing with types checked against the signature, located errors, evaluation. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileCondition, compileRule, compileRuleSet, RuleError, type RuleType } from '../../../shared/src/rules/rules';

const features = new Map<string, RuleType>([
  ['support_calls', 'number'],
  ['contract_type', 'number'],
  ['tenure', 'number'],
  ['plan', 'string'],
]);

describe('evaluation', () => {
  const cases: [string, Record<string, number | string | null>, boolean][] = [
    ['support_calls > 5 and contract_type == 0', { support_calls: 6, contract_type: 0 }, true],
    ['support_calls > 5 and contract_type == 0', { support_calls: 5, contract_type: 0 }, false],
    ['support_calls > 5 or tenure < 3', { support_calls: 1, tenure: 2 }, true],
    ['not (tenure >= 12)', { tenure: 11 }, true],
    ["plan in ['basic', 'free']", { plan: 'free' }, true],
    ["plan not in ['basic', 'free']", { plan: 'free' }, false],
    ['tenure * 2 + 1 >= 7', { tenure: 3 }, true],
    ['-tenure < -2', { tenure: 3 }, true],
    ['abs(tenure - 10) <= 2 and max(support_calls, 3) == 3', { tenure: 9, support_calls: 1 }, true],
    ['tenure / 0 > 1', { tenure: 3 }, false],
    ['is_missing(tenure) or tenure > 100', { tenure: null }, true],
    // A missing value makes every comparison false, so a rule never fires by accident.
    ['tenure < 3', { tenure: null }, false],
    ['tenure >= 3', {}, false],
    ['1.5e1 == 15 and .5 < 1', {}, true],
  ];
  for (const [src, f, want] of cases) test(`${src} with ${JSON.stringify(f)} is ${want}`, () => assert.equal(compileCondition(src, features)(f), want));
});

describe('refusals name the place', () => {
  const bad: [string, RegExp, number][] = [
    ['support_call > 5', /unknown feature 'support_call'/, 0],
    ['Tenure > 5', /did you mean 'tenure'/, 0],
    ["plan > 'a'", /'>' needs numbers/, 5],
    ["tenure == 'x'", /cannot compare number with string/, 7],
    ['tenure + 1', /needs a condition/, 7],
    ['tenure > 1 and plan', /'and' needs a condition, got a string/, 15],
    ['tenure > ', /expected a value at the end/, 9],
    ['tenure > 1 )', /unexpected '\)'/, 11],
    ['tenure # 1', /unexpected character '#'/, 7],
    ["plan in ['a', 2]", /list holds a number/, 14],
    ['abs(tenure, 1) > 0', /abs\(\) takes 1 arguments, got 2/, 0],
    ["plan == 'x", /unterminated string/, 8],
  ];
  for (const [src, msg, offset] of bad) {
    test(src, () =>
      assert.throws(
        () => compileCondition(src, features),
        (e: unknown) => e instanceof RuleError && msg.test(e.message) && e.offset === offset,
      ),
    );
  }
});

describe('rules and rule sets', () => {
  test('condition -> answer, with → as well', () => {
    const r = compileRule('support_calls > 5 and contract_type == 0 -> 1', features, 'number');
    assert.equal(r.answer, 1);
    assert.equal(r.test({ support_calls: 9, contract_type: 0 }), true);
    assert.equal(compileRule("tenure < 3 → 'churn'", features).answer, 'churn');
    assert.equal(compileRule('tenure < 3 -> -1', features).answer, -1);
  });

  test('a rule without an arrow or with a wrongly typed answer is refused', () => {
    assert.throws(() => compileRule('tenure < 3', features), /condition -> answer/);
    assert.throws(() => compileRule("tenure < 3 -> 'yes'", features, 'number'), /answer is a string, but the model's output is a number/);
    assert.throws(() => compileRule('tenure < 3 -> 1 2', features), /unexpected '2' after the answer/);
  });

  test('the first rule that holds answers, else the default; every problem is listed', () => {
    const ok = compileRuleSet({ rules: ['support_calls > 5 -> 1', 'tenure < 3 -> 1'], default: 0 }, features, 'number');
    assert.deepEqual(ok.problems, []);
    assert.deepEqual(ok.set?.answer({ support_calls: 1, tenure: 2 }), { value: 1, rule: 1 });
    assert.deepEqual(ok.set?.answer({ support_calls: 1, tenure: 20 }), { value: 0, rule: null });
    const bad = compileRuleSet({ rules: ['suport > 5 -> 1', 'tenure < 3 -> 1', 'tenure <'], default: 'no' }, features, 'number');
    assert.equal(bad.set, undefined);
    assert.deepEqual(bad.problems.map((p) => p.rule), [0, 2, 'default']);
  });

  test('a 10,000-deep expression is refused without a stack overflow', () => {
    const deep = `${'('.repeat(10_000)}tenure > 1${')'.repeat(10_000)}`;
    assert.throws(() => compileCondition(deep, features), (e: unknown) => e instanceof RuleError && /nested/.test(e.message));
  });
});
