/**
 * Test choice (auto by type and size, global tests that do not fit, per-feature overrides) and
 * features with an empty sample on either side.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { driftReportSchema, type DriftFeatureResult, type DriftReport } from '../../../schemas/src/drift';
import { categoricalColumn, compareWindow, deserializeProfile, numericColumn, prepareReference, serializeProfile } from '../../../shared/src/drift/index';
import { sample } from './fixture';

const repeat = (pairs: [number, number][]): number[] => pairs.flatMap(([v, n]) => Array.from({ length: n }, () => v));
const colors = (n: number): string[] => Array.from({ length: n }, (_, i) => ['red', 'green', 'blue'][i % 3] ?? 'red');

function feature(r: DriftReport, name: string): DriftFeatureResult {
  const f = r.features.find((x) => x.feature === name);
  assert.ok(f, `no feature ${name}`);
  return f;
}

/** Every number in the report is finite or null: no NaN sneaks into the JSON. */
function assertNoNaN(r: DriftReport): void {
  driftReportSchema.parse(r);
  JSON.stringify(r, (_k, v: unknown) => {
    assert.ok(typeof v !== 'number' || Number.isFinite(v), `non-finite number ${String(v)}`);
    return v;
  });
}

describe('empty samples', () => {
  const ref = [numericColumn('x', sample({ kind: 'bell', seed: 1, n: 200 })), categoricalColumn('c', colors(200))];
  // An empty CSV column reads as numeric; the reference's "c" is categorical.
  const emptyCur = [numericColumn('x', []), numericColumn('c', [null, null])];

  test('an empty current column takes the reference type and reports an empty sample', () => {
    const r = compareWindow(prepareReference(ref), emptyCur);
    for (const [name, type, test] of [['x', 'numeric', 'ks'], ['c', 'categorical', 'chi2']] as const) {
      const f = feature(r, name);
      assert.deepEqual([f.type, f.test, f.status, f.drifted, f.p_value, f.statistic], [type, test, 'empty', false, null, null], name);
      assert.match(f.note ?? '', /^empty sample: no value in the current sample$/);
    }
    assert.equal(feature(r, 'c').dropped.current.missing, 2);
    assert.equal(feature(r, 'c').reference_count, 200);
    assert.deepEqual([r.dataset.tested_features, r.dataset.drifted], [0, false]);
    assertNoNaN(r);
  });

  test('an empty reference column takes the current type (files swapped)', () => {
    const profile = prepareReference(emptyCur);
    const r = compareWindow(profile, ref);
    const c = feature(r, 'c');
    assert.deepEqual([c.type, c.test, c.status, c.drifted, c.p_value, c.current_count], ['categorical', 'chi2', 'empty', false, null, 200]);
    assert.match(c.note ?? '', /^empty sample: no value in the reference sample$/);
    assert.equal(feature(r, 'x').status, 'empty');
    assertNoNaN(r);
    assert.deepEqual(compareWindow(deserializeProfile(serializeProfile(profile)), ref), r);
  });

  test('both sides empty, and distance tests on an empty side, give the stated result', () => {
    const r = compareWindow(prepareReference(emptyCur), emptyCur, { test: 'wasserstein' });
    assert.ok(r.features.every((f) => f.status === 'empty' && !f.drifted && f.distance === null));
    assertNoNaN(r);
    const psi = compareWindow(prepareReference(ref), emptyCur, { test: 'psi' });
    assert.ok(psi.features.every((f) => f.status === 'empty' && f.test === 'psi'));
  });

  test('a column that only held NaN says so; real type mismatches stay errors', () => {
    const r = compareWindow(prepareReference(ref), [numericColumn('x', [NaN, NaN]), categoricalColumn('c', ['red'])]);
    assert.match(feature(r, 'x').note ?? '', /no finite value left in the current sample/);
    assert.throws(() => compareWindow(prepareReference(ref), [numericColumn('x', [1]), numericColumn('c', [1, 2])]), /column "c" is categorical in the reference but numeric/);
  });
});

