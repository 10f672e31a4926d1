/** The window picker of the deployment dashboards: last hour, day, week, or a custom range (local times). */
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import { type WindowChoice } from '../../../schemas/src/dashboards';
import { el } from './host';

const LABELS: Record<WindowChoice['kind'], string> = { hour: 'Last hour', day: 'Last day', week: 'Last week', custom: 'Custom…' };
const SPAN = { hour: 3_600_000, day: 86_400_000, week: 604_800_000 } as const;

/** "2026-12-03T14:05" in local time, as datetime-local inputs take it. */
function localInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

export function windowPicker(current: WindowChoice, onPick: (w: WindowChoice) => void): HTMLElement {
  const box = el('div', { class: 'window-picker', role: 'group', 'aria-label': 'Window' });
  const sel = el('vscode-single-select', { id: 'window', 'aria-label': 'Window' });
  for (const k of Object.keys(LABELS) as WindowChoice['kind'][]) sel.append(el('vscode-option', k === current.kind ? { value: k, selected: '' } : { value: k }, LABELS[k]));
  const from = el('input', { type: 'datetime-local', id: 'window-from', 'aria-label': 'From', value: localInput(current.from) });
  const to = el('input', { type: 'datetime-local', id: 'window-to', 'aria-label': 'To', value: localInput(current.to) });
  const apply = el('vscode-button', { id: 'window-apply', secondary: '' }, 'Apply');
  const custom = el('span', { class: 'custom-range' });
  custom.append(from, el('span', {}, ' – '), to, apply);
  custom.hidden = current.kind !== 'custom';
  sel.addEventListener('change', () => {
    const kind = (sel as unknown as { value: WindowChoice['kind'] }).value;
    custom.hidden = kind !== 'custom';
    if (kind !== 'custom') {
      const now = Date.now();
      onPick({ kind, from: now - SPAN[kind], to: now });
    }
  });
  apply.addEventListener('click', () => {
    const f = new Date(from.value).getTime();
    const t = new Date(to.value).getTime();
    if (!(f < t)) {
      apply.setAttribute('aria-invalid', 'true');
      return;
    }
    onPick({ kind: 'custom', from: f, to: t });
  });
  box.append(el('label', { for: 'window' }, 'Window'), sel, custom);
  return box;
}
