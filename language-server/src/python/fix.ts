/**
 * The "Move to mlops.yaml" quick fix: one workspace edit that adds the value to `mlops.yaml` and
 * rewrites every occurrence sharing its key to read it through `mlops.params()`. Data paths are
 * declared as datasets (reads) or stage outputs (writes) instead, the code keeping the literal.
 */
import { lstatSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Fix, type TextEdit } from '../core/types';
import { type KeyedFinding } from './analysis';
import { parseDocument } from 'yaml';
import { LineIndex } from '../core/text';
import { indexProject, newYaml, type YamlChange } from './project';
import { applyYamlEdits, yamlEdits } from './yaml-edit';
import { withImportCheck } from './importable';
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

interface ParamMove {
  /** The key the code will read. */
  key: string;
  /** What happens in mlops.yaml: add the value, nothing (reuse what is there), or replace it. */
  yaml: 'add' | 'none' | 'overwrite';
  title: string;
  /** The occurrences rewritten (the finding and its repeats). */
  same: KeyedFinding[];
  value: unknown;
  preferred: boolean;
}

/** The code edits reading `key` through `params()` at every occurrence, plus the import when missing. */
function codeEdits(ctx: FixContext, same: KeyedFinding[], key: string): { changes: Record<string, TextEdit[]>; imported: boolean } | undefined {
  const { name, imported } = paramsName(ctx.source.text);
  const access = `${name}()${key.split('.').map((p) => `[${JSON.stringify(p)}]`).join('')}`;
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
  return { changes, imported };
}

function applyMove(ctx: FixContext, m: ParamMove): Fix[] {
  const code = codeEdits(ctx, m.same, m.key);
  if (!code) return [];
  const floatStyle = m.same[0] ? isIntegralFloat(ctx.source, m.same[0]) : false;
  const yamlChanges: YamlChange[] = m.yaml === 'none' ? [] : [{ op: 'set', path: ['params', ...m.key.split('.')], value: m.value, floatStyle }];
  const fix = withYaml(ctx, m.title, code.changes, yamlChanges);
  if (!fix) return [];
  fix.preferred = m.preferred;
  return code.imported ? [fix] : withImportCheck(ctx, fix);
}

function paramFixes(ctx: FixContext, f: KeyedFinding): Fix[] {
  const same = ctx.findings.filter((o) => o.key === f.key && o.rule !== 'data-path' && o.rule !== 'credential');
  const project = indexProject(ctx.config?.text);
  const count = same.length > 1 ? ` (${same.length} occurrences)` : '';
  const base = `${f.group}.${f.name}`;
  const taken = f.key !== base && project.params.has(base) && !sameParam(project.params.get(base), f.value);
  if (!taken) {
    const exists = project.params.has(f.key);
    return applyMove(ctx, { key: f.key, yaml: exists ? 'none' : 'add', title: `Move to mlops.yaml as params.${f.key}${count}`, same, value: f.value, preferred: true });
  }
  // The natural key already holds another value: the user chooses (a new key first, as it keeps
  // behaviour), none is applied by default.
  const held = JSON.stringify(project.params.get(base));
  return [
    ...applyMove(ctx, { key: f.key, yaml: 'add', title: `Move to mlops.yaml under a new key, params.${f.key}${count}`, same, value: f.value, preferred: false }),
    ...applyMove(ctx, { key: base, yaml: 'none', title: `Use the existing params.${base} (${held}) instead of ${String(f.value)}${count}`, same, value: f.value, preferred: false }),
    ...applyMove(ctx, { key: base, yaml: 'overwrite', title: `Overwrite params.${base} (${held}) with ${String(f.value)}: other code reading it changes too${count}`, same, value: f.value, preferred: false }),
  ];
}

function sameParam(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a)));
}

/**
 * A path outside the project (absolute, home, cloud) cannot be a dataset of it: the path moves to
 * params instead, configurable per machine, and the title says its data is not versioned.
 */
function outsidePathFix(ctx: FixContext, f: KeyedFinding): Fix[] {
  if (f.built || typeof f.value !== 'string') return [];
  const same = ctx.findings.filter((o) => o.rule === 'data-path' && o.value === f.value && !o.built);
  const key = `data.${f.key}`;
  const exists = indexProject(ctx.config?.text).params.has(key);
  const where = f.pathKind === 'cloud' ? 'a location outside the project' : 'data outside the project';
  const moved = applyMove(ctx, {
    key,
    yaml: exists ? 'none' : 'add',
    title: `Move the path to mlops.yaml as params.${key}, read through mlops.params() (${where} is not versioned)`,
    same,
    value: f.value,
    preferred: true,
  });
  const copy = copyIntoProjectFix(ctx, f, same);
  return copy ? [...moved, copy] : moved;
}

