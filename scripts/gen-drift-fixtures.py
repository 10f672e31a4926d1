#!/usr/bin/python3
"""Reference values for the drift engine, computed with scipy/numpy.

Run with Debian's interpreter (apt-get install -y python3-scipy):
    /usr/bin/python3 scripts/gen-drift-fixtures.py
Writes test/fixtures/drift/scipy-reference.json, which the unit tests read, so tests run without
Python. Samples are described by a tiny deterministic generator (MINSTD: x <- 48271 x mod 2^31-1)
that the TypeScript tests reproduce bit for bit, so large samples need not be stored.
"""
import json
import math
import os
import warnings

import numpy as np
import scipy
from scipy import special, stats
from scipy.spatial.distance import jensenshannon

MOD = 2147483647


def minstd(seed, count):
    x = seed
    out = []
    for _ in range(count):
        x = (48271 * x) % MOD
        out.append(x / MOD)
    return out


def sample(spec):
    """kind uniform: loc + scale*u; bell: loc + scale*(u1+u2+u3-1.5); ties: loc + floor(u*levels)."""
    kind, seed, n = spec["kind"], spec["seed"], spec["n"]
    loc, scale = spec.get("loc", 0.0), spec.get("scale", 1.0)
    if kind == "values":
        return [float(v) for v in spec["values"]]
    if kind == "uniform":
        return [loc + scale * u for u in minstd(seed, n)]
    if kind == "bell":
        u = minstd(seed, 3 * n)
        return [loc + scale * (u[3 * i] + u[3 * i + 1] + u[3 * i + 2] - 1.5) for i in range(n)]
    if kind == "ties":
        return [loc + math.floor(u * spec["levels"]) for u in minstd(seed, n)]
    raise ValueError(kind)


