import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { driftReportSchema } from '../../../schemas/src/drift';
import {
  adjustPValues,
  categoricalColumn,
  compareWindow,
  deserializeProfile,
  ks2sampSorted,
  numericColumn,
  prepareReference,
  serializeProfile,
  sortedCopy,
} from '../../../shared/src/drift/index';
import { sample } from './fixture';

/** The statistic as scipy defines it: searchsorted(side=right) over all points, brute force. */
function bruteD(a: number[], b: number[]): { max: number; min: number } {
  const sa = [...a].sort((x, y) => x - y);
  const sb = [...b].sort((x, y) => x - y);
  const cnt = (s: number[], v: number): number => s.filter((x) => x <= v).length;
  let max = -Infinity;
  let min = Infinity;
  for (const v of [...sa, ...sb]) {
    const d = cnt(sa, v) / sa.length - cnt(sb, v) / sb.length;
    max = Math.max(max, d);
    min = Math.min(min, d);
  }
  return { max, min: Math.min(Math.max(-min, 0), 1) };
}

describe('KS statistic', () => {
  test('galloping merge equals brute force on tied and untied samples', () => {
    for (let seed = 1; seed < 40; seed++) {
      const a = sample({ kind: seed % 2 ? 'ties' : 'bell', seed, n: 5 + seed * 7, levels: 6 });
      const b = sample({ kind: seed % 3 ? 'ties' : 'bell', seed: seed + 100, n: 3 + seed * 3, levels: 4, loc: (seed % 5) * 0.3 });
      const want = bruteD(a, b);
      const greater = ks2sampSorted(sortedCopy(a), sortedCopy(b), 'greater', 'asymp').statistic;
      const less = ks2sampSorted(sortedCopy(a), sortedCopy(b), 'less', 'asymp').statistic;
      assert.equal(greater, want.max, `seed ${seed} greater`);
      assert.equal(less, want.min, `seed ${seed} less`);
    }
  });
});

describe('compareWindow', () => {
  const ref = [numericColumn('x', sample({ kind: 'bell', seed: 1, n: 500 })), categoricalColumn('c', Array.from({ length: 500 }, (_, i) => ['a', 'b', 'c'][i % 3] ?? 'a'))];
  const same = [numericColumn('x', sample({ kind: 'bell', seed: 2, n: 400 })), categoricalColumn('c', Array.from({ length: 400 }, (_, i) => ['a', 'b', 'c'][i % 3] ?? 'a'))];
  const shifted = [numericColumn('x', sample({ kind: 'bell', seed: 3, n: 400, loc: 1 })), categoricalColumn('c', Array.from({ length: 400 }, (_, i) => (i % 4 === 0 ? 'a' : 'z')))];

  test('auto picks ks and chi2; no drift on the same distribution, drift on a shifted one', () => {
    const profile = prepareReference(ref);
    const r1 = compareWindow(profile, same);
    assert.deepEqual(r1.features.map((f) => f.test), ['ks', 'chi2']);
    assert.equal(r1.dataset.drifted, false);
    const r2 = compareWindow(profile, shifted);
    assert.deepEqual(r2.features.map((f) => f.drifted), [true, true]);
    assert.equal(r2.dataset.drifted, true);
    assert.equal(r2.dataset.share, 1);
    driftReportSchema.parse(r2);
  });

  test('distance tests use their default thresholds and a given threshold overrides them', () => {
    const profile = prepareReference(ref);
    const psi = compareWindow(profile, shifted, { test: 'psi' });
    assert.deepEqual(psi.features.map((f) => f.threshold), [0.1, 0.1]);
    assert.ok(psi.features.every((f) => f.p_value === null && f.distance !== null));
    const w = compareWindow(profile, shifted, { features: { x: 'wasserstein', c: 'jensenshannon' }, threshold: 5 });
    assert.equal(w.features[0]?.test, 'wasserstein');
    assert.equal(w.features[0]?.drifted, false);
    const xs = sample({ kind: 'bell', seed: 1, n: 500 });
    const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
    const std = Math.sqrt(xs.reduce((s, v) => s + (v - mean) ** 2, 0) / xs.length);
    const f = w.features[0];
    assert.ok(f && f.distance !== null && f.normalized !== null);
    assert.ok(Math.abs(f.normalized - f.distance / std) < 1e-12 * f.normalized);
  });

  test('NaN and infinities are dropped and counted; empty and single-category samples give a status', () => {
    const profile = prepareReference([numericColumn('x', [1, 2, NaN, Infinity, null, 3]), categoricalColumn('c', ['a', 'a', ''])]);
    const r = compareWindow(profile, [numericColumn('x', [NaN, -Infinity]), categoricalColumn('c', ['a', null])]);
    const [x, c] = r.features;
    assert.deepEqual(x?.dropped, { reference: { missing: 1, nan: 1, infinite: 1 }, current: { missing: 0, nan: 1, infinite: 1 } });
    assert.equal(x?.status, 'empty');
    assert.equal(x?.p_value, null);
    assert.equal(c?.status, 'single_category');
    assert.equal(r.dataset.tested_features, 0);
    assert.equal(r.dataset.drifted, false);
    driftReportSchema.parse(r);
  });

  test('constant samples give a stated result, never NaN', () => {
    const profile = prepareReference([numericColumn('k', [5, 5, 5, 5])]);
    const r = compareWindow(profile, [numericColumn('k', [5, 5, 5])], { test: 'ks' });
    assert.equal(r.features[0]?.p_value, 1);
    // auto tests a one-valued numeric column over its values: one category in both samples.
    const auto = compareWindow(profile, [numericColumn('k', [5, 5, 5])]).features[0];
    assert.deepEqual([auto?.test, auto?.status, auto?.p_value, auto?.drifted], ['chi2', 'single_category', null, false]);
    const w = compareWindow(profile, [numericColumn('k', [6, 6])], { test: 'wasserstein' });
    assert.equal(w.features[0]?.normalized, 1);
  });

  test('mismatched types and unsuitable tests are clear errors', () => {
    const profile = prepareReference(ref);
    assert.throws(() => compareWindow(profile, [categoricalColumn('x', ['a']), same[1]!]), /column "x" is numeric in the reference but categorical/);
    assert.throws(() => compareWindow(profile, same, { features: { c: 'ks' } }), /feature "c" is categorical; test "ks" needs numbers/);
    assert.throws(() => compareWindow(profile, [same[0]!]), /column "c" is missing/);
  });

  test('profiles survive serialisation unchanged', () => {
    const profile = prepareReference(ref);
    const back = deserializeProfile(serializeProfile(profile));
    assert.deepEqual(compareWindow(back, shifted), compareWindow(profile, shifted));
  });
});

describe('multiple-testing corrections', () => {
  test('Bonferroni and Benjamini–Hochberg (as statsmodels computes them)', () => {
    const ps = [0.01, null, 0.04, 0.03, 0.2];
    assert.deepEqual(adjustPValues(ps, 'bonferroni'), [0.04, null, 0.16, 0.12, 0.8]);
    const bh = adjustPValues(ps, 'benjamini-hochberg');
    const want = [0.04, null, 0.05333333333333334, 0.05333333333333334, 0.2];
    bh.forEach((v, i) => (want[i] === null ? assert.equal(v, null) : assert.ok(Math.abs((v as number) - (want[i] as number)) < 1e-15, `${i}: ${v}`)));
  });
});
