/**
 * Drift dashboard: the dataset-level verdict on top, a sortable and filterable table of features,
 * and for the selected feature its reference and current distributions overlaid (shared bins, or
 * one bar pair per category) and, for deployments, its drift score over time with the threshold.
 * Pickers: the reference version (datasets) or the window (deployments). Every chart has its
 * numbers in a table below it.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Title, Tooltip } from 'chart.js';
import { type DriftDashboard, type DriftFeatureRow } from '../../../schemas/src/dashboards';
import { type DriftSource, type WebviewState } from '../../../schemas/src/webview';
import { chartBox, exportCsv, fmt, numbersTable } from '../shared/dash';
import { el, onHostMessage, post, savedState, saveState } from '../shared/host';
import { chartTheme, onThemeChange } from '../shared/theme';
import { distributionConfig, distributionRows, historyConfig, historyRows } from './charts';
import { windowPicker } from '../shared/window-picker';

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, LinearScale, CategoryScale, Legend, Tooltip, Title);

type View = NonNullable<Extract<WebviewState, { kind: 'drift' }>['view']>;
let current: { data: DriftDashboard; source: DriftSource } | undefined;
let view: View = { sort: 'drifted', descending: true, filter: '', selected: null };
let charts: Chart[] = [];

const COLUMNS: { key: string; label: string; value(r: DriftFeatureRow): string | number | boolean | null }[] = [
  { key: 'feature', label: 'Feature', value: (r) => r.feature },
  { key: 'type', label: 'Type', value: (r) => r.type },
  { key: 'test', label: 'Test (why)', value: (r) => (r.test ? `${r.test} — ${r.reason}` : `— (${r.note ?? 'not tested'})`) },
  { key: 'statistic', label: 'Statistic', value: (r) => r.statistic },
  { key: 'score', label: 'p-value / distance', value: (r) => r.p_value ?? r.distance },
  { key: 'threshold', label: 'Threshold', value: (r) => r.threshold },
  { key: 'drifted', label: 'Drifted', value: (r) => r.drifted },
  { key: 'missing', label: 'Missing', value: (r) => r.missing },
  { key: 'out_of_range', label: 'Out of range', value: (r) => r.out_of_range },
];

function cellText(v: string | number | boolean | null): string {
  if (typeof v === 'boolean') return v ? 'DRIFT' : 'no';
  return typeof v === 'number' || v === null ? fmt(v) : v;
}

function persist(): void {
  if (current) saveState({ kind: 'drift', source: current.source, data: current.data, view });
}

function verdictText(d: DriftDashboard): string {
  const v = d.verdict;
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  return (
    `${v.drifted_features} of ${v.tested_features} tested features drifted (${pct(v.share)}). ` +
    `Dataset drift when at least ${pct(v.share_threshold)} of tested features drift: ${v.drifted ? 'YES' : 'no'}. ` +
    `Multiple-testing correction: ${v.correction === 'none' ? 'none' : v.correction}.`
  );
}

function sortedRows(d: DriftDashboard): DriftFeatureRow[] {
  const col = COLUMNS.find((c) => c.key === view.sort) ?? (COLUMNS[0] as (typeof COLUMNS)[number]);
  const f = view.filter.trim().toLowerCase();
  const rows = d.features.filter((r) => !f || r.feature.toLowerCase().includes(f) || (f === 'drifted' && r.drifted));
  const key = (r: DriftFeatureRow): number | string => {
    const v = col.value(r);
    return typeof v === 'boolean' ? Number(v) : v === null ? -Infinity : v;
  };
  rows.sort((a, b) => {
    const x = key(a);
    const y = key(b);
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return (view.descending ? -c : c) || a.feature.localeCompare(b.feature);
  });
  return rows;
}

/** The features table: header buttons sort (aria-sort says how), rows select with click, Enter or Space. */
function featuresTable(d: DriftDashboard): HTMLTableElement {
  const t = el('table', { class: 'features', id: 'features', 'aria-label': 'Features' });
  const hr = el('tr');
  for (const c of COLUMNS) {
    const th = el('th', { scope: 'col', 'aria-sort': view.sort === c.key ? (view.descending ? 'descending' : 'ascending') : 'none' });
    const b = el('button', { class: 'sort', 'data-key': c.key }, `${c.label}${view.sort === c.key ? (view.descending ? ' ▼' : ' ▲') : ''}`);
    b.addEventListener('click', () => {
      view = { ...view, descending: view.sort === c.key ? !view.descending : c.key !== 'feature', sort: c.key };
      persist();
      renderTable();
    });
    th.append(b);
    hr.append(th);
  }
  t.append(el('thead'), el('tbody'));
  t.tHead?.append(hr);
  for (const r of sortedRows(d)) {
    const selected = view.selected === r.feature;
    const tr = el('tr', { tabindex: '0', 'data-feature': r.feature, 'aria-selected': String(selected), class: `${r.drifted ? 'drifted' : ''}${selected ? ' selected' : ''}` });
    for (const c of COLUMNS) tr.append(el('td', {}, cellText(c.value(r))));
    const choose = () => select(r.feature);
    tr.addEventListener('click', choose);
    tr.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        choose();
      } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        ((e.key === 'ArrowDown' ? tr.nextElementSibling : tr.previousElementSibling) as HTMLElement | null)?.focus();
      }
    });
    t.tBodies[0]?.append(tr);
  }
  return t;
}

