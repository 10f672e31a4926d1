/**
 * Dataset path patterns: plain files, folders (every file below) and globs with `*`, `**`, `?`,
 * `[...]` and `{a,b}`, always relative to the project root and never leaving it.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';

const GLOB_CHARS = /[*?[\]{}]/;
/** Folders never scanned: the Workbench's own state and version control. */
export const IGNORED_DIRS = new Set(['.mlops', '.git']);

export class PatternError extends Error {}

/** Checks a pattern stays inside the project; returns it with forward slashes. */
export function checkPattern(pattern: string): string {
  const p = pattern.replace(/\\/g, '/').replace(/^\.\//, '');
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p)) throw new PatternError(`"${pattern}" must be relative to the project root`);
  if (p.split('/').includes('..')) throw new PatternError(`"${pattern}" must not leave the project root (".." is not allowed)`);
  if (!p) throw new PatternError('an empty path matches nothing');
  return p;
}

export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        const slash = pattern[i + 2] === '/';
        re += slash ? '(?:.*/)?' : '.*';
        i += slash ? 2 : 1;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        const body = pattern.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = end;
      }
    } else if (c === '{') {
      const end = pattern.indexOf('}', i + 1);
      if (end < 0) re += '\\{';
      else {
        re += `(?:${pattern.slice(i + 1, end).split(',').map(escapeRe).join('|')})`;
        i = end;
      }
    } else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** The folder below which a pattern can match: its segments before the first glob character. */
export function staticBase(pattern: string): string {
  const segs = pattern.split('/');
  const out: string[] = [];
  for (const s of segs) {
    if (GLOB_CHARS.test(s)) break;
    out.push(s);
  }
  if (out.length === segs.length) return pattern;
  return out.join('/');
}

function walk(root: string, rel: string, out: string[]): void {
  let entries;
  try {
    entries = readdirSync(join(root, rel), { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (IGNORED_DIRS.has(e.name)) continue;
    const child = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) walk(root, child, out);
    else if (e.isFile()) out.push(child);
  }
}

/** Every file the patterns match, as sorted root-relative paths with forward slashes. */
export function expandPatterns(root: string, patterns: string[]): string[] {
  const found = new Set<string>();
  for (const raw of patterns) {
    const pattern = checkPattern(raw);
    const base = staticBase(pattern);
    if (base === pattern) {
      const st = safeStat(join(root, base));
      if (st?.isFile()) found.add(base);
      else if (st?.isDirectory()) {
        const files: string[] = [];
        walk(root, base, files);
        files.forEach((f) => found.add(f));
      }
      continue;
    }
    const re = globToRegExp(pattern);
    const files: string[] = [];
    walk(root, base, files);
    for (const f of files) if (re.test(f)) found.add(f);
  }
  return [...found].sort();
}

function safeStat(p: string) {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

/** Root-relative forward-slash path of an absolute path inside the root. */
export function toRel(root: string, abs: string): string {
  return normalize(abs).slice(normalize(root).length + 1).split(sep).join('/');
}