def ks_cases():
    def S(kind, seed, n, **kw):
        return dict(kind=kind, seed=seed, n=n, **kw)

    pairs = [
        ("tiny", dict(kind="values", seed=0, n=3, values=[1.0, 2.0, 3.0]),
         dict(kind="values", seed=0, n=4, values=[2.5, 3.5, 4.5, 5.5])),
        ("one_each", dict(kind="values", seed=0, n=1, values=[1.0]), dict(kind="values", seed=0, n=1, values=[2.0])),
        ("ties", S("ties", 11, 50, levels=5), S("ties", 12, 60, levels=5, loc=0.0)),
        ("ties_shift", S("ties", 13, 300, levels=7), S("ties", 14, 250, levels=7, loc=1.0)),
        ("identical", S("bell", 21, 100), S("bell", 21, 100)),
        ("disjoint_85", S("uniform", 31, 85), S("uniform", 32, 85, loc=2.0)),
        ("disjoint_80_90", S("uniform", 33, 80), S("uniform", 34, 90, loc=2.0)),
        ("disjoint_1000", S("uniform", 35, 1000), S("uniform", 36, 1000, loc=2.0)),
        ("shift_500_700", S("bell", 41, 500), S("bell", 42, 700, loc=0.1)),
        ("same_37_41", S("bell", 43, 37), S("bell", 44, 41)),
        ("square_10000", S("bell", 51, 10000), S("bell", 52, 10000, loc=0.02)),
        ("band_10000_9999", S("bell", 53, 10000), S("bell", 54, 9999, loc=0.02)),
        ("asymp_10000_10001", S("bell", 55, 10000), S("bell", 56, 10001, loc=0.02)),
        ("asymp_20000_15000", S("bell", 57, 20000), S("bell", 58, 15000, loc=0.01)),
        ("asymp_big_shift", S("bell", 59, 20000), S("bell", 60, 12000, loc=0.3)),
        ("asymp_50000_100", S("bell", 61, 50000), S("bell", 62, 100, loc=0.05)),
        ("asymp_50000_30", S("bell", 63, 50000), S("bell", 64, 30, loc=0.3)),
        ("unequal_small", S("bell", 71, 10), S("bell", 72, 10000, loc=0.2)),
        ("unequal_200_300", S("bell", 73, 200), S("bell", 74, 300, loc=0.15)),
        ("overflow_600_700", S("bell", 75, 600), S("bell", 76, 700, loc=0.1)),
    ]
    out = []
    for name, a, b in pairs:
        x, y = np.array(sample(a)), np.array(sample(b))
        for alt in ("two-sided", "less", "greater"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                r = stats.ks_2samp(x, y, alternative=alt, method="auto")
            out.append(dict(name=name, a=a, b=b, alternative=alt, statistic=float(r.statistic),
                            p_value=float(r.pvalue), exact=max(len(x), len(y)) <= 10000))
    return out


def kstwo_cases():
    out = []
    for n in [1, 2, 3, 5, 10, 50, 100, 140, 141, 500, 1000, 5000, 90909, 100001, 500000, 2000000]:
        xs = set()
        for nx2 in [0.3, 0.7, 0.754, 1.0, 2.0, 2.3, 3.0, 4.5, 10.0, 20.0, 100.0, 300.0, 400.0]:
            xs.add(math.sqrt(nx2 / n))
        for t in [0.4, 0.75, 1.0, n - 0.5]:
            xs.add(t / n)
        xs.update([0.5, 0.7, 0.99])
        for x in sorted(xs):
            if 0 < x < 1:
                out.append(dict(n=n, x=x, sf=float(stats.kstwo.sf(x, n))))
    return out


def smirnov_cases():
    out = []
    for n in [2, 5, 20, 141, 1000, 20000, 300000, 1500000]:
        for x in [0.5 / n, 1.5 / n, 0.01, 0.05, 0.1, 0.3, 0.6, 1 - 0.5 / n]:
            if 0 < x < 1:
                out.append(dict(n=n, x=x, sf=float(special.smirnov(n, x))))
    return out


def chi2_sf_cases():
    out = []
    for dof in [1, 2, 3, 5, 10, 31, 100, 1000]:
        for stat in [1e-3, 0.5, 1.0, 3.84, 10.0, 50.0, 250.0, 500.0, 1200.0]:
            out.append(dict(dof=dof, stat=stat, sf=float(stats.chi2.sf(stat, dof))))
    return out


def chi2_cases():
    tables = [
        ("yates", [[30, 70], [45, 55]]),
        ("yates_small", [[3, 1], [1, 3]]),
        ("k3", [[10, 20, 30], [15, 25, 20]]),
        ("k5_zero_dropped", [[100, 0, 50, 25, 7], [90, 0, 60, 30, 20]]),
        ("far_tail", [[5000, 10], [10, 5000]]),
        ("big", [[120000, 80000, 5000, 100], [11000, 9000, 900, 100]]),
    ]
    out = []
    for name, t in tables:
        arr = np.array(t, dtype=float)
        keep = arr.sum(axis=0) > 0
        r = stats.chi2_contingency(arr[:, keep])
        out.append(dict(name=name, table=t, statistic=float(r[0]), p_value=float(r[1]), dof=int(r[2])))
    return out


def psi(ref, cur):
    ref, cur = np.asarray(ref), np.asarray(cur)
    edges = np.unique(np.quantile(ref, np.arange(1, 10) / 10))
    def props(x):
        counts = np.bincount(np.searchsorted(edges, x, side="left"), minlength=len(edges) + 1)
        p = counts / len(x)
        return np.where(p == 0, 1e-4, p)
    r, c = props(ref), props(cur)
    return float(np.sum((c - r) * np.log(c / r))), r, c


def distance_cases():
    specs = [
        ("bell_shift", dict(kind="bell", seed=81, n=2000), dict(kind="bell", seed=82, n=1500, loc=0.2)),
        ("merged_bins", dict(kind="ties", seed=83, n=1000, levels=3), dict(kind="ties", seed=84, n=800, levels=4)),
        ("same", dict(kind="uniform", seed=85, n=500), dict(kind="uniform", seed=85, n=500)),
        ("scaled", dict(kind="uniform", seed=86, n=700), dict(kind="uniform", seed=87, n=900, scale=3.0)),
    ]
    out = []
    for name, a, b in specs:
        x, y = np.array(sample(a)), np.array(sample(b))
        value, r, c = psi(x, y)
        w = stats.wasserstein_distance(x, y)
        js = jensenshannon(r, c, base=2)
        out.append(dict(name=name, a=a, b=b, psi=value, wasserstein=float(w),
                        wasserstein_normalized=float(w / np.std(x)), js_on_psi_bins=float(js),
                        quantiles=[float(q) for q in np.quantile(x, np.arange(1, 10) / 10)]))
    return out


def weighted_cases():
    u, v = [0.0, 1.0, 3.0, 3.0, 7.5], [5.0, 1.0, 2.0]
    uw, vw = [1.0, 2.0, 0.5, 3.0, 1.0], [2.0, 1.0, 4.0]
    return [dict(u=u, v=v, u_weights=uw, v_weights=vw, wasserstein=float(stats.wasserstein_distance(u, v, uw, vw)))]


def js_cases():
    pairs = [([0.2, 0.3, 0.5], [0.1, 0.6, 0.3]), ([1.0, 0.0], [0.0, 1.0]), ([10, 20, 0, 5], [3, 0, 9, 9])]
    return [dict(p=p, q=q, distance=float(jensenshannon(p, q, base=2))) for p, q in pairs]


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    out = dict(
        generated_by="scripts/gen-drift-fixtures.py",
        scipy=scipy.__version__,
        numpy=np.__version__,
        ks=ks_cases(),
        kstwo=kstwo_cases(),
        smirnov=smirnov_cases(),
        chi2_sf=chi2_sf_cases(),
        chi2=chi2_cases(),
        distances=distance_cases(),
        wasserstein_weighted=weighted_cases(),
        jensenshannon=js_cases(),
    )
    path = os.path.join(root, "test", "fixtures", "drift", "scipy-reference.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