function renderTable(): void {
  const old = document.getElementById('features');
  if (!current || !old) return;
  old.replaceWith(featuresTable(current.data));
  (document.querySelector(`tr[data-feature="${CSS.escape(view.selected ?? '')}"]`) as HTMLElement | null)?.focus();
}

function select(feature: string): void {
  view = { ...view, selected: feature };
  persist();
  for (const tr of document.querySelectorAll<HTMLElement>('#features tbody tr')) {
    const on = tr.dataset['feature'] === feature;
    tr.setAttribute('aria-selected', String(on));
    tr.classList.toggle('selected', on);
  }
  // A deployment's distribution and score history are read per feature: the host answers `update`.
  if (current?.source.type === 'deployment' && !current.data.history.some((x) => x.feature === feature)) {
    post({ type: 'driftSource', source: { ...current.source, feature } });
  }
  renderDetail();
}

function renderDetail(): void {
  const box = document.getElementById('detail');
  if (!box || !current) return;
  for (const c of charts) c.destroy();
  charts = [];
  box.replaceChildren();
  const d = current.data;
  const feature = view.selected ?? d.features.find((f) => f.drifted)?.feature ?? d.features[0]?.feature;
  if (!feature) return void box.append(el('p', { class: 'muted' }, 'No feature to show.'));
  const theme = chartTheme();
  box.append(el('h2', {}, `Feature “${feature}”`));
  const grid = el('div', { class: 'charts' });
  box.append(grid);
  const dist = d.distributions.find((x) => x.feature === feature);
  if (dist) {
    const c = chartBox(`${feature}: reference vs current`, 'distribution');
    grid.append(c.box);
    const chart = new Chart(c.canvas, distributionConfig(dist, theme));
    const rows = distributionRows(dist);
    c.canvas.dataset['reference'] = JSON.stringify(dist.reference);
    c.canvas.dataset['current'] = JSON.stringify(dist.current);
    c.attach(chart, numbersTable(`${feature}: counts per ${dist.kind === 'histogram' ? 'bin' : 'category'}`, rows.head, rows.rows, { 'data-table': 'distribution' }));
    charts.push(chart);
  } else grid.append(el('p', { class: 'muted' }, 'Loading the distribution…'));
  const hist = d.history.find((h) => h.feature === feature);
  if (hist) {
    const c = chartBox(`${feature}: drift score over time`, 'history');
    grid.append(c.box);
    const chart = new Chart(c.canvas, historyConfig(hist, theme));
    c.canvas.dataset['points'] = String(hist.times.length);
    const rows = historyRows(hist);
    c.attach(chart, numbersTable(`${feature}: score per window`, rows.head, rows.rows, { 'data-table': 'history' }));
    charts.push(chart);
  }
  post({ type: 'rendered', charts: charts.length, rows: d.features.length });
}

