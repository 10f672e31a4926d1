/**
 * How a tree row looks, as plain data (the vscode adapter in ./tree.ts maps it 1:1 onto a
 * TreeItem), and the formatting every view shares: ages, local times, counts, sizes, metrics.
 * No `vscode` import, so views' shaping is unit-tested under node.
 */

export interface ItemView {
  id: string;
  label: string;
  description: string;
  /** Markdown. */
  tooltip: string;
  icon: string;
  iconColor?: string;
  /** Matched by the `viewItem` conditions of the view's context-menu commands (its ids.ts). */
  contextValue: string;
  collapsible: boolean;
}

/** "1 file", "3 files"; `plural` defaults to `singular + 's'`. */
export function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : pluralForm}`;
}

/** "just now", "6 min ago", "3 h ago", "2 d ago": coarse on purpose, refreshed by the view's ticker. */
export function age(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (!Number.isFinite(s)) return iso;
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * An ISO UTC timestamp in the user's local time zone, e.g. "2026-01-01 14:05:09 (UTC+01:00)".
 * `offsetMinutes` (east of UTC) defaults to the machine's offset at that instant; tests pass it.
 */
export function localTime(iso: string, offsetMinutes?: number): string {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return iso;
  const off = offsetMinutes ?? -new Date(t).getTimezoneOffset();
  const d = new Date(t + off * 60_000);
  const sign = off < 0 ? '-' : '+';
  const tz = `UTC${sign}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} (${tz})`;
}

export function fmtBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/** Four decimals for ordinary values, exponent notation for very large or tiny ones. */
export function formatMetric(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1000 || Math.abs(v) < 0.001 ? v.toExponential(3) : v.toFixed(4);
}

/** Three significant digits: short enough for a tree description at the default sidebar width. */
export function shortMetric(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1000 || Math.abs(v) < 0.001 ? v.toExponential(2) : String(Number(v.toPrecision(3)));
}

/** A markdown table (head and rows of the same width), or '' when there are no rows. */
export function markdownTable(rows: readonly (readonly string[])[], head: readonly string[]): string {
  if (!rows.length) return '';
  const esc = (t: string) => t.replace(/\|/g, '\\|');
  const line = (cells: readonly string[]) => `| ${cells.map(esc).join(' | ')} |`;
  return [line(head), `|${head.map(() => '---|').join('')}`, ...rows.map(line)].join('\n');
}
