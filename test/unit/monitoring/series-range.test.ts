/** The series endpoint's step choice (daemon/src/monitoring/queries.ts rangeOf) on real-sized ranges. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_SERIES_POINTS, rangeOf, seriesPoints } from '../../../daemon/src/monitoring/queries';
import { type SliceRow } from '../../../daemon/src/monitoring/store';
import { seriesResponse } from '../../../schemas/src/monitoring';
import { stepSeconds } from '../../../extension/src/dashboards/data';

const SLICE_MS = 10_000;
const DAY_MS = 86_400_000;
const TO = Date.parse('2026-12-03T12:00:00Z');

/** One stored slice every SLICE_MS over [from, to): what a deployment serving steadily leaves behind. */
function slices(from: number, to: number): SliceRow[] {
  const rows: SliceRow[] = [];
  for (let t = from; t < to; t += SLICE_MS) {
    rows.push({ start_ms: t, version: 1, requests: 20, errors: t % 7 === 0 ? 1 : 0, client_errors: 0, predictions: 20, latency: '[[10,15],[12,5]]', in_flight_max: 3, cpu_pct: 12, rss_mb: 80 });
  }
  return rows;
}

test('"last day" as the dashboard asks it comes back in 1,440 per-minute points, not 87 s steps', () => {
  const from = TO - DAY_MS;
  const step = stepSeconds({ kind: 'day', from, to: TO });
  assert.equal(step, 60);
  const r = rangeOf({ from: new Date(from).toISOString(), to: new Date(TO).toISOString(), step }, SLICE_MS);
  assert.equal(r.stepMs, 60_000);
  const points = seriesPoints(slices(from, TO), r.stepMs);
  assert.equal(points.length, 1440);
  assert.equal(points[1]?.requests, 120, 'six 10 s slices a minute');
  const body = { deployment: 'prod', from: new Date(from).toISOString(), to: new Date(TO).toISOString(), step: r.stepMs / 1000, points };
  assert.ok(seriesResponse.safeParse(body).success);
  const kb = Buffer.byteLength(JSON.stringify(body)) / 1024;
  assert.ok(kb < 400, `a day of per-minute points is ${kb.toFixed(0)} KB of JSON`);
});

test('a week asked at the slice is capped at MAX_SERIES_POINTS, in whole slices', () => {
  const from = TO - 7 * DAY_MS;
  const r = rangeOf({ from: new Date(from).toISOString(), to: new Date(TO).toISOString() }, SLICE_MS);
  assert.equal(r.stepMs % SLICE_MS, 0);
  assert.ok((7 * DAY_MS) / r.stepMs <= MAX_SERIES_POINTS, `step ${r.stepMs} ms gives more than ${MAX_SERIES_POINTS} points`);
  assert.equal(r.stepMs, 210_000);
  assert.ok(seriesPoints(slices(from, TO), r.stepMs).length <= MAX_SERIES_POINTS);
});

test('an hour defaults to the slice; a step finer than the slice is rounded up to it', () => {
  const iso = (t: number): string => new Date(t).toISOString();
  assert.equal(rangeOf({ from: iso(TO - 3_600_000), to: iso(TO) }, SLICE_MS).stepMs, SLICE_MS);
  assert.equal(rangeOf({ from: iso(TO - 3_600_000), to: iso(TO), step: 1 }, SLICE_MS).stepMs, SLICE_MS);
  assert.equal(rangeOf({ from: iso(TO - 3_600_000), to: iso(TO), step: 25 }, SLICE_MS).stepMs, 30_000);
});
