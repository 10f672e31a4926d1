/**
 * Latency dashboard of one deployment: p50/p95/p99 with the SLA line, error rate, throughput,
 * in-flight requests, the circuit breaker's state with its transitions and model-version changes
 * marked on the time axis, and shadow agreement when a shadow runs. `init`/`update` draw it whole;
 * a `patch` (live traffic) appends to the charts and tables in place.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import { CategoryScale, Chart, Decimation, Legend, LinearScale, LineController, LineElement, PointElement, Title, Tooltip } from 'chart.js';
import { type LatencyDashboard, type LatencyPatch, type LatencySeries } from '../../../schemas/src/dashboards';
import { type LatencySource } from '../../../schemas/src/webview';
import { chartBox, exportCsv, fmt, numbersRow, numbersTable } from '../shared/dash';
import { el, onHostMessage, post, savedState, saveState } from '../shared/host';
import { chartTheme, onThemeChange } from '../shared/theme';
import { windowPicker } from '../shared/window-picker';
import { chartConfig, chartSpecs, patchChart, type ChartSpec, type Point } from './charts';

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Legend, Tooltip, Title, Decimation);

/** The numbers tables show the latest steps; Export CSV has them all. */
const TABLE_ROWS = 200;
const HEAD = ['Time', 'p50 ms', 'p95 ms', 'p99 ms', 'Error rate %', 'Requests/s', 'In flight'];

let current: { data: LatencyDashboard; source: LatencySource } | undefined;
let charts: { spec: ChartSpec; chart: Chart<'line', Point[]> }[] = [];

function row(s: LatencySeries, i: number): (string | number | null)[] {
  const er = s.error_rate[i];
  return [new Date(s.t[i] as number).toLocaleString(), s.p50[i] ?? null, s.p95[i] ?? null, s.p99[i] ?? null, er === null || er === undefined ? null : er * 100, s.throughput[i] ?? null, s.in_flight[i] ?? null];
}

function rowsOf(s: LatencySeries, from = 0): (string | number | null)[][] {
  return s.t.slice(from).map((_, k) => row(s, from + k));
}

function persist(): void {
  if (current) saveState({ kind: 'latency', source: current.source, data: current.data });
}

function statusText(d: LatencyDashboard): string {
  const n = d.series.t.length;
  // The newest step that had requests: a quiet step (a new minute just begun, traffic stopped)
  // has no p95, and "—" there would hide the figure the user opened the dashboard to see.
  let k = n - 1;
  while (k >= 0 && (d.series.p95[k] === null || d.series.p95[k] === undefined)) k--;
  const p95 = k >= 0 ? (d.series.p95[k] as number) : null;
  const when = k >= 0 && k < n - 1 ? ` at ${new Date(d.series.t[k] as number).toLocaleTimeString()}` : '';
  const sla = d.sla_p95_ms === null ? 'no SLA declared' : `SLA p95 ${d.sla_p95_ms} ms`;
  const over = p95 !== null && d.sla_p95_ms !== null && p95 > d.sla_p95_ms ? ' — over the SLA' : '';
  return `Circuit breaker: ${d.breaker.replace('_', '-')}. Latest p95 ${fmt(p95)} ms${when} (${sla})${over}. ${d.source_points} ${d.source_points === 1 ? 'step' : 'steps'} of ${Math.round(d.step_ms / 1000)} s${d.source_points > n ? `, drawn from ${n} decimated points` : ''}.`;
}

function render(): void {
  const app = document.getElementById('app');
  if (!app || !current) return;
  const { data, source } = current;
  for (const c of charts) c.chart.destroy();
  charts = [];
  const theme = chartTheme();
  const bar = el('div', { class: 'toolbar' });
  bar.append(windowPicker(source.window, (window) => post({ type: 'latencySource', source: { ...source, window } })));
  const csv = el('vscode-button', { id: 'export-csv' }, 'Export CSV');
  csv.addEventListener('click', () => current && exportCsv(`latency-${data.deployment}.csv`, HEAD, rowsOf(current.data.series)));
  bar.append(csv);
  const grid = el('div', { class: 'charts' });
  app.replaceChildren(el('h1', {}, data.title), bar, el('p', { id: 'status', role: 'status', class: data.breaker === 'closed' ? '' : 'verdict drifted' }, statusText(data)), grid);
  for (const spec of chartSpecs(data)) {
    const box = chartBox(spec.title, spec.id);
    grid.append(box.box);
    const chart = new Chart(box.canvas, chartConfig(spec, data, theme));
    box.canvas.dataset['points'] = String(data.series.t.length);
    const from = Math.max(0, data.series.t.length - TABLE_ROWS);
    const table = numbersTable(`${spec.title}: latest ${data.series.t.length - from} of ${data.series.t.length} steps`, HEAD, rowsOf(data.series, from), { 'data-table': spec.id });
    [...(table.tBodies[0]?.rows ?? [])].forEach((r, k) => tagged(r, data.series.t[from + k] as number));
    box.attach(chart, table);
    charts.push({ spec, chart });
  }
  if (data.shadow) grid.append(shadowBox(data.shadow));
  marksList(app, data);
  post({ type: 'rendered', charts: charts.length, rows: data.series.t.length });
}

