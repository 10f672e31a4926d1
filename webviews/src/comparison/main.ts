/**
 * Run Comparison webview: compared items, a params table with differing rows highlighted, final
 * metrics with deltas against the first item and the better item marked, and one chart per metric:
 * its curve against step when it was logged at several steps, else the final values as points on a
 * scale fitted to them (bars from zero would make 0.791 and 0.767 look the same).
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-table/index.js';
import '@vscode-elements/elements/dist/vscode-table-header/index.js';
import '@vscode-elements/elements/dist/vscode-table-header-cell/index.js';
import '@vscode-elements/elements/dist/vscode-table-body/index.js';
import '@vscode-elements/elements/dist/vscode-table-row/index.js';
import '@vscode-elements/elements/dist/vscode-table-cell/index.js';
import {
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Title,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import { type ComparisonData, type ComparisonSource } from '../../../schemas/src/webview';
import { el, onHostMessage, post, savedState, saveState } from '../shared/host';
import { chartTheme, onThemeChange, type ChartTheme } from '../shared/theme';

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Legend, Tooltip, Title);

const MAX_CHARTS = 12;
let current: { data: ComparisonData; source: ComparisonSource } | undefined;
let onlyDiffering = false;
let charts: Chart[] = [];

function fmt(v: unknown): string {
  if (v === undefined) return '—';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toPrecision(6).replace(/0+$/, '').replace(/\.$/, '');
  if (v === null) return 'null';
  return String(v);
}

interface Row {
  cells: string[];
  /** Row class: 'differs' highlights a parameter whose values differ. */
  className?: string;
  /** Indexes of cells marked best (class 'best'). */
  best?: number[];
}

function table(head: string[], rows: Row[]): HTMLElement {
  const t = el('vscode-table', { 'bordered-columns': '', resizable: '' });
  const header = el('vscode-table-header', { slot: 'header' });
  for (const h of head) header.append(el('vscode-table-header-cell', {}, h));
  const body = el('vscode-table-body', { slot: 'body' });
  for (const r of rows) {
    const row = el('vscode-table-row', r.className ? { class: r.className } : {});
    r.cells.forEach((c, i) => row.append(el('vscode-table-cell', r.best?.includes(i) ? { class: 'best' } : {}, c)));
    body.append(row);
  }
  t.append(header, body);
  return t;
}

function signed(v: number): string {
  const text = fmt(Math.abs(v));
  return v > 0 ? `+${text}` : v < 0 ? `−${text}` : '±0';
}

/** One metric row: direction in the name cell, value (Δ vs the first item) per item, ★ on the best. */
function metricRow(m: ComparisonData['metrics'][number]): Row {
  const arrow = m.direction === 'higher' ? ' ↑' : m.direction === 'lower' ? ' ↓' : '';
  const cells = m.values.map((v, i) => {
    if (v === null) return '—';
    const delta = m.deltas[i];
    const star = m.best.includes(i) ? '★ ' : '';
    return `${star}${fmt(v)}${delta === null || delta === undefined ? '' : ` (${signed(delta)})`}`;
  });
  return { cells: [`${m.key}${arrow}`, ...cells], best: m.best.map((i) => i + 1) };
}

function itemsBar(data: ComparisonData, theme: ChartTheme): HTMLElement {
  const box = el('div', { class: 'items' });
  data.items.forEach((item, i) => {
    const chip = el('div', { class: 'item' });
    const swatch = el('span', { class: 'swatch' });
    swatch.style.background = theme.palette[i % theme.palette.length] as string;
    chip.append(swatch, el('strong', {}, item.label), el('span', { class: 'muted' }, ` ${item.detail}`));
    const runId = item.run_id;
    if (runId) {
      const btn = el('vscode-button', { secondary: '' }, 'Reveal run');
      btn.addEventListener('click', () => post({ type: 'revealRun', run_id: runId }));
      chip.append(el('span', {}, ' '), btn);
    }
    box.append(chip);
  });
  return box;
}

/** A scale fitted to the values with some room, so small differences show. */
function fittedRange(values: number[]): { min: number; max: number } | undefined {
  if (!values.length) return undefined;
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const pad = hi > lo ? (hi - lo) * 0.25 : Math.abs(hi) * 0.05 || 1;
  return { min: lo - pad, max: hi + pad };
}

