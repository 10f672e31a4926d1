import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, relErr, sample } from './fixture';
import { ks2sampSorted, sortedCopy } from '../../../shared/src/drift/ks';
import { kolmognSf, smirnovSf } from '../../../shared/src/drift/kolmogorov';
import { chi2Sf } from '../../../shared/src/drift/special';

describe('Kolmogorov distributions against scipy', () => {
  test('kstwo.sf over every region (1e-7 relative)', () => {
    const bad: string[] = [];
    for (const c of fixture.kstwo) {
      const got = kolmognSf(c.n, c.x);
      if (relErr(got, c.sf) > 1e-7 && Math.abs(got - c.sf) > 1e-300) bad.push(`n=${c.n} x=${c.x}: ${got} vs ${c.sf}`);
    }
    assert.deepEqual(bad, []);
  });
  test('smirnov (1e-9 relative)', () => {
    const bad: string[] = [];
    for (const c of fixture.smirnov) {
      const got = smirnovSf(c.n, c.x);
      if (relErr(got, c.sf) > 1e-9) bad.push(`n=${c.n} x=${c.x}: ${got} vs ${c.sf}`);
    }
    assert.deepEqual(bad, []);
  });
});

describe('chi-square survival against scipy', () => {
  test('chi2.sf including far tails (1e-9 relative)', () => {
    const bad: string[] = [];
    for (const c of fixture.chi2_sf) {
      const got = chi2Sf(c.stat, c.dof);
      if (relErr(got, c.sf) > 1e-9) bad.push(`dof=${c.dof} stat=${c.stat}: ${got} vs ${c.sf}`);
    }
    assert.deepEqual(bad, []);
  });
});

describe('ks_2samp against scipy', () => {
  for (const c of fixture.ks) {
    test(`${c.name} ${c.alternative}`, () => {
      const a = sortedCopy(sample(c.a));
      const b = sortedCopy(sample(c.b));
      const r = ks2sampSorted(a, b, c.alternative);
      assert.ok(relErr(r.statistic, c.statistic) <= 1e-12, `statistic ${r.statistic} vs ${c.statistic}`);
      const tol = r.method === 'exact' ? 1e-9 : 1e-7;
      assert.ok(relErr(r.pValue, c.p_value) <= tol, `p ${r.pValue} vs ${c.p_value} (${r.method}, rel ${relErr(r.pValue, c.p_value)})`);
    });
  }
});
