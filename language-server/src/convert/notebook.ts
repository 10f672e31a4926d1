/**
 * Reading a notebook for conversion: its cells (nbformat 4 JSON) and each code cell's IPython
 * syntax translated into plain Python line for line (so a line of the translation is the same line
 * of the cell), with what was dropped reported and what has no faithful equivalent refused.
 */
import { type ConvertProblem } from '../../../schemas/src/convert';

export interface Cell {
  /** 1-based, all cells counted (as Jupyter numbers them in the file). */
  index: number;
  kind: 'code' | 'markdown' | 'raw';
  source: string;
  tags: string[];
}

export interface TranslatedCell extends Cell {
  /** Python text with as many lines as `source`. */
  code: string;
}

export class NotebookError extends Error {}

function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string').join('');
  return '';
}

/** The cells of an .ipynb file's JSON text; a clear error when it is not a notebook. */
export function readNotebook(json: string, file = 'notebook'): Cell[] {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (e) {
    throw new NotebookError(`${file}: not a notebook (JSON does not parse: ${e instanceof Error ? e.message : String(e)})`);
  }
  const cells = (doc as { cells?: unknown } | null)?.cells;
  if (!Array.isArray(cells)) throw new NotebookError(`${file}: not a notebook (no "cells" list; nbformat 4 is expected)`);
  return cells.map((c: unknown, i) => {
    const cell = (c ?? {}) as { cell_type?: unknown; source?: unknown; metadata?: { tags?: unknown } };
    const kind = cell.cell_type === 'code' || cell.cell_type === 'markdown' ? cell.cell_type : 'raw';
    const tags = Array.isArray(cell.metadata?.tags) ? cell.metadata.tags.filter((t): t is string => typeof t === 'string') : [];
    return { index: i + 1, kind, source: text(cell.source), tags };
  });
}

const DROPPED_MAGICS = /^(matplotlib|load_ext|reload_ext|autoreload|config|precision|pdb|xmode|aimport)\b/;
const INSTALLS = /^(pip|conda|mamba)\s+install\b|^(pip|conda|mamba)\b/;

/** Translates one line; `problems` collects notes and refusals naming cell and line. */
function translateLine(line: string, place: { cell: number; line: number }, notes: ConvertProblem[], refusals: ConvertProblem[]): string {
  const m = /^(\s*)([!%])(.*)$/.exec(line);
  if (!m) {
    if (/^\s*[\w.]+\?{1,2}\s*$/.test(line)) {
      notes.push({ ...place, message: `help request \`${line.trim()}\` dropped` });
      return `# ${line.trim()}`;
    }
    if (/^\s*[A-Za-z_][\w.]*\s*=\s*[!%]/.test(line)) {
      refusals.push({ ...place, message: `\`${line.trim()}\` assigns the output of a magic or shell command; run it in Python (subprocess) instead` });
      return `# ${line}`;
    }
    return line;
  }
  const indent = m[1] ?? '';
  const rest = (m[3] ?? '').trim();
  if (m[2] === '!' || /^(pip|conda|mamba)\b/.test(rest)) {
    const cmd = rest;
    if (INSTALLS.test(cmd)) {
      notes.push({ ...place, message: `\`${line.trim()}\` not converted: install the packages in the project's environment (the pipeline does not install anything)` });
      return `${indent}# ${line.trim()}  (reported by mlops convert: install it in the environment)`;
    }
    notes.push({ ...place, message: `shell escape \`${line.trim()}\` runs through the shell in the script` });
    return `${indent}_io.shell(${JSON.stringify(cmd)})`;
  }
  if (rest.startsWith('%')) return line; // a cell magic is handled by the caller
  const word = /^(\w+)\s*(.*)$/.exec(rest);
  const name = word?.[1] ?? '';
  const arg = word?.[2] ?? '';
  if (DROPPED_MAGICS.test(name)) {
    if (name !== 'matplotlib') notes.push({ ...place, message: `magic \`%${rest}\` dropped` });
    return `${indent}# %${rest}`;
  }
  if ((name === 'time' || name === 'timeit') && arg) return `${indent}${arg.replace(/^(-\w+\s+\S*\s*)*/, '')}`;
  const env = /^env\s+(\w+)\s*[= ]\s*(.*)$/.exec(rest);
  if (env) return `${indent}__import__("os").environ[${JSON.stringify(env[1])}] = ${JSON.stringify(env[2] ?? '')}`;
  refusals.push({ ...place, message: `magic \`%${rest}\` has no equivalent in a script; remove it or rewrite it in Python` });
  return `${indent}# %${rest}`;
}

/** A code cell in plain Python, line for line. */
export function translateCell(cell: Cell, notes: ConvertProblem[], refusals: ConvertProblem[]): TranslatedCell {
  const lines = cell.source.split('\n');
  const first = lines[0]?.trim() ?? '';
  let start = 0;
  const out: string[] = [];
  if (first.startsWith('%%')) {
    const magic = /^%%(\w+)/.exec(first)?.[1] ?? '';
    if (magic !== 'time' && magic !== 'timeit') {
      refusals.push({ cell: cell.index, line: 1, message: `cell magic \`${first}\` has no equivalent in a script; rewrite the cell in Python` });
      return { ...cell, code: lines.map((l) => `# ${l}`).join('\n') };
    }
    out.push(`# ${first}`);
    start = 1;
  }
  for (let i = start; i < lines.length; i++) out.push(translateLine(lines[i] ?? '', { cell: cell.index, line: i + 1 }, notes, refusals));
  return { ...cell, code: out.join('\n') };
}
