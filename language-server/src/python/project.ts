/**
 * What the Python analyser reads from `mlops.yaml` (existing params, declared data paths, stages)
 * and how it edits that file: pure insertions at the right place (`yaml-edit.ts`), so comments and
 * formatting elsewhere are untouched.
 */
import { parseYaml } from '../../../shared/src/mlops-yaml';
import { LineIndex } from '../core/text';
import { type TextEdit } from '../core/types';
import { applyYamlEdits, yamlEdits, type YamlChange } from './yaml-edit';

export type { YamlChange } from './yaml-edit';

export interface ProjectIndex {
  /** Every scalar leaf under `params`, by dotted key. */
  params: Map<string, unknown>;
  /** Paths declared in datasets or stage deps/outs. */
  declaredPaths: Set<string>;
  datasets: Set<string>;
  /** Stages by name with their command. */
  stages: Map<string, string>;
  /** `python.interpreter` when the file sets it. */
  interpreter?: string;
}

const EMPTY: ProjectIndex = { params: new Map(), declaredPaths: new Set(), datasets: new Set(), stages: new Map() };
let cached: { text: string; index: ProjectIndex } | undefined;

function record(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function collectParams(v: unknown, prefix: string, out: Map<string, unknown>, depth: number): void {
  const r = record(v);
  if (!r || depth > 8) return;
  for (const [k, val] of Object.entries(r)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (record(val)) collectParams(val, key, out, depth + 1);
    else out.set(key, val);
  }
}

/** Reads the parts of `mlops.yaml` the rules use; tolerant of any content (a broken file reads as empty). */
export function indexProject(text: string | undefined): ProjectIndex {
  if (text === undefined) return EMPTY;
  if (cached?.text === text) return cached.index;
  let index = EMPTY;
  try {
    // The shared loader's reading; a duplicate key still leaves the rest readable (the last one counts).
    const parsed = parseYaml(text);
    const root = record(parsed.problems.every((p) => p.code === 'duplicate-key') ? parsed.value : undefined);
    if (root) {
      index = { params: new Map(), declaredPaths: new Set(), datasets: new Set(), stages: new Map() };
      collectParams(root.params, '', index.params, 0);
      const interpreter = record(root.python)?.interpreter;
      if (typeof interpreter === 'string' && interpreter.trim()) index.interpreter = interpreter.trim();
      for (const [name, ds] of Object.entries(record(root.data) ?? {})) {
        index.datasets.add(name);
        for (const p of arr(record(ds)?.paths)) index.declaredPaths.add(p);
      }
      for (const [name, st] of Object.entries(record(record(root.pipeline)?.stages) ?? {})) {
        const s = record(st);
        index.stages.set(name, typeof s?.cmd === 'string' ? s.cmd : '');
        for (const p of [...arr(s?.deps), ...arr(s?.outs)]) index.declaredPaths.add(p);
      }
    }
  } catch {
    index = EMPTY;
  }
  cached = { text, index };
  return index;
}

function arr(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export function normalisePath(p: string): string {
  return p.replace(/\\/g, '/').replace(/^\.\//, '');
}

/**
 * The text edits that apply `changes` to `text` as insertions of block-style text (see
 * `yaml-edit.ts`), or an error message when the file cannot be edited safely (syntax errors, a
 * root that is not a mapping, a key path through a scalar).
 */
export function editYaml(text: string, changes: YamlChange[]): TextEdit[] | string {
  const edits = yamlEdits(text, changes);
  if (typeof edits === 'string') return edits;
  const index = new LineIndex(text);
  return edits.map((e) => ({ range: index.range(e.start, e.end), newText: e.text }));
}

/** A new `mlops.yaml` holding just what the fix adds (the project name from its folder). */
export function newYaml(project: string, changes: YamlChange[]): string {
  const starter = `version: 1\nproject:\n  name: ${JSON.stringify(project)}\n`;
  const edits = yamlEdits(starter, changes);
  return typeof edits === 'string' ? starter : applyYamlEdits(starter, edits);
}
