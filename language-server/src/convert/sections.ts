/**
 * Cutting a notebook into sections, each a future stage: at markdown headings of one level, or at
 * cell tags (`stage:x`, and Kale's `step:x` / `block:x`, `prev:x`, `skip`, `imports`, `functions`).
 */
import { type ConvertProblem, type SectionBy } from '../../../schemas/src/convert';
import { type Cell } from './notebook';

export interface Section {
  title: string;
  name: string;
  /** Every cell of the section (markdown included), in order. */
  cells: Cell[];
  /** Stages named by Kale `prev:` tags. */
  after: string[];
}

const HEADING = /^(#{1,6})\s+(.+?)\s*#*\s*$/gm;

function headings(cell: Cell): { level: number; title: string }[] {
  if (cell.kind !== 'markdown') return [];
  return [...cell.source.matchAll(HEADING)].map((m) => ({ level: (m[1] ?? '').length, title: (m[2] ?? '').replace(/[*_`]/g, '').trim() }));
}

const STEP_TAG = /^(stage|step|block):(.+)$/;

function hasStepTags(cells: Cell[]): boolean {
  return cells.some((c) => c.tags.some((t) => STEP_TAG.test(t)));
}

/** The level that gives the most sections holding code, at least two; ties go to the higher level. */
export function defaultLevel(cells: Cell[]): SectionBy | undefined {
  let best: { level: number; count: number } | undefined;
  for (const level of [1, 2, 3]) {
    const count = byHeadings(cells, level).filter((s) => s.title !== 'setup' && s.cells.some((c) => c.kind === 'code' && c.source.trim())).length;
    if (count >= 2 && (!best || count > best.count)) best = { level, count };
  }
  return best ? (`h${best.level}` as SectionBy) : undefined;
}

function byHeadings(cells: Cell[], level: number): Omit<Section, 'name'>[] {
  const out: Omit<Section, 'name'>[] = [{ title: 'setup', cells: [], after: [] }];
  for (const cell of cells) {
    const h = headings(cell).find((x) => x.level === level);
    if (h) out.push({ title: h.title, cells: [], after: [] });
    out[out.length - 1]?.cells.push(cell);
  }
  return out;
}

function byTags(cells: Cell[]): Omit<Section, 'name'>[] {
  const out: Omit<Section, 'name'>[] = [{ title: 'setup', cells: [], after: [] }];
  let current = out[0] as Omit<Section, 'name'>;
  for (const cell of cells) {
    if (cell.tags.includes('skip')) continue;
    const step = cell.tags.map((t) => STEP_TAG.exec(t)?.[2]).find((x) => x !== undefined);
    if (cell.tags.includes('imports') || cell.tags.includes('functions')) current = out[0] as Omit<Section, 'name'>;
    else if (step !== undefined) {
      // Kale merges cells of one block name wherever they are.
      current = out.find((s) => s.title === step) ?? (out[out.push({ title: step, cells: [], after: [] }) - 1] as Omit<Section, 'name'>);
    }
    for (const t of cell.tags) {
      const prev = /^prev:(.+)$/.exec(t)?.[1];
      if (prev && !current.after.includes(prev)) current.after.push(prev);
    }
    current.cells.push(cell);
  }
  return out;
}

/** A stage name from a title: `Train the model` → `train_the_model`, unique among `taken`. */
export function stageName(title: string, taken: Set<string>): string {
  let base = title.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 60);
  if (!/^[a-z]/.test(base)) base = `stage_${base}`.replace(/_+$/, '');
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
  taken.add(name);
  return name;
}

export interface Sectioning {
  /** Undefined: no headings nor tags, one section. */
  by: SectionBy | undefined;
  sections: Section[];
  notes: ConvertProblem[];
}

/** Sections of the notebook; without headings or tags, one section with a note saying so. */
export function sectionNotebook(cells: Cell[], by: SectionBy | undefined): Sectioning {
  const notes: ConvertProblem[] = [];
  const chosen = by ?? (hasStepTags(cells) ? 'tags' : defaultLevel(cells));
  let raw: Omit<Section, 'name'>[];
  if (!chosen) {
    notes.push({ cell: 1, line: 1, message: 'no markdown headings (two or more of one level) nor step tags: the whole notebook becomes one stage; add headings to get one stage per section' });
    raw = [{ title: 'notebook', cells, after: [] }];
  } else raw = chosen === 'tags' ? byTags(cells) : byHeadings(cells, Number(chosen.slice(1)));
  const taken = new Set<string>();
  const sections = raw.filter((s) => s.cells.length).map((s) => ({ ...s, name: stageName(s.title, taken) }));
  // `prev:` names blocks by their tag; map them to stage names.
  const byTitle = new Map(sections.map((s) => [s.title, s.name]));
  for (const s of sections) s.after = s.after.map((a) => byTitle.get(a) ?? a);
  return { by: chosen, sections, notes };
}