/** The local file an absolute or home path names, when it is a plain file that can be copied. */
function localFile(f: KeyedFinding): string | undefined {
  const value = String(f.value);
  const abs = f.pathKind === 'home' ? posix.join(homedir(), value.replace(/^~[\/]?/, '')) : f.pathKind === 'absolute' ? value : undefined;
  try {
    return abs && lstatSync(abs).isFile() ? abs : undefined;
  } catch {
    return undefined;
  }
}

/** Where a data file is declared in mlops.yaml: `data.<name>` with the format its extension says, and the script's stage deps. */
function datasetChanges(ctx: FixContext, name: string, path: string): YamlChange[] {
  const ext = /\.(\w+)$/.exec(path)?.[1]?.toLowerCase() ?? '';
  const format = ['csv', 'parquet', 'json'].includes(ext) ? ext : ext === 'jsonl' ? 'json' : ext === 'tsv' || ext === 'txt' ? 'csv' : 'binary';
  const changes: YamlChange[] = [{ op: 'set', path: ['data', name], value: format === 'csv' ? { paths: [path] } : { paths: [path], format } }];
  const stage = scriptStage(ctx, indexProject(ctx.config?.text).stages);
  if (stage) changes.push({ op: 'append', path: ['pipeline', 'stages', stage, 'deps'], value: path });
  return changes;
}

/**
 * The second fix of a data file read from outside the project: copy it to `data/<name>`, declare
 * that as a dataset, and read the copy. An edit cannot copy a file, so the fix carries an action
 * the server runs first (with the project's safe-fs rules); the edit follows only if it succeeded.
 */
function copyIntoProjectFix(ctx: FixContext, f: KeyedFinding, same: KeyedFinding[]): Fix | undefined {
  const config = ctx.config;
  if (f.io !== 'read' || !config?.uri.startsWith('file:')) return undefined;
  const source = localFile(f);
  const project = indexProject(config.text);
  if (!source || project.datasets.has(f.key)) return undefined;
  const target = `data/${posix.basename(source.replace(/\\/g, '/'))}`;
  if (project.declaredPaths.has(target)) return undefined;
  const changes: Record<string, TextEdit[]> = {};
  for (const o of same) {
    const e = ctx.source.edit(o.start, o.end, JSON.stringify(target));
    if (!e) return undefined;
    (changes[e.uri] ??= []).push(e.edit);
  }
  const fix = withYaml(ctx, `Copy ${source} into the project as ${target}, declare it as dataset data.${f.key} and read the copy`, changes, datasetChanges(ctx, f.key, target));
  if (!fix) return undefined;
  return { ...fix, preferred: false, action: { kind: 'copy-data', source, root: dirname(fileURLToPath(config.uri)), target } };
}

function scriptStage(ctx: FixContext, stages: Map<string, string>): string | undefined {
  const base = posix.basename(decodeURIComponent(ctx.uri.split(/[?#]/)[0] ?? ''));
  if (!base) return undefined;
  for (const [name, cmd] of stages) if (cmd.split(/\s+/).some((w) => posix.basename(w) === base)) return name;
  return undefined;
}

function pathFix(ctx: FixContext, f: KeyedFinding): Fix | undefined {
  // mlops.yaml declares project-relative paths only (the daemon refuses others); outside paths get
  // `outsidePathFix`, and a path built from parts has no one literal to declare.
  if (f.pathKind === 'absolute' || f.pathKind === 'home' || f.pathKind === 'cloud' || f.built) return undefined;
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
    changes.push(...datasetChanges(ctx, f.key, value));
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
  const edits = yamlEdits(config.text, yamlChanges);
  if (typeof edits === 'string') return undefined;
  // Never hand out a fix that leaves mlops.yaml unreadable: the edited text must parse.
  if (parseDocument(applyYamlEdits(config.text, edits), { uniqueKeys: true }).errors.length) return undefined;
  const index = new LineIndex(config.text);
  (changes[config.uri] ??= []).push(...edits.map((e) => ({ range: index.range(e.start, e.end), newText: e.text })));
  return fix;
}

/** The quick fixes of one finding (variants to choose from when a key is taken); none for secrets, outputs of no stage, unmappable text. */
export function moveFixes(ctx: FixContext, f: KeyedFinding): Fix[] {
  if (f.rule === 'credential') return [];
  if (f.rule !== 'data-path') return paramFixes(ctx, f);
  if (f.pathKind === 'absolute' || f.pathKind === 'home' || f.pathKind === 'cloud') return outsidePathFix(ctx, f);
  const fix = pathFix(ctx, f);
  return fix ? [fix] : [];
}

/** The first (preferred) quick fix of one finding. */
export function moveFix(ctx: FixContext, f: KeyedFinding): Fix | undefined {
  return moveFixes(ctx, f)[0];
}
