/**
 * Watches the configured datasets with chokidar and snapshots a dataset a second after its files
 * stop changing. Only each pattern's static base folder is watched (never the whole home folder),
 * and `.mlops/` and `.git/` are ignored.
 */
import { watch, type FSWatcher } from 'chokidar';
import { readdirSync, type Dirent } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { checkInside } from '../../../shared/src/safe-fs';
import { type MlopsConfig } from '../../../schemas/src/mlops-yaml';
import { type Logger } from '../util/logger';
import { checkPattern, globToRegExp, IGNORED_DIRS, isGlob, staticBase, toRel } from '../../../shared/src/glob';
import { type Datasets } from './datasets';

const DEBOUNCE_MS = 1000;
/** Most files and folders one watch may cover; a larger tree is not watched (snapshots still work). */
export const MAX_WATCHED_ENTRIES = 20_000;
/** Longest wait for the first scan; the daemon serves meanwhile in any case. */
const READY_TIMEOUT_MS = 5_000;

/** Counts entries below `dir` without following links, stopping past `limit`. */
function countEntries(dir: string, limit: number): number {
  let n = 0;
  const stack = [dir];
  while (stack.length && n <= limit) {
    const cur = stack.pop() as string;
    let entries: Dirent[];
    try {
      entries = readdirSync(cur, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      if (IGNORED_DIRS.has(e.name)) continue;
      n++;
      if (e.isDirectory()) stack.push(join(cur, e.name));
    }
  }
  return n;
}

export class DatasetWatcher {
  private watcher?: FSWatcher;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private matchers: { dataset: string; re: RegExp; base: string }[] = [];

  constructor(
    private readonly root: string,
    private readonly datasets: Datasets,
    private readonly log: Logger,
    private readonly debounceMs = DEBOUNCE_MS,
  ) {}

  /** (Re)starts watching for the datasets of this config. */
  async update(cfg: MlopsConfig | undefined): Promise<void> {
    await this.close();
    this.matchers = [];
    const bases = new Set<string>();
    for (const [name, d] of Object.entries(cfg?.data ?? {})) {
      if (!d.watch) continue;
      for (const raw of d.paths) {
        let pattern: string;
        try {
          pattern = checkPattern(raw);
        } catch {
          continue;
        }
        const base = staticBase(pattern);
        const abs = resolve(this.root, base || '.');
        const refusal = this.refuse(base, abs, raw);
        if (refusal) {
          this.log.warn(`not watching data.${name}: ${refusal}`);
          continue;
        }
        bases.add(abs);
        const re = isGlob(pattern) ? globToRegExp(pattern) : new RegExp(`^${escape(base)}(?:/.*)?$`);
        this.matchers.push({ dataset: name, re, base });
      }
    }
    if (!bases.size) return;
    this.watcher = watch([...bases], {
      ignoreInitial: true,
      followSymlinks: false,
      ignored: (p: string) => p.split(/[\\/]/).some((seg) => IGNORED_DIRS.has(seg)),
      awaitWriteFinish: { stabilityThreshold: 200, pollInterval: 50 },
    });
    this.watcher.on('all', (_event, path) => this.onChange(path));
    this.watcher.on('error', (e) => this.log.warn(`dataset watcher: ${String(e)}`));
    await new Promise<void>((r) => {
      const t = setTimeout(r, READY_TIMEOUT_MS);
      this.watcher?.once('ready', () => {
        clearTimeout(t);
        r();
      });
    });
  }

  /** Why a pattern's base is not watched: home folder, a link out of the project, or too big a tree. */
  private refuse(base: string, abs: string, raw: string): string | undefined {
    if (abs === homedir()) return `"${raw}" would watch the whole home folder`;
    if (base) {
      try {
        const { st } = checkInside(this.root, base.replace(/\/+$/, ''));
        if (st?.isSymbolicLink()) return `${base} is a symbolic link; datasets never follow links out of the project`;
        if (!st?.isDirectory()) return undefined;
      } catch (e) {
        return e instanceof Error ? e.message : String(e);
      }
    }
    const n = countEntries(abs, MAX_WATCHED_ENTRIES);
    if (n > MAX_WATCHED_ENTRIES) return `${base || '.'} holds more than ${MAX_WATCHED_ENTRIES} files and folders; too many to watch (run \`mlops data snapshot\` instead)`;
    return undefined;
  }

  private onChange(absPath: string): void {
    const rel = toRel(this.root, absPath);
    for (const m of this.matchers) {
      if (!m.re.test(rel)) continue;
      const prev = this.timers.get(m.dataset);
      if (prev) clearTimeout(prev);
      this.timers.set(
        m.dataset,
        setTimeout(() => {
          this.timers.delete(m.dataset);
          this.datasets.snapshot(m.dataset, 'watch', 'daemon:watcher').then(
            (r) => r.created && this.log.info(`data.${m.dataset}: new version ${r.version.version} after a change`),
            (e: unknown) => this.log.warn(`data.${m.dataset}: snapshot after change failed: ${String(e)}`),
          );
        }, this.debounceMs),
      );
    }
  }

  async close(): Promise<void> {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await this.watcher?.close();
    this.watcher = undefined;
  }
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

