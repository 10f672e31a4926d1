/**
 * Pieces both dashboards use: a number format, the numbers table every chart is paired with (its
 * text alternative), "Export CSV" and "Save PNG" (the host asks where to save: a webview cannot
 * write files), a chart box with its own Save PNG button, and time labels.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import { type Chart } from 'chart.js';
import { el, post } from './host';

export function fmt(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  if (Number.isInteger(v)) return String(v);
  if (v !== 0 && Math.abs(v) < 1e-3) return v.toExponential(2);
  return v.toPrecision(digits).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}

/** A plain table of numbers with a caption: what a screen reader reads instead of the chart. */
export function numbersTable(caption: string, head: string[], rows: (string | number | null)[][], attrs: Record<string, string> = {}): HTMLTableElement {
  const t = el('table', { class: 'numbers', ...attrs });
  t.append(el('caption', {}, caption));
  const hr = el('tr');
  for (const h of head) hr.append(el('th', { scope: 'col' }, h));
  t.append(el('thead'), el('tbody'));
  t.tHead?.append(hr);
  const body = t.tBodies[0] as HTMLTableSectionElement;
  for (const r of rows) body.append(numbersRow(r));
  return t;
}

export function numbersRow(r: (string | number | null)[]): HTMLTableRowElement {
  const tr = el('tr');
  for (const c of r) tr.append(el('td', {}, typeof c === 'number' || c === null ? fmt(c) : c));
  return tr;
}

function csvCell(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(head: string[], rows: (string | number | null)[][]): string {
  return [head, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

export function exportCsv(filename: string, head: string[], rows: (string | number | null)[][]): void {
  post({ type: 'export', format: 'csv', filename, content: toCsv(head, rows) });
}

/** The chart as drawn, on the editor's background (a transparent PNG is unreadable in other apps). */
export function savePng(filename: string, chart: Chart): void {
  const src = chart.canvas;
  const out = document.createElement('canvas');
  out.width = src.width;
  out.height = src.height;
  const g = out.getContext('2d');
  if (!g) return;
  g.fillStyle = getComputedStyle(document.body).getPropertyValue('--vscode-editor-background').trim() || '#ffffff';
  g.fillRect(0, 0, out.width, out.height);
  g.drawImage(src, 0, 0);
  post({ type: 'export', format: 'png', filename, content: out.toDataURL('image/png') });
}

/** A file-name-safe form of a label. */
export function slug(s: string): string {
  return s.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'chart';
}

/** A chart box: title, canvas, a Save PNG button (once the chart exists), and below it the numbers. */
export function chartBox(title: string, id: string): { box: HTMLElement; canvas: HTMLCanvasElement; attach(chart: Chart, table: HTMLElement): void } {
  const box = el('section', { class: 'chart-box', 'aria-label': title });
  const head = el('div', { class: 'chart-head' });
  head.append(el('h3', {}, title));
  const frame = el('div', { class: 'chart' });
  const canvas = el('canvas', { role: 'img', 'aria-label': `${title}; the numbers are in the table below`, 'data-chart': id });
  frame.append(canvas);
  box.append(head, frame);
  return {
    box,
    canvas,
    attach(chart, table) {
      const btn = el('vscode-button', { secondary: '', 'aria-label': `Save ${title} as PNG` }, 'Save PNG');
      btn.addEventListener('click', () => savePng(`${slug(title)}.png`, chart));
      head.append(btn);
      const details = el('details', { class: 'numbers-box' });
      details.append(el('summary', {}, `Numbers of “${title}”`), table);
      box.append(details);
    },
  };
}

/** Local time of day (with the date when the range spans days). */
export function timeLabel(ms: number, withDate: boolean): string {
  const d = new Date(ms);
  const hm = `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  return withDate ? `${d.getMonth() + 1}/${d.getDate()} ${hm}` : hm;
}
