/**
 * Watches the configured datasets with chokidar and snapshots a dataset a second after its files
 * stop changing. Only each pattern's static base folder is watched (never the whole home folder),
 * and `.mlops/` and `.git/` are ignored.
 */
import { watch, type FSWatcher } from 'chokidar';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { type MlopsConfig } from '../../../schemas/src/mlops-yaml';
import { type Logger } from '../util/logger';
import { checkPattern, globToRegExp, IGNORED_DIRS, isGlob, staticBase, toRel } from './glob';
import { type Datasets } from './datasets';

const DEBOUNCE_MS = 1000;

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
        if (abs === homedir()) {
          this.log.warn(`not watching data.${name}: "${raw}" would watch the whole home folder`);
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
      ignored: (p: string) => p.split(/[\\/]/).some((seg) => IGNORED_DIRS.has(seg)),
      awaitWriteFinish: { stabilityThreshold: 200, pollInterval: 50 },
    });
    this.watcher.on('all', (_event, path) => this.onChange(path));
    this.watcher.on('error', (e) => this.log.warn(`dataset watcher: ${String(e)}`));
    await new Promise<void>((r) => this.watcher?.once('ready', () => r()));
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

