/** Chart configurations and their number tables for the drift dashboard. */
import { type ChartConfiguration } from 'chart.js';
import { type Distribution, type ScoreHistory } from '../../../schemas/src/dashboards';
import { fmt, timeLabel } from '../shared/dash';
import { alpha, type ChartTheme } from '../shared/theme';

const share = (counts: number[]): number[] => {
  const n = counts.reduce((s, x) => s + x, 0);
  return counts.map((c) => (n ? (100 * c) / n : 0));
};

function labels(d: Distribution): string[] {
  if (d.kind === 'bars') return d.categories;
  return d.reference.map((_, i) => `${fmt(d.edges[i], 3)} – ${fmt(d.edges[i + 1], 3)}`);
}

/** Overlaid shares (percent of each sample) so samples of different sizes compare; bins shared. */
export function distributionConfig(d: Distribution, theme: ChartTheme): ChartConfiguration<'bar'> {
  const axis = { ticks: { color: theme.foreground }, grid: { color: theme.grid } };
  const [refColor, curColor] = [theme.palette[0] as string, theme.palette[1] as string];
  const histogram = d.kind === 'histogram';
  return {
    type: 'bar',
    data: {
      labels: labels(d),
      datasets: [
        { label: 'reference', data: share(d.reference), backgroundColor: alpha(refColor, 0.6), borderColor: refColor, borderWidth: 1, ...(histogram ? { grouped: false } : {}) },
        { label: 'current', data: share(d.current), backgroundColor: alpha(curColor, 0.5), borderColor: curColor, borderWidth: 1, ...(histogram ? { grouped: false } : {}) },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      // Histograms: bars of one bin touch, both samples drawn over each other (overlaid); categories: grouped bars.
      ...(histogram ? { barPercentage: 1, categoryPercentage: 1 } : {}),
      scales: { x: { ...axis }, y: { ...axis, beginAtZero: true, title: { display: true, text: '% of sample', color: theme.foreground } } },
      plugins: { legend: { labels: { color: theme.foreground } } },
    },
  };
}

export function distributionRows(d: Distribution): { head: string[]; rows: (string | number)[][] } {
  const ls = labels(d);
  const rs = share(d.reference);
  const cs = share(d.current);
  return {
    head: [d.kind === 'histogram' ? 'Bin' : 'Category', 'Reference', 'Reference %', 'Current', 'Current %'],
    rows: ls.map((l, i) => [l, d.reference[i] ?? 0, fmt(rs[i], 3), d.current[i] ?? 0, fmt(cs[i], 3)]),
  };
}

export function historyConfig(h: ScoreHistory, theme: ChartTheme): ChartConfiguration<'line'> {
  const axis = { ticks: { color: theme.foreground }, grid: { color: theme.grid } };
  const span = (h.times[h.times.length - 1] ?? 0) - (h.times[0] ?? 0);
  const points = h.times.map((x, i) => ({ x, y: h.scores[i] ?? null }));
  const first = h.times[0] ?? 0;
  const last = h.times[h.times.length - 1] ?? first;
  const datasets: ChartConfiguration<'line'>['data']['datasets'] = [
    { label: h.measure === 'p_value' ? 'p-value' : 'distance', data: points, borderColor: theme.palette[0], backgroundColor: theme.palette[0], pointRadius: h.times.length > 60 ? 0 : 2, spanGaps: true },
  ];
  if (h.threshold !== null) {
    datasets.push({ label: `threshold ${fmt(h.threshold)}`, data: [{ x: first, y: h.threshold }, { x: last, y: h.threshold }], borderColor: theme.palette[4], borderDash: [6, 4], pointRadius: 0 });
  }
  return {
    type: 'line',
    data: { datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      parsing: false,
      scales: {
        x: { ...axis, type: 'linear', ticks: { color: theme.foreground, callback: (v) => timeLabel(Number(v), span > 86_400_000) } },
        y: { ...axis, beginAtZero: true, title: { display: true, text: h.measure === 'p_value' ? 'p-value (drift below the threshold)' : 'distance (drift at or above the threshold)', color: theme.foreground } },
      },
      plugins: { legend: { labels: { color: theme.foreground } } },
    },
  };
}

export function historyRows(h: ScoreHistory): { head: string[]; rows: (string | number | null)[][] } {
  return {
    head: ['Window end', h.measure === 'p_value' ? 'p-value' : 'Distance', 'Threshold'],
    rows: h.times.map((t, i) => [new Date(t).toLocaleString(), h.scores[i] ?? null, h.threshold]),
  };
}
