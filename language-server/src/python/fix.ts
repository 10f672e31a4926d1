/**
 * The "Move to mlops.yaml" quick fix: one workspace edit that adds the value to `mlops.yaml` and
 * rewrites every occurrence sharing its key to read it through `mlops.params()`. Data paths are
 * declared as datasets (reads) or stage outputs (writes) instead, the code keeping the literal.
 */
import { posix } from 'node:path';
import { type Fix, type TextEdit } from '../core/types';
import { type KeyedFinding } from './analysis';
import { editYaml, indexProject, newYaml, type YamlChange } from './project';
import { type MappedText } from './source';

export interface FixContext {
  source: MappedText;
  /** The document the diagnostics belong to (for stage lookup by script name). */
  uri: string;
  findings: KeyedFinding[];
  config: { uri: string; text?: string } | undefined;
}

/** The name the code uses for `mlops.params`: an alias when the file already binds `params`. */
function paramsName(text: string): { name: string; imported: boolean } {
  if (/^\s*from\s+mlops\s+import\s+params\s+as\s+mlops_params\b/m.test(text)) return { name: 'mlops_params', imported: true };
  if (/^\s*from\s+mlops\s+import\s+([\w\s,()]*\b)?params\b(?!\s+as)/m.test(text)) return { name: 'params', imported: true };
  const bound = /(^|[^\w.])params\s*(=[^=]|:\s*[\w[])|\bdef\s+params\b|\bas\s+params\b|\bfor\s+params\s+in\b|\bdef\s+\w+\([^)]*\bparams\b/m.test(text);
  return { name: bound ? 'mlops_params' : 'params', imported: false };
}

/** Where `from mlops import params` goes: after a shebang, encoding line, module docstring and `__future__` imports. */
export function importOffset(text: string): number {
  let pos = 0;
  const lineEnd = (p: number): number => {
    const i = text.indexOf('\n', p);
    return i < 0 ? text.length : i + 1;
  };
  while (pos < text.length) {
    const rest = text.slice(pos, lineEnd(pos));
    if (/^\s*$/.test(rest) || /^#!|^#.*coding[:=]/.test(rest)) {
      pos = lineEnd(pos);
      continue;
    }
    const doc = /^[rRuU]?("""|''')/.exec(rest);
    if (doc?.[1]) {
      const close = text.indexOf(doc[1], pos + doc[0].length);
      if (close < 0) return pos;
      pos = lineEnd(close + 3);
      continue;
    }
    if (/^[rRuU]?(["']).*\1\s*$/.test(rest) && pos === 0) {
      pos = lineEnd(pos);
      continue;
    }
    if (/^from\s+__future__\s+import\b/.test(rest) && !rest.includes('(')) {
      pos = lineEnd(pos);
      continue;
    }
    return pos;
  }
  return pos;
}

function isIntegralFloat(source: MappedText, f: KeyedFinding): boolean {
  const raw = source.text.slice(f.start, f.end);
  return typeof f.value === 'number' && Number.isInteger(f.value) && /[.eE]/.test(raw) && !/^-?0[xob]/i.test(raw);
}

function paramFix(ctx: FixContext, f: KeyedFinding): Fix | undefined {
  const same = ctx.findings.filter((o) => o.key === f.key && o.rule !== 'data-path' && o.rule !== 'credential');
  const { name, imported } = paramsName(ctx.source.text);
  const path = f.key.split('.');
  const access = `${name}()${path.map((p) => `[${JSON.stringify(p)}]`).join('')}`;
  const changes: Record<string, TextEdit[]> = {};
  const push = (e: { uri: string; edit: TextEdit } | undefined): boolean => {
    if (!e) return false;
    (changes[e.uri] ??= []).push(e.edit);
    return true;
  };
  for (const o of same) if (!push(ctx.source.edit(o.start, o.end, isIntegralFloat(ctx.source, o) ? `float(${access})` : access))) return undefined;
  if (!imported) {
    const at = importOffset(ctx.source.text);
    const line = name === 'params' ? 'from mlops import params\n' : 'from mlops import params as mlops_params\n';
    if (!push(ctx.source.edit(at, at, line))) return undefined;
  }
  const project = indexProject(ctx.config?.text);
  const exists = project.params.has(f.key);
  const yamlChanges: YamlChange[] = exists ? [] : [{ op: 'set', path: ['params', ...path], value: f.value, floatStyle: isIntegralFloat(ctx.source, f) }];
  const title = `Move to mlops.yaml as params.${f.key}${same.length > 1 ? ` (${same.length} occurrences)` : ''}`;
  return withYaml(ctx, title, changes, yamlChanges);
}

function scriptStage(ctx: FixContext, stages: Map<string, string>): string | undefined {
  const base = posix.basename(decodeURIComponent(ctx.uri.split(/[?#]/)[0] ?? ''));
  if (!base) return undefined;
  for (const [name, cmd] of stages) if (cmd.split(/\s+/).some((w) => posix.basename(w) === base)) return name;
  return undefined;
}

function pathFix(ctx: FixContext, f: KeyedFinding): Fix | undefined {
  // mlops.yaml holds project-relative paths only (the daemon refuses others): an absolute, home or
  // cloud location gets the diagnostic and no move, since no declaration could stand in for it.
  if (f.pathKind === 'absolute' || f.pathKind === 'home' || f.pathKind === 'cloud') return undefined;
  const value = String(f.value);
  const project = indexProject(ctx.config?.text);
  const stage = scriptStage(ctx, project.stages);
  const changes: YamlChange[] = [];
  let title: string;
  if (f.io === 'write') {
    if (!stage) return undefined;
    changes.push({ op: 'append', path: ['pipeline', 'stages', stage, 'outs'], value });
    title = `Declare ${JSON.stringify(value)} as an output of stage "${stage}" in mlops.yaml`;
  } else {
    const ext = /\.(\w+)$/.exec(value)?.[1]?.toLowerCase() ?? '';
    const format = ['csv', 'parquet', 'json'].includes(ext) ? ext : ext === 'jsonl' ? 'json' : ext === 'tsv' || ext === 'txt' ? 'csv' : 'binary';
    changes.push({ op: 'set', path: ['data', f.key], value: format === 'csv' ? { paths: [value] } : { paths: [value], format } });
    if (stage) changes.push({ op: 'append', path: ['pipeline', 'stages', stage, 'deps'], value });
    title = `Declare ${JSON.stringify(value)} as dataset data.${f.key} in mlops.yaml`;
  }
  return withYaml(ctx, title, {}, changes);
}

function withYaml(ctx: FixContext, title: string, changes: Record<string, TextEdit[]>, yamlChanges: YamlChange[]): Fix | undefined {
  const config = ctx.config;
  if (!config) return undefined;
  const fix: Fix = { title, edits: [], preferred: true, changes };
  if (!yamlChanges.length) return fix;
  if (config.text === undefined) {
    const folder = posix.basename(posix.dirname(decodeURIComponent(config.uri.replace(/^file:\/\//, '')))) || 'project';
    changes[config.uri] = [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: newYaml(folder, yamlChanges) }];
    fix.createFile = config.uri;
    return fix;
  }
  const edit = editYaml(config.text, yamlChanges);
  if (typeof edit === 'string') return undefined;
  (changes[config.uri] ??= []).push(...edit);
  return fix;
}

/** The quick fix of one finding, or undefined when it has none (secrets, outputs of no stage, unmappable text). */
export function moveFix(ctx: FixContext, f: KeyedFinding): Fix | undefined {
  if (f.rule === 'credential') return undefined;
  return f.rule === 'data-path' ? pathFix(ctx, f) : paramFix(ctx, f);
}