/** The newest shadow comparison: a sentence and its numbers (the pair, agreement, score difference, counts, both p95s). */
function shadowBox(shadow: NonNullable<LatencyDashboard['shadow']>): HTMLElement {
  const box = el('section', { class: 'chart-box', id: 'shadow' });
  const pair = shadow.primary_version === null ? `shadow ${shadow.shadow}` : `v${shadow.primary_version} (primary) vs v${shadow.shadow_version} (shadow ${shadow.shadow})`;
  const said = shadow.compared === 0 ? `No request compared yet (${pair}).` : `${shadow.agreement === null ? '—' : `${fmt(shadow.agreement * 100, 3)} %`} of ${shadow.compared} compared answers agree: ${pair}.`;
  box.append(el('h3', {}, 'Shadow agreement'), el('p', { id: 'shadow-status' }, said));
  const rows: [string, number | null][] = [
    ['Agreement %', shadow.agreement === null ? null : shadow.agreement * 100],
    ['Mean abs score difference', shadow.mean_abs_score_diff],
    ['Compared', shadow.compared],
    ['Dropped (queue full)', shadow.dropped],
    ['Failed', shadow.failed],
    ['Primary p95 ms', shadow.primary_p95_ms],
    ['Shadow p95 ms', shadow.shadow_p95_ms],
  ];
  box.append(numbersTable('Shadow comparison', ['Measure', 'Value'], rows, { 'data-table': 'shadow' }));
  return box;
}

/** New shadow figures from a patch: the box is rebuilt in place (it is one sentence and a seven-row table). */
function showShadow(shadow: LatencyDashboard['shadow']): void {
  if (!current) return;
  current.data.shadow = shadow;
  const old = document.getElementById('shadow');
  if (!shadow) return old?.remove();
  const box = shadowBox(shadow);
  if (old) old.replaceWith(box);
  else document.querySelector('#app .charts')?.append(box);
}

function marksList(app: HTMLElement, d: LatencyDashboard): void {
  const list = el('ul', { id: 'marks' });
  for (const m of d.marks) list.append(el('li', {}, `${new Date(m.time).toLocaleString()}: ${m.label}`));
  const old = document.getElementById('marks-box');
  const box = el('section', { id: 'marks-box' });
  box.append(el('h2', {}, 'Breaker transitions and version changes'), d.marks.length ? list : el('p', { class: 'muted' }, 'None in this window.'));
  if (old) old.replaceWith(box);
  else app.append(box);
}

/** Live traffic: the new steps go into the stored series, each chart and each table; nothing is redrawn whole. */
function applyPatch(p: LatencyPatch): void {
  if (!current) return;
  const s = current.data.series;
  const before = s.t.length;
  let keep = s.t.length;
  while (keep > 0 && (s.t[keep - 1] as number) >= p.from) keep--;
  for (const k of Object.keys(s) as (keyof LatencySeries)[]) (s[k] as (number | null)[]).splice(keep, Infinity, ...(p.series[k] as (number | null)[]));
  current.data.source_points += s.t.length - before;
  current.data.marks.push(...p.marks);
  if (p.breaker) current.data.breaker = p.breaker;
  for (const c of charts) {
    patchChart(c.chart, c.spec, p);
    c.chart.canvas.dataset['points'] = String(s.t.length);
    const body = document.querySelector<HTMLTableSectionElement>(`table[data-table="${c.spec.id}"] tbody`);
    if (!body) continue;
    // Rows for replaced steps go; new rows are appended; the table keeps its last TABLE_ROWS.
    const replaced = [...body.rows].filter((r) => Number(r.dataset['t']) >= p.from);
    for (const r of replaced) r.remove();
    for (let i = keep; i < s.t.length; i++) body.append(tagged(numbersRow(row(s, i)), s.t[i] as number));
    while (body.rows.length > TABLE_ROWS) body.rows[0]?.remove();
  }
  const status = document.getElementById('status');
  if (status) status.textContent = statusText(current.data);
  const app = document.getElementById('app');
  if (app && p.marks.length) marksList(app, current.data);
  if (p.shadow !== undefined) showShadow(p.shadow);
  persist();
  // How many patches this page applied: read by the e2e suite (a patch never re-renders the page).
  document.body.dataset['patches'] = String(Number(document.body.dataset['patches'] ?? 0) + 1);
  post({ type: 'rendered', charts: charts.length, rows: s.t.length });
}

function tagged(tr: HTMLTableRowElement, t: number): HTMLTableRowElement {
  tr.dataset['t'] = String(t);
  return tr;
}

function showError(message: string): void {
  const app = document.getElementById('app');
  app?.querySelector('.error')?.remove();
  const box = el('p', { class: 'error', role: 'alert' }, message);
  if (app?.firstChild && current) app.insertBefore(box, app.children[1] ?? null);
  else app?.replaceChildren(el('h1', {}, 'Latency'), box);
}

export function startLatency(): void {
  onHostMessage((msg) => {
    if (msg.type === 'error') return showError(msg.message);
    if (msg.type === 'patch') return applyPatch(msg.patch);
    if ((msg.type !== 'init' && msg.type !== 'update') || msg.kind !== 'latency') return;
    current = { data: msg.data, source: msg.source };
    persist();
    render();
  });
  onThemeChange(render);
  const saved = savedState();
  if (saved?.kind === 'latency' && saved.data) {
    current = { data: saved.data, source: saved.source };
    render();
  }
  post({ type: 'ready', kind: 'latency' });
}