function chartConfig(data: ComparisonData, key: string, theme: ChartTheme): ChartConfiguration {
  const series = data.series.filter((s) => s.key === key);
  const curve = series.some((s) => s.values.length > 1);
  const color = (itemId: string) => theme.palette[Math.max(0, data.items.findIndex((i) => i.id === itemId)) % theme.palette.length] as string;
  const label = (itemId: string) => data.items.find((i) => i.id === itemId)?.label ?? itemId;
  const axis = { ticks: { color: theme.foreground }, grid: { color: theme.grid } };
  const direction = data.metrics.find((m) => m.key === key)?.direction;
  const title = `${key}${direction === 'higher' ? ' (higher is better)' : direction === 'lower' ? ' (lower is better)' : ''}`;
  const plugins = { title: { display: true, text: title, color: theme.foreground }, legend: { display: curve, labels: { color: theme.foreground } } };
  if (!curve) {
    // Final values only: one point per item on a scale fitted to them.
    const finals = series.map((s) => s.values[s.values.length - 1] ?? null);
    return {
      type: 'line',
      data: {
        labels: series.map((s) => label(s.item)),
        datasets: [{ label: key, data: finals, showLine: false, pointRadius: 7, pointHoverRadius: 9, pointBackgroundColor: series.map((s) => color(s.item)), pointBorderColor: series.map((s) => color(s.item)) }],
      },
      options: { responsive: true, maintainAspectRatio: false, animation: false, scales: { x: { ...axis, offset: true }, y: { ...axis, ...fittedRange(finals.filter((v): v is number => v !== null)) } }, plugins },
    };
  }
  return {
    type: 'line',
    data: {
      datasets: series.map((s) => ({
        label: label(s.item),
        data: s.steps.map((x, i) => ({ x, y: s.values[i] ?? null })),
        borderColor: color(s.item),
        backgroundColor: color(s.item),
        pointRadius: s.steps.length > 50 ? 0 : 2,
        spanGaps: true,
      })),
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      parsing: false,
      scales: { x: { ...axis, type: 'linear', title: { display: true, text: 'step', color: theme.foreground } }, y: { ...axis, beginAtZero: false } },
      plugins,
    },
  };
}

function render(): void {
  const app = document.getElementById('app');
  if (!app || !current) return;
  const { data } = current;
  const theme = chartTheme();
  for (const c of charts) c.destroy();
  charts = [];
  app.replaceChildren();
  app.append(el('h1', {}, data.title), itemsBar(data, theme));

  const toggle = el('vscode-checkbox', onlyDiffering ? { checked: '' } : {}, 'Only parameters that differ');
  toggle.addEventListener('change', () => {
    onlyDiffering = !onlyDiffering;
    render();
  });
  const params = data.params.filter((p) => !onlyDiffering || p.differs);
  app.append(el('h2', {}, `Parameters (${data.params.filter((p) => p.differs).length} differ)`), el('div', { class: 'toolbar' }), toggle);
  const head = ['', ...data.items.map((i) => i.label)];
  app.append(table(head, params.map((p) => ({ cells: [p.differs ? `≠ ${p.key}` : p.key, ...p.values.map(fmt)], ...(p.differs ? { className: 'differs' } : {}) }))));
  const base = data.items[0]?.label ?? '';
  app.append(
    el('h2', {}, 'Final metrics'),
    el('p', { class: 'muted' }, `Δ against ${base}; ★ marks the better value where the metric says which way is better (↑ higher, ↓ lower).`),
    table(head, data.metrics.map(metricRow)),
  );

  // Curves first: a metric logged at several steps says the most.
  const multi = (k: string) => data.series.some((s) => s.key === k && s.values.length > 1);
  const keys = [...new Set(data.series.map((s) => s.key))].sort((a, b) => Number(multi(b)) - Number(multi(a))).slice(0, MAX_CHARTS);
  const grid = el('div', { class: 'charts', id: 'charts' });
  app.append(el('h2', {}, 'Metrics'), grid);
  if (!keys.length) grid.append(el('p', { class: 'muted' }, 'No metrics were logged.'));
  for (const key of keys) {
    const box = el('div', { class: 'chart' });
    const canvas = el('canvas', { 'aria-label': `chart of ${key}`, 'data-metric': key });
    box.append(canvas);
    grid.append(box);
    const chart = new Chart(canvas, chartConfig(data, key, theme));
    // What is drawn, for the e2e suite: a curve or final values, and where the value axis starts.
    canvas.dataset['kind'] = multi(key) ? 'curve' : 'finals';
    canvas.dataset['yMin'] = String(chart.scales['y']?.min ?? '');
    charts.push(chart);
  }
  post({ type: 'rendered', charts: charts.length, rows: params.length + data.metrics.length });
}

function showError(message: string): void {
  const app = document.getElementById('app');
  app?.replaceChildren(el('h1', {}, 'Run Comparison'), el('p', { class: 'error' }, message));
}

onHostMessage((msg) => {
  if (msg.type === 'error') return showError(msg.message);
  if (msg.type === 'pipeline') return;
  current = { data: msg.data, source: msg.source };
  saveState({ kind: 'comparison', source: msg.source, data: msg.data });
  render();
});
onThemeChange(render);

// A restored panel shows its last data at once; the host's answer to `ready` then refreshes it.
const saved = savedState();
if (saved?.data) {
  current = { data: saved.data, source: saved.source };
  render();
}
post({ type: 'ready', kind: 'comparison' });
