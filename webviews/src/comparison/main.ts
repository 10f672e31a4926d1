/**
 * Run Comparison webview: compared items, a params diff table, a final-metrics table and one chart per
 * metric (curves over steps for runs; bars when each item has a single value, as for model versions).
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
  BarController,
  BarElement,
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

Chart.register(LineController, LineElement, PointElement, BarController, BarElement, LinearScale, CategoryScale, Legend, Tooltip, Title);

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

function table(head: string[], rows: { cells: string[]; differs?: boolean }[]): HTMLElement {
  const t = el('vscode-table', { zebra: '', 'bordered-columns': '', 'resizable': '' });
  const header = el('vscode-table-header', { slot: 'header' });
  for (const h of head) header.append(el('vscode-table-header-cell', {}, h));
  const body = el('vscode-table-body', { slot: 'body' });
  for (const r of rows) {
    const row = el('vscode-table-row', r.differs ? { class: 'differs' } : {});
    for (const c of r.cells) row.append(el('vscode-table-cell', {}, c));
    body.append(row);
  }
  t.append(header, body);
  return t;
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

function chartConfig(data: ComparisonData, key: string, theme: ChartTheme): ChartConfiguration {
  const series = data.series.filter((s) => s.key === key);
  const single = series.every((s) => s.values.length <= 1);
  const color = (itemId: string) => theme.palette[Math.max(0, data.items.findIndex((i) => i.id === itemId)) % theme.palette.length] as string;
  const label = (itemId: string) => data.items.find((i) => i.id === itemId)?.label ?? itemId;
  const scales = {
    x: { ticks: { color: theme.foreground }, grid: { color: theme.grid } },
    y: { ticks: { color: theme.foreground }, grid: { color: theme.grid } },
  };
  const plugins = {
    title: { display: true, text: key, color: theme.foreground },
    legend: { display: !single, labels: { color: theme.foreground } },
  };
  if (single) {
    return {
      type: 'bar',
      data: {
        labels: series.map((s) => label(s.item)),
        datasets: [{ label: key, data: series.map((s) => s.values[0] ?? null), backgroundColor: series.map((s) => color(s.item)) }],
      },
      options: { responsive: true, maintainAspectRatio: false, animation: false, scales, plugins },
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
    options: { responsive: true, maintainAspectRatio: false, animation: false, parsing: false, scales: { ...scales, x: { ...scales.x, type: 'linear' } }, plugins },
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
  app.append(table(head, params.map((p) => ({ cells: [p.key, ...p.values.map(fmt)], differs: p.differs }))));
  app.append(el('h2', {}, 'Metrics'), table(head, data.metrics.map((m) => ({ cells: [m.key, ...m.values.map(fmt)] }))));

  const keys = [...new Set(data.series.map((s) => s.key))].slice(0, MAX_CHARTS);
  const grid = el('div', { class: 'charts', id: 'charts' });
  app.append(el('h2', {}, 'Metric curves'), grid);
  if (!keys.length) grid.append(el('p', { class: 'muted' }, 'No metrics were logged.'));
  for (const key of keys) {
    const box = el('div', { class: 'chart' });
    const canvas = el('canvas', { 'aria-label': `chart of ${key}`, 'data-metric': key });
    box.append(canvas);
    grid.append(box);
    charts.push(new Chart(canvas, chartConfig(data, key, theme)));
  }
  post({ type: 'rendered', charts: charts.length, rows: params.length + data.metrics.length });
}

function showError(message: string): void {
  const app = document.getElementById('app');
  app?.replaceChildren(el('h1', {}, 'Run Comparison'), el('p', { class: 'error' }, message));
}

onHostMessage((msg) => {
  if (msg.type === 'error') return showError(msg.message);
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
