import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  categoryCounts,
  decimateMinMax,
  fewLevels,
  levelCounts,
  sharedHistogram,
  sliceByTime,
  windowRange,
} from '../../../shared/src/dashboards/shaping';

/** Deterministic uniform [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('shared histogram', () => {
  test('both sides on the same edges over the joint range; last bin closed; NaN and inf left out', () => {
    const h = sharedHistogram([0, 1, 2, 3, NaN], [2, 4, Infinity, 4], 4);
    assert.deepEqual(h.edges, [0, 1, 2, 3, 4]);
    assert.deepEqual(h.reference, [1, 1, 1, 1]);
    assert.deepEqual(h.current, [0, 0, 1, 2]);
  });

  test('a constant sample gets one bin around it; nothing finite gives no bins; bad bin counts are refused', () => {
    assert.deepEqual(sharedHistogram([5, 5], [5], 10), { edges: [4.5, 5.5], reference: [2], current: [1] });
    assert.deepEqual(sharedHistogram([NaN], [], 10), { edges: [], reference: [], current: [] });
    assert.throws(() => sharedHistogram([1], [2], 0), /bins must be a positive integer, got 0/);
  });

  const python = '/usr/bin/python3';
  const hasNumpy = existsSync(python) && spawnSync(python, ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;
  test('200,000 + 150,000 values: the same counts as numpy.histogram on the joint range', { skip: hasNumpy ? false : 'Debian python3-numpy is not installed' }, () => {
    const r = rng(7);
    const ref = Array.from({ length: 200_000 }, () => (r() + r() + r()) * 10);
    const cur = Array.from({ length: 150_000 }, () => (r() + r() + r()) * 10 + 2.5);
    const h = sharedHistogram(ref, cur, 30);
    const script = [
      'import sys, json, numpy as np',
      'd = json.load(sys.stdin)',
      'a, b = np.array(d["ref"]), np.array(d["cur"])',
      'lo, hi = min(a.min(), b.min()), max(a.max(), b.max())',
      'ra, e = np.histogram(a, bins=30, range=(lo, hi))',
      'rb, _ = np.histogram(b, bins=30, range=(lo, hi))',
      'print(json.dumps({"edges": e.tolist(), "ref": ra.tolist(), "cur": rb.tolist()}))',
    ].join('\n');
    const res = spawnSync(python, ['-c', script], { input: JSON.stringify({ ref, cur }), encoding: 'utf8', maxBuffer: 1 << 24 });
    assert.equal(res.status, 0, res.stderr);
    const np = JSON.parse(res.stdout) as { edges: number[]; ref: number[]; cur: number[] };
    np.edges.forEach((e, i) => assert.ok(Math.abs(e - (h.edges[i] as number)) < 1e-9, `edge ${i}`));
    assert.deepEqual(h.reference, np.ref);
    assert.deepEqual(h.current, np.cur);
    assert.equal(h.reference.reduce((s, x) => s + x, 0), 200_000);
  });
});

describe('categories', () => {
  test('few distinct numeric values become levels; many do not', () => {
    assert.deepEqual(fewLevels([2, 0, 1, NaN], [1, 3], 5), [0, 1, 2, 3]);
    assert.equal(fewLevels([1, 2, 3], [4, 5, 6], 5), undefined);
    assert.deepEqual(levelCounts([0, 0, 1], [1, 2, 2], [0, 1, 2]), { categories: ['0', '1', '2'], reference: [2, 1, 0], current: [0, 1, 2] });
  });

  test('category counts: reference order first, categories new in the current sample appended', () => {
    const got = categoryCounts({ categories: ['b', 'a'], codes: [0, 1, 1] }, { categories: ['a', 'c'], codes: [0, 1, 1, 1] });
    assert.deepEqual(got, { categories: ['b', 'a', 'c'], reference: [1, 2, 0], current: [0, 1, 3] });
  });
});

describe('decimation', () => {
  test('a short series comes back unchanged', () => {
    assert.deepEqual(decimateMinMax({ x: [1, 2, 3], y: [5, 6, 7] }, 10), { x: [1, 2, 3], y: [5, 6, 7] });
    assert.throws(() => decimateMinMax({ x: [1], y: [1] }, 1), /at least 2/);
  });

  test('10^5 points → at most the budget, in x order, every spike and dip kept, envelope exact per bucket', () => {
    const n = 100_000;
    const r = rng(3);
    const x = Array.from({ length: n }, (_, i) => 1_700_000_000_000 + i * 60_000);
    const y = Array.from({ length: n }, () => 50 + r() * 10);
    const spikes = [17, 40_001, 99_998];
    for (const i of spikes) y[i] = 5_000;
    y[55_555] = -1;
    const d = decimateMinMax({ x, y }, 1000);
    assert.ok(d.x.length <= 1000 && d.x.length >= 500, `${d.x.length} points`);
    for (let i = 1; i < d.x.length; i++) assert.ok((d.x[i] as number) > (d.x[i - 1] as number), 'x ascending');
    for (const i of spikes) assert.ok(d.x.includes(x[i] as number), `spike at ${i} kept`);
    assert.ok(d.x.includes(x[55_555] as number), 'dip kept');
    assert.equal(Math.max(...d.y), 5_000);
    assert.equal(Math.min(...d.y), -1);
    // Bucket 3 of 500 covers indexes 600..799: its min and max are exactly the source's.
    const src = y.slice(600, 800);
    const kept = d.y.filter((_, k) => (d.x[k] as number) >= (x[600] as number) && (d.x[k] as number) < (x[800] as number));
    assert.deepEqual([Math.min(...kept), Math.max(...kept)], [Math.min(...src), Math.max(...src)]);
  });
});

describe('window selection', () => {
  const now = Date.parse('2026-12-03T12:00:00Z');
  test('last hour, day, week end now with a bucket that keeps the chart under its budget', () => {
    assert.deepEqual(windowRange('hour', now), { from: now - 3_600_000, to: now, bucketMs: 60_000 });
    assert.deepEqual(windowRange('day', now), { from: now - 86_400_000, to: now, bucketMs: 60_000 });
    const week = windowRange('week', now);
    assert.equal(week.to - week.from, 7 * 86_400_000);
    assert.equal(week.bucketMs, 15 * 60_000, '10,080 minutes → 15-minute buckets (672 points)');
    assert.equal(windowRange('day', now, undefined, 500).bucketMs, 5 * 60_000);
  });

  test('custom: as given; reversed, empty or missing ranges are errors that say why', () => {
    assert.deepEqual(windowRange('custom', now, { from: now - 7_200_000, to: now - 3_600_000 }), { from: now - 7_200_000, to: now - 3_600_000, bucketMs: 60_000 });
    assert.throws(() => windowRange('custom', now, { from: now, to: now - 1 }), /from \(2026-12-03T12:00:00.000Z\) must be before to/);
    assert.throws(() => windowRange('custom', now), /needs from and to/);
    assert.throws(() => windowRange('custom', now, { from: NaN, to: now }), /valid times/);
  });

  test('sliceByTime: half-open range by binary search', () => {
    const t = [10, 20, 20, 30, 40];
    assert.deepEqual(sliceByTime(t, 20, 40), [1, 4]);
    assert.deepEqual(sliceByTime(t, 0, 5), [0, 0]);
    assert.deepEqual(sliceByTime(t, 41, 99), [5, 5]);
  });
});
