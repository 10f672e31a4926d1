/**
 * Notebook → pipeline conversion, transport-free: notebook JSON and mlops.yaml text in; the plan,
 * the stage scripts and the new mlops.yaml text out. The CLI (`mlops convert`) and the language
 * server (`mlops/convertNotebook`) write the files. Call `initPython()` first.
 */
import { isDeepStrictEqual } from 'node:util';
import { posix } from 'node:path';
import { parse } from 'yaml';
import { type ConvertPlan, type ConvertProblem, type SectionBy } from '../../../schemas/src/convert';
import { newPythonParser } from '../python/parser';
import { indexProject, newYaml } from '../python/project';
import { applyYamlEdits, yamlEdits, type YamlChange } from '../python/yaml-edit';
import { analyseSections, wire, type SectionFacts } from './analyze';
import { draftStage, GENERATED_MARK, liftFindings, type StageDraft } from './generate';
import { readNotebook, translateCell } from './notebook';
import { RUNTIME_MODULE, RUNTIME_SOURCE } from './runtime';
import { sectionNotebook } from './sections';

export { NotebookError, readNotebook } from './notebook';
export { GENERATED_MARK } from './generate';
export { sectionNotebook, defaultLevel } from './sections';
export { analyseSections, wire } from './analyze';

export interface ConvertOptions {
  notebookJson: string;
  /** Project-relative path of the notebook (posix separators). */
  notebook: string;
  /** The project's mlops.yaml, when it has one. */
  yamlText?: string;
  projectName: string;
  by?: SectionBy;
  out?: string;
  /** Reads a project-relative file (to never overwrite a file the converter did not write). */
  readFile?(path: string): string | undefined;
}

export interface ConvertResult {
  plan: ConvertPlan;
  /** Project-relative path → text; empty when anything was refused. */
  files: { path: string; text: string }[];
  /** The new mlops.yaml text (undefined when unchanged or refused). */
  yaml?: string;
}

/** Sections holding anything besides imports and definitions become stages. */
function isStage(f: SectionFacts): boolean {
  return f.statements.some((s) => !/^(import_statement|import_from_statement|function_definition|class_definition|decorated_definition|future_import_statement)$/.test(s.node.type));
}

function yamlRecord(text: string | undefined): Record<string, unknown> {
  try {
    const v: unknown = text ? parse(text) : undefined;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function mergeChanges(o: ConvertOptions, drafts: StageDraft[], params: Map<string, { value: number | string; float: boolean }>, conflicts: string[]): YamlChange[] {
  const root = yamlRecord(o.yamlText);
  const stages = ((root['pipeline'] as Record<string, unknown> | undefined)?.['stages'] ?? {}) as Record<string, unknown>;
  const known = indexProject(o.yamlText).params;
  const changes: YamlChange[] = [];
  for (const [key, { value, float }] of params) {
    if (known.has(key)) continue;
    changes.push({ op: 'set', path: ['params', ...key.split('.')], value, floatStyle: float });
  }
  for (const d of drafts) {
    const existing = stages[d.stage.name];
    if (existing === undefined) changes.push({ op: 'set', path: ['pipeline', 'stages', d.stage.name], value: d.spec });
    else if (!isDeepStrictEqual(existing, d.spec)) conflicts.push(`pipeline.stages.${d.stage.name}`);
  }
  return changes;
}

/** Names each section's outputs: the values later sections read from it. */
function outputsOf(producers: Map<number, Map<string, number>>): Map<number, string[]> {
  const outputs = new Map<number, string[]>();
  for (const map of producers.values()) {
    for (const [name, from] of map) {
      const list = outputs.get(from) ?? [];
      if (!list.includes(name)) list.push(name);
      outputs.set(from, list);
    }
  }
  return outputs;
}

export function convertNotebook(o: ConvertOptions): ConvertResult {
  const notes: ConvertProblem[] = [];
  const refusals: ConvertProblem[] = [];
  const out = posix.normalize(o.out ?? 'pipeline').replace(/\/+$/, '');
  const cells = readNotebook(o.notebookJson, o.notebook);
  const sectioning = sectionNotebook(cells, o.by);
  notes.push(...sectioning.notes);
  const sections = sectioning.sections.map((section) => ({
    section,
    cells: section.cells.filter((c) => c.kind === 'code' && c.source.trim()).map((c) => translateCell(c, notes, refusals)),
  }));
  const parser = newPythonParser();
  const analysis = analyseSections(parser, sections);
  try {
    const producers = wire(analysis);
    // After `import *` every unknown name would be reported too: the star import is the one to fix.
    const star = analysis.refusals.find((r) => r.message.includes('import *'));
    refusals.push(...analysis.refusals.filter((r) => !star || !r.message.includes('no earlier section defines') || r.cell < star.cell));
    const stageFacts = analysis.facts.filter(isStage);
    const names = new Map(stageFacts.map((f) => [f.index, f.section.name]));
    const lifted = liftFindings(stageFacts, o.yamlText);
    const g = { facts: stageFacts, producers, outputs: outputsOf(producers), lifted, names, notebook: o.notebook, out };
    const drafts = stageFacts.map((f, i) => draftStage(g, f, i + 1));
    const params = new Map<string, { value: number | string; float: boolean }>();
    for (const list of lifted.values()) {
      for (const { k, literal } of list) if (k.rule !== 'data-path') params.set(k.key, { value: k.value, float: isFloatLiteral(literal) });
    }
    const conflicts: string[] = [];
    const changes = mergeChanges(o, drafts, params, conflicts);
    const files = [{ path: posix.join(out, `${RUNTIME_MODULE}.py`), text: RUNTIME_SOURCE }, ...drafts.map((d) => ({ path: d.stage.script, text: d.text }))];
    for (const f of files) {
      const existing = o.readFile?.(f.path);
      if (existing !== undefined && existing !== f.text && !existing.includes(GENERATED_MARK) && f.path !== posix.join(out, `${RUNTIME_MODULE}.py`)) conflicts.push(f.path);
    }
    const plan: ConvertPlan = {
      notebook: o.notebook, by: sectioning.by ?? 'none', out, stages: drafts.map((d) => d.stage),
      params: Object.fromEntries([...params].map(([k, v]) => [k, v.value])), notes, refusals: dedupe(refusals), conflicts,
    };
    if (plan.refusals.length) return { plan, files: [] };
    let yaml: string | undefined;
    if (changes.length) {
      if (o.yamlText === undefined) yaml = newYaml(o.projectName, changes);
      else {
        const edits = yamlEdits(o.yamlText, changes);
        if (typeof edits === 'string') throw new Error(edits);
        yaml = applyYamlEdits(o.yamlText, edits);
      }
    }
    return { plan, files: files.filter((f) => !conflicts.includes(f.path)), ...(yaml !== undefined ? { yaml } : {}) };
  } finally {
    parser.delete();
    for (const r of analysis.roots) r.tree.delete();
  }
}

function isFloatLiteral(literal: string): boolean {
  return !/^[-+]?0[xob]/i.test(literal) && /[.eE]/.test(literal) && !/^['"]/.test(literal);
}

function dedupe(list: ConvertProblem[]): ConvertProblem[] {
  const seen = new Set<string>();
  return list
    .filter((p) => {
      const k = `${p.cell}:${p.line}:${p.message}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .sort((a, b) => a.cell - b.cell || a.line - b.line);
}