function pickers(d: DriftDashboard, source: DriftSource): HTMLElement {
  const bar = el('div', { class: 'toolbar' });
  if (source.type === 'dataset') {
    const label = el('label', { for: 'reference' }, 'Reference version');
    const sel = el('vscode-single-select', { id: 'reference', 'aria-label': 'Reference version' });
    const now = d.subject.kind === 'dataset' ? `${d.subject.reference.dataset}@${d.subject.reference.version}` : '';
    for (const r of d.references) sel.append(el('vscode-option', r === now ? { value: r, selected: '' } : { value: r }, r));
    sel.addEventListener('change', () => post({ type: 'driftSource', source: { ...source, reference: (sel as unknown as { value: string }).value } }));
    bar.append(label, sel);
  } else {
    bar.append(windowPicker(source.window, (window) => post({ type: 'driftSource', source: { ...source, window } })));
  }
  const csv = el('vscode-button', { id: 'export-csv' }, 'Export CSV');
  csv.addEventListener('click', () =>
    exportCsv(`drift-${d.title.replace(/[^\w.-]+/g, '-')}.csv`, ['Feature', 'Type', 'Test', 'Why', 'Statistic', 'p-value', 'Distance', 'Threshold', 'Drifted', 'Missing', 'Out of range'],
      d.features.map((r) => [r.feature, r.type, r.test, r.reason, r.statistic, r.p_value, r.distance, r.threshold, String(r.drifted), r.missing, r.out_of_range]),
    ),
  );
  bar.append(csv);
  return bar;
}

function render(): void {
  const app = document.getElementById('app');
  if (!app || !current) return;
  const { data, source } = current;
  const filter = el('vscode-textfield', { id: 'filter', placeholder: 'Filter features (name, or "drifted")', 'aria-label': 'Filter features', value: view.filter });
  filter.addEventListener('input', () => {
    view = { ...view, filter: (filter as unknown as { value: string }).value };
    persist();
    renderTable();
  });
  const verdict = el('p', { id: 'verdict', role: 'status', class: data.verdict.drifted ? 'verdict drifted' : 'verdict' }, verdictText(data));
  const rows = el('p', { class: 'muted' }, `Reference ${fmt(data.reference_rows)} rows, current ${fmt(data.current_rows)} rows; updated ${new Date(data.generated_at).toLocaleTimeString()}.`);
  app.replaceChildren(el('h1', {}, data.title), pickers(data, source), verdict, rows, el('h2', {}, 'Features'), filter, featuresTable(data), el('section', { id: 'detail' }));
  renderDetail();
}

function showError(message: string): void {
  const app = document.getElementById('app');
  const box = el('p', { class: 'error', role: 'alert' }, message);
  if (app?.querySelector('#verdict')) app.querySelector('.error')?.remove();
  if (app?.querySelector('#verdict')) app.insertBefore(box, app.querySelector('#verdict'));
  else app?.replaceChildren(el('h1', {}, 'Drift'), box);
}

export function startDrift(): void {
  onHostMessage((msg) => {
    if (msg.type === 'error') return showError(msg.message);
    if ((msg.type !== 'init' && msg.type !== 'update') || msg.kind !== 'drift') return;
    if (view.selected && !msg.data.features.some((f) => f.feature === view.selected)) view = { ...view, selected: null };
    current = { data: msg.data, source: msg.source };
    persist();
    render();
  });
  onThemeChange(() => renderDetail());
  const saved = savedState();
  if (saved?.kind === 'drift') {
    if (saved.view) view = saved.view;
    if (saved.data) {
      current = { data: saved.data, source: saved.source };
      render();
    }
  }
  post({ type: 'ready', kind: 'drift' });
}
