import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, relErr, sample } from './fixture';
import { sortedCopy } from '../../../shared/src/drift/ks';
import {
  binCountsSorted,
  chi2Homogeneity,
  flooredProportions,
  jensenShannon,
  populationStd,
  psi,
  psiEdges,
  quantileSorted,
  wasserstein,
} from '../../../shared/src/drift/distances';

describe('distances against scipy/numpy', () => {
  for (const c of fixture.distances) {
    test(`${c.name}: quantiles, PSI, Wasserstein, JS`, () => {
      const ref = sortedCopy(sample(c.a));
      const cur = sortedCopy(sample(c.b));
      c.quantiles.forEach((q, i) => assert.ok(relErr(quantileSorted(ref, (i + 1) / 10), q) <= 1e-15, `quantile ${i + 1}`));
      const edges = psiEdges(ref);
      const rc = binCountsSorted(ref, edges);
      const cc = binCountsSorted(cur, edges);
      const value = psi(flooredProportions(rc, ref.length), flooredProportions(cc, cur.length));
      assert.ok(relErr(value, c.psi) <= 1e-12 || Math.abs(value - c.psi) < 1e-15, `psi ${value} vs ${c.psi}`);
      const w = wasserstein(ref, cur);
      assert.ok(relErr(w, c.wasserstein) <= 1e-12, `wasserstein ${w} vs ${c.wasserstein}`);
      assert.ok(relErr(w / populationStd(ref), c.wasserstein_normalized) <= 1e-12);
      const js = jensenShannon(flooredProportions(rc, ref.length), flooredProportions(cc, cur.length));
      assert.ok(relErr(js, c.js_on_psi_bins) <= 1e-12 || Math.abs(js - c.js_on_psi_bins) < 1e-8, `js ${js} vs ${c.js_on_psi_bins}`);
    });
  }
  test('merged bins: duplicate decile edges are dropped', () => {
    const ref = sortedCopy(sample(fixture.distances.find((d) => d.name === 'merged_bins')?.a ?? { kind: 'values', seed: 0, n: 0 }));
    const edges = psiEdges(ref);
    assert.ok(edges.length < 9, `expected merged edges, got ${edges.length}`);
    assert.ok(edges.every((e, i) => i === 0 || e > (edges[i - 1] as number)));
  });
  test('weighted Wasserstein', () => {
    for (const c of fixture.wasserstein_weighted) {
      const sortPair = (v: number[], w: number[]): [Float64Array, Float64Array] => {
        const idx = v.map((_, i) => i).sort((a, b) => (v[a] as number) - (v[b] as number));
        return [Float64Array.from(idx.map((i) => v[i] as number)), Float64Array.from(idx.map((i) => w[i] as number))];
      };
      const [u, uw] = sortPair(c.u, c.u_weights);
      const [v, vw] = sortPair(c.v, c.v_weights);
      assert.ok(relErr(wasserstein(u, v, uw, vw), c.wasserstein) <= 1e-14);
    }
  });
  test('Jensen–Shannon distance, base 2', () => {
    for (const c of fixture.jensenshannon) assert.ok(relErr(jensenShannon(c.p, c.q), c.distance) <= 1e-12, `${c.p} ${c.q}`);
  });
});

describe('chi2_contingency against scipy', () => {
  for (const c of fixture.chi2) {
    test(c.name, () => {
      const r = chi2Homogeneity(c.table[0] ?? [], c.table[1] ?? []);
      assert.ok(r);
      assert.equal(r.dof, c.dof);
      assert.ok(relErr(r.statistic, c.statistic) <= 1e-12, `stat ${r.statistic} vs ${c.statistic}`);
      assert.ok(relErr(r.pValue, c.p_value) <= 1e-9, `p ${r.pValue} vs ${c.p_value}`);
    });
  }
  test('fewer than two categories has no test', () => {
    assert.equal(chi2Homogeneity([5, 0], [7, 0]), undefined);
  });
});
