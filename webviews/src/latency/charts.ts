/**
 * The latency dashboard's charts: each is a list of series over the shared time axis, with
 * optional limit lines (the SLA, the error-rate maximum) and the time marks (breaker transitions,
 * version changes) drawn as vertical lines by a small plugin. Charts decimate what they draw
 * (chart.js's min-max decimation), so 10^5 points stay smooth.
 */
import { type Chart, type ChartConfiguration, type Plugin } from 'chart.js';
import { type LatencyDashboard, type LatencySeries, type TimeMark } from '../../../schemas/src/dashboards';
import { timeLabel } from '../shared/dash';
import { type ChartTheme } from '../shared/theme';

type Key = Exclude<keyof LatencySeries, 't'>;

export interface ChartSpec {
  id: string;
  title: string;
  unit: string;
  series: { key: Key; label: string; scale?: number }[];
  /** Horizontal limit lines: label and value (null = none declared). */
  limits: { label: string; value: number | null }[];
}

export function chartSpecs(d: LatencyDashboard): ChartSpec[] {
  return [
    {
      id: 'latency',
      title: 'Latency (ms)',
      unit: 'ms',
      series: [
        { key: 'p50', label: 'p50' },
        { key: 'p95', label: 'p95' },
        { key: 'p99', label: 'p99' },
      ],
      limits: [{ label: 'SLA p95', value: d.sla_p95_ms }],
    },
    { id: 'errors', title: 'Error rate (%)', unit: '%', series: [{ key: 'error_rate', label: 'error rate', scale: 100 }], limits: [{ label: 'max', value: d.error_rate_max === null ? null : d.error_rate_max * 100 }] },
    { id: 'throughput', title: 'Throughput (requests/s)', unit: 'req/s', series: [{ key: 'throughput', label: 'requests/s' }], limits: [] },
    { id: 'inflight', title: 'In-flight requests (highest per step)', unit: '', series: [{ key: 'in_flight', label: 'in flight' }], limits: [] },
  ];
}

export type Point = { x: number; y: number | null };

export function points(s: LatencySeries, key: Key, scale = 1): Point[] {
  const ys = s[key] as (number | null)[];
  return s.t.map((x, i) => ({ x, y: ys[i] === null || ys[i] === undefined ? null : (ys[i] as number) * scale }));
}

/** Vertical dashed lines with a short label at each mark (read from the chart's options each draw). */
export const marksPlugin: Plugin<'line'> = {
  id: 'mlopsMarks',
  afterDatasetsDraw(chart) {
    const opts = (chart.options.plugins as { mlopsMarks?: { marks: TimeMark[]; color: string; breakerColor: string } }).mlopsMarks;
    const x = chart.scales['x'];
    if (!opts || !x) return;
    const g = chart.ctx;
    g.save();
    g.setLineDash([4, 3]);
    g.font = '10px sans-serif';
    for (const m of opts.marks) {
      const px = x.getPixelForValue(m.time);
      if (px < chart.chartArea.left || px > chart.chartArea.right) continue;
      g.strokeStyle = g.fillStyle = m.kind === 'breaker' ? opts.breakerColor : opts.color;
      g.beginPath();
      g.moveTo(px, chart.chartArea.top);
      g.lineTo(px, chart.chartArea.bottom);
      g.stroke();
      g.fillText(m.label, px + 3, chart.chartArea.top + 10);
    }
    g.restore();
  },
};

export function chartConfig(spec: ChartSpec, d: LatencyDashboard, theme: ChartTheme): ChartConfiguration<'line', Point[]> {
  const axis = { ticks: { color: theme.foreground }, grid: { color: theme.grid } };
  const first = d.series.t[0] ?? d.window.from;
  const last = d.series.t[d.series.t.length - 1] ?? d.window.to;
  const datasets: ChartConfiguration<'line', Point[]>['data']['datasets'] = spec.series.map((s, i) => ({
    label: s.label,
    data: points(d.series, s.key, s.scale),
    borderColor: theme.palette[i % theme.palette.length],
    backgroundColor: theme.palette[i % theme.palette.length],
    borderWidth: 1.5,
    pointRadius: d.series.t.length > 120 ? 0 : 2,
    spanGaps: false,
  }));
  for (const l of spec.limits) {
    if (l.value === null) continue;
    datasets.push({ label: `${l.label} ${l.value} ${spec.unit}`.trim(), data: [{ x: first, y: l.value }, { x: last, y: l.value }], borderColor: theme.palette[4], borderDash: [6, 4], pointRadius: 0, borderWidth: 1.5 });
  }
  return {
    type: 'line',
    data: { datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      parsing: false,
      normalized: true,
      indexAxis: 'x',
      scales: {
        x: { ...axis, type: 'linear', min: d.window.from, max: Math.max(d.window.to, last), ticks: { color: theme.foreground, maxTicksLimit: 8, callback: (v) => timeLabel(Number(v), d.window.to - d.window.from > 86_400_000) } },
        y: { ...axis, beginAtZero: true },
      },
      plugins: {
        legend: { labels: { color: theme.foreground } },
        decimation: { enabled: true, algorithm: 'min-max' },
        ...({ mlopsMarks: { marks: d.marks, color: theme.palette[3] as string, breakerColor: theme.palette[4] as string } } as object),
      },
    },
    plugins: [marksPlugin],
  };
}

/**
 * Applies a patch to a chart in place: points at or after `from` are replaced by the patch's,
 * limit lines stretched to the new end, marks added; then one redraw without animation.
 */
export function patchChart(chart: Chart<'line', Point[]>, spec: ChartSpec, patch: { from: number; series: LatencySeries; marks: TimeMark[] }): void {
  spec.series.forEach((s, i) => {
    const ds = chart.data.datasets[i];
    if (!ds) return;
    // chart.js's decimation keeps the original data under _data when it is active.
    const data = ((ds as unknown as { _data?: Point[] })._data ?? ds.data) as Point[];
    let keep = data.length;
    while (keep > 0 && (data[keep - 1] as Point).x >= patch.from) keep--;
    data.splice(keep, data.length - keep, ...points(patch.series, s.key, s.scale));
    ds.data = data;
  });
  const last = patch.series.t[patch.series.t.length - 1];
  if (last !== undefined) {
    for (const ds of chart.data.datasets.slice(spec.series.length)) {
      const end = ds.data[1];
      if (end) end.x = last;
    }
    const x = chart.options.scales?.['x'];
    if (x && typeof x.max === 'number' && last > x.max) x.max = last;
  }
  const opts = (chart.options.plugins as { mlopsMarks?: { marks: TimeMark[] } }).mlopsMarks;
  if (opts) opts.marks = [...opts.marks, ...patch.marks];
  chart.update('none');
}
