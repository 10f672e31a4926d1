/**
 * Dataset path patterns: plain files, folders (every file below) and globs, always relative to the
 * project root and never leaving it. Globs are matched by picomatch (the matcher of chokidar,
 * micromatch and fast-glob) with the rules of DVC's and most shells' globs:
 * - `*` and `?` never cross `/`; `**` as a whole segment crosses folders (`**.csv` is `*.csv`);
 * - `{a,b}` and `{1..3}` expand, globs inside them included (`{train/*.csv,extra.csv}`);
 * - `[abc]`, `[a-z]`, `[!abc]` match one character;
 * - dotfiles and dot-folders match only when the pattern names the dot (`data/.*`, `.cache/**`);
 * - `\` escapes the next glob character (`data/\*.csv` is the file named `*.csv`); any other `\`
 *   is a Windows path separator.
 * A folder pattern (no glob) takes every file below it, dotfiles included, as DVC tracks a folder.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import picomatch from 'picomatch';

/** Folders never scanned: the Workbench's own state and version control. */
export const IGNORED_DIRS = new Set(['.mlops', '.git']);

const GLOB_OPTIONS: picomatch.PicomatchOptions = { dot: false, strictSlashes: false };
/** Characters a backslash escapes; before anything else a backslash is a path separator. */
const ESCAPABLE = /\\([*?[\]{}()!+@,])/g;

export class PatternError extends Error {}

/** Checks a pattern stays inside the project; returns it with forward slashes (escapes kept). */
export function checkPattern(pattern: string): string {
  const p = pattern.replace(/\\(?![*?[\]{}()!+@,])/g, '/').replace(/^\.\//, '');
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p)) throw new PatternError(`"${pattern}" must be relative to the project root`);
  if (p.split('/').includes('..')) throw new PatternError(`"${pattern}" must not leave the project root (".." is not allowed)`);
  if (!p) throw new PatternError('an empty path matches nothing');
  return p;
}

/** A matcher of root-relative forward-slash paths for a checked pattern. */
export function globToRegExp(pattern: string): RegExp {
  // Shells and Python's fnmatch (DVC) negate a class with `[!...]`; picomatch reads that `!` as a
  // member and negates with `[^...]`.
  return picomatch.makeRe(pattern.replace(/(^|[^\\])\[!/g, '$1[^'), GLOB_OPTIONS);
}

/** True when the pattern has unescaped glob syntax; false for a plain (possibly escaped) path. */
export function isGlob(pattern: string): boolean {
  return picomatch.scan(pattern).isGlob;
}

/** A plain pattern as the file system path it names: escapes removed. */
export function literalPath(pattern: string): string {
  return pattern.replace(ESCAPABLE, '$1');
}

/**
 * The folder below which a pattern can match (its segments before the first glob), as a file
 * system path; for a plain pattern, the path itself. Walking and watching start there.
 */
export function staticBase(pattern: string): string {
  if (!isGlob(pattern)) return literalPath(pattern);
  return literalPath(picomatch.scan(pattern).base);
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
    if (!isGlob(pattern)) {
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