describe('auto: by type and size', () => {
  // Four distinct values; the current sample also has a value (7) the reference never had.
  const refX = repeat([[0, 40], [1, 30], [2, 20], [3, 10]]);
  const curX = repeat([[0, 20], [1, 30], [2, 30], [3, 15], [7, 5]]);

  test('a numeric column with ≤ 5 distinct reference values gets chi-square over its values (= scipy)', () => {
    const r = compareWindow(prepareReference([numericColumn('x', refX)]), [numericColumn('x', curX)]);
    const x = feature(r, 'x');
    assert.deepEqual([x.type, x.test, x.method, x.dof, x.reason], ['numeric', 'chi2', 'pearson', 4, 'auto: numeric with 4 distinct values (≤ 5)']);
    // scipy.stats.chi2_contingency on the 2×5 table of value counts (values 0, 1, 2, 3, 7).
    assert.equal(x.statistic, 14.666666666666668);
    assert.ok(Math.abs((x.p_value as number) - 0.005444933165561502) <= 1e-9 * 0.005444933165561502, String(x.p_value));
    assert.equal(x.drifted, true);
  });

  test('six distinct values, or maxDistinct 0, keep KS', () => {
    const six = compareWindow(prepareReference([numericColumn('x', [...refX, 4, 5])]), [numericColumn('x', curX)]);
    assert.deepEqual([feature(six, 'x').test, feature(six, 'x').reason], ['ks', 'auto: numeric with more than 5 distinct values']);
    const off = compareWindow(prepareReference([numericColumn('x', refX)]), [numericColumn('x', curX)], { auto: { maxDistinct: 0 } });
    assert.equal(feature(off, 'x').test, 'ks');
    const wide = compareWindow(prepareReference([numericColumn('x', [...refX, 4, 5])]), [numericColumn('x', curX)], { auto: { maxDistinct: 6 } });
    assert.equal(feature(wide, 'x').test, 'chi2');
  });

  test('distanceAbove switches large references to Wasserstein / Jensen–Shannon; off by default', () => {
    const ref = [numericColumn('n', sample({ kind: 'bell', seed: 4, n: 500 })), categoricalColumn('c', colors(500)), numericColumn('d', refX)];
    const cur = [numericColumn('n', sample({ kind: 'bell', seed: 5, n: 300 })), categoricalColumn('c', colors(300)), numericColumn('d', curX)];
    const profile = prepareReference(ref);
    assert.deepEqual(compareWindow(profile, cur).features.map((f) => f.test), ['ks', 'chi2', 'chi2']);
    const big = compareWindow(profile, cur, { auto: { distanceAbove: 400 } });
    assert.deepEqual(big.features.map((f) => f.test), ['wasserstein', 'jensenshannon', 'chi2']);
    assert.equal(feature(big, 'n').reason, 'auto: numeric with more than 5 distinct values, 500 reference values > 400');
    assert.ok(big.features.slice(0, 2).every((f) => f.p_value === null && f.normalized !== null && f.threshold === 0.1));
    const small = compareWindow(profile, cur, { auto: { distanceAbove: 500 } });
    assert.equal(feature(small, 'n').test, 'ks');
  });
});

describe('global test and per-feature overrides', () => {
  const ref = [numericColumn('x', sample({ kind: 'bell', seed: 1, n: 300 })), categoricalColumn('c', colors(300)), numericColumn('d', repeat([[1, 150], [2, 150]]))];
  const cur = [numericColumn('x', sample({ kind: 'bell', seed: 2, n: 200, loc: 0.5 })), categoricalColumn('c', colors(200)), numericColumn('d', repeat([[1, 50], [2, 150]]))];
  const profile = prepareReference(ref);

  test('a global test applies where it fits; other features fall back to auto and say so', () => {
    const r = compareWindow(profile, cur, { test: 'wasserstein' });
    assert.deepEqual(r.features.map((f) => f.test), ['wasserstein', 'chi2', 'wasserstein']);
    assert.equal(feature(r, 'x').reason, 'global test "wasserstein"');
    assert.equal(feature(r, 'c').reason, 'global test "wasserstein" needs numbers; fell back to auto: categorical');
    assert.equal(feature(r, 'c').status, 'ok');
    assertNoNaN(r);
    const ks = compareWindow(profile, cur, { test: 'ks' });
    assert.deepEqual(ks.features.map((f) => f.test), ['ks', 'chi2', 'ks']);
  });

  test('global chi2 runs on categorical and discrete numeric features; continuous ones fall back to KS', () => {
    const r = compareWindow(profile, cur, { test: 'chi2' });
    assert.deepEqual(r.features.map((f) => f.test), ['ks', 'chi2', 'chi2']);
    assert.match(feature(r, 'x').reason, /^global test "chi2" needs categories .*; fell back to auto: numeric with more than 5 distinct values$/);
    assert.equal(feature(r, 'd').method, 'yates');
  });

  test('a per-feature override that cannot apply is a clear error; one that fits wins over the global test', () => {
    assert.throws(() => compareWindow(profile, cur, { features: { c: 'wasserstein' } }), /feature "c" is categorical; test "wasserstein" needs numbers \(monitoring\.drift\.features\.c: use chi2, psi or jensenshannon\)/);
    assert.throws(() => compareWindow(profile, cur, { test: 'psi', features: { x: 'chi2' } }), /feature "x" is numeric; test "chi2" needs categories/);
    const r = compareWindow(profile, cur, { test: 'wasserstein', features: { c: 'psi', d: 'chi2' } });
    assert.deepEqual(r.features.map((f) => [f.test, f.reason]), [
      ['wasserstein', 'global test "wasserstein"'],
      ['psi', 'set for this feature'],
      ['chi2', 'set for this feature'],
    ]);
    const auto = compareWindow(profile, cur, { test: 'psi', features: { x: 'auto' } });
    assert.deepEqual(auto.features.map((f) => f.test), ['ks', 'psi', 'psi']);
  });
});
