/**
 * `mlops.lock`: per stage instance, the key (hash of command, deps' content, params' values and
 * upstream outs) and what went into it, so `--dry-run` can say which part changed. Meant to be
 * committed. Written only when an entry changes: a fully cached run leaves it untouched.
 * The file is pretty-printed JSON, which is also YAML: JSON.parse reads a 200-stage lock in about a
 * millisecond, where a YAML parser took most of the fully-cached decision's time.
 */
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lockEntrySchema, lockFileSchema, type LockEntry, type LockFile } from '../../../schemas/src/pipelines';

export const LOCK_FILE = 'mlops.lock';
const NOTE = 'written by `mlops run`; commit it with mlops.yaml; do not edit by hand';

export class Lock {
  readonly data: LockFile;
  private changed = false;

  constructor(private readonly root: string) {
    let text: string | null = null;
    try {
      text = readFileSync(join(root, LOCK_FILE), 'utf8');
    } catch {
      // No lock yet: every stage runs.
    }
    this.data = text === null ? { version: 1, stages: {} } : parseLock(text);
  }

  get(id: string): LockEntry | undefined {
    return this.data.stages[id];
  }

  set(id: string, entry: LockEntry): void {
    const before = this.data.stages[id];
    if (before && canonical(before) === canonical(entry)) return;
    this.data.stages[id] = lockEntrySchema.parse(entry);
    this.changed = true;
  }

  /** Writes the lock when an entry changed; returns whether it wrote. */
  save(): boolean {
    if (!this.changed) return false;
    const sorted = Object.fromEntries(Object.entries(this.data.stages).sort(([a], [b]) => a.localeCompare(b)));
    const text = JSON.stringify({ note: NOTE, version: 1, stages: sorted }, null, 2) + '\n';
    const file = join(this.root, LOCK_FILE);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, file);
    this.changed = false;
    return true;
  }
}

function parseLock(text: string): LockFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${LOCK_FILE} is not valid JSON (${e instanceof Error ? e.message : String(e)}); resolve a merge conflict in it, or delete it to re-run every stage`);
  }
  const parsed = lockFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${LOCK_FILE} is not valid (${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}); delete it to re-run every stage`);
  }
  return parsed.data;
}

/** JSON with sorted keys: the same inputs give the same key whatever order they were built in. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function stageKey(entry: Omit<LockEntry, 'key' | 'outs'>): string {
  return createHash('sha256').update(canonical(entry)).digest('hex');
}

const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** Why an instance is not up to date, against its lock entry: the first few differences, named. */
export function whyChanged(before: LockEntry | undefined, now: Omit<LockEntry, 'key' | 'outs'>): string[] {
  if (!before) return ['never ran (no entry in mlops.lock)'];
  const out: string[] = [];
  if (before.cmd !== now.cmd) out.push('command changed');
  if (canonical(before.spec) !== canonical(now.spec)) out.push('stage definition changed');
  for (const [p, h] of Object.entries(now.deps)) {
    if (!(p in before.deps)) out.push(`dep ${p} added`);
    else if (before.deps[p] !== h) out.push(h === null ? `dep ${p} is missing` : `dep ${p} changed`);
  }
  for (const p of Object.keys(before.deps)) if (!(p in now.deps)) out.push(`dep ${p} removed`);
  for (const [k, v] of Object.entries(now.params)) {
    if (!(k in before.params)) out.push(`param ${k} added`);
    else if (canonical(before.params[k]) !== canonical(v)) out.push(`param ${k} changed (${show(before.params[k])} → ${show(v)})`);
  }
  for (const k of Object.keys(before.params)) if (!(k in now.params)) out.push(`param ${k} removed`);
  for (const [s, h] of Object.entries(now.upstream)) if (before.upstream[s] !== h) out.push(`upstream ${s} changed`);
  return out.length ? out : ['inputs changed'];
}

export type { LockEntry };
