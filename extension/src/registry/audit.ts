/**
 * The audit history of a model or version as a read-only markdown document: when (local time), who,
 * what, the change as "from → to", and the reason. No `vscode` import.
 */
import { type MlopsEvent } from '../../../schemas/src/api';
import { localTime } from '../shared/tree/item';
import { modelOfEvent } from './model';

const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {});
const ver = (v: unknown): string => (typeof v === 'number' ? `v${v}` : '—');
const str = (v: unknown): string => (typeof v === 'string' && v ? v : '—');

/** "None → Production", "v1 → v2", "— → v3": what the event changed. */
export function fromTo(ev: Pick<MlopsEvent, 'kind' | 'subject' | 'before' | 'after'>): string {
  const b = obj(ev.before);
  const a = obj(ev.after);
  switch (ev.kind) {
    case 'model.created':
      return '— → created';
    case 'model.version_registered':
      return `— → ${ver(a['version'])}`;
    case 'model.stage_changed': {
      const archived = Array.isArray(a['archived']) && a['archived'].length ? ` (archived ${a['archived'].map(ver).join(', ')})` : '';
      return `${str(b['stage'])} → ${str(a['stage'])}${archived}`;
    }
    case 'model.alias_set':
    case 'model.alias_removed':
      return `${ver(b['version'])} → ${ver(a['version'])}`;
    case 'model.rolled_back':
      return `Production ${ver(b['production'])} → ${ver(a['production'])}`;
    case 'model.version_removed':
      return `${str(b['stage'])} → removed`;
    default:
      return '';
  }
}

/** Whether an event of the model changed `version`: its own, or a rollback or promotion that moved or archived it. */
function touches(e: MlopsEvent, model: string, version: number): boolean {
  if (e.subject === `model:${model}/${version}`) return true;
  const b = obj(e.before);
  const a = obj(e.after);
  const archived = Array.isArray(a['archived']) && a['archived'].includes(version);
  return archived || (e.kind === 'model.rolled_back' && (b['production'] === version || a['production'] === version));
}

/** The events of `model` (or of one version, including rollbacks and promotions that archived it), oldest first. */
export function auditEvents(events: readonly MlopsEvent[], model: string, version?: number): MlopsEvent[] {
  return events.filter((e) => modelOfEvent(e) === model && (version === undefined || touches(e, model, version))).sort((a, b) => a.seq - b.seq);
}

const cell = (t: string): string => t.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

export function auditMarkdown(title: string, events: readonly MlopsEvent[], offsetMinutes?: number): string {
  const rows = events.map((e) =>
    [localTime(e.time, offsetMinutes), e.actor, e.kind.replace(/^model\./, ''), e.subject.replace(/^model:/, ''), fromTo(e), e.reason || '—'].map(cell),
  );
  const head = ['time', 'actor', 'event', 'subject', 'from → to', 'reason'];
  // Padded columns: the document reads as a table in the editor too, not only in a preview.
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [
    `# Audit history: ${title}`,
    '',
    events.length ? `${events.length} event${events.length === 1 ? '' : 's'}, oldest first. Read-only: the audit log is append-only.` : 'No events yet.',
    '',
    line(head),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(line),
    '',
  ].join('\n');
}
