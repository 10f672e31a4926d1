/**
 * The daemon's view of `mlops.yaml`: parsed once, re-parsed when the file changes (checked by
 * mtime on access, and pushed to listeners by a chokidar watch on the one file).
 */
import { watch, type FSWatcher } from 'chokidar';
import { statSync } from 'node:fs';
import { type MlopsConfig } from '../../../schemas/src/mlops-yaml';
import { type Logger } from '../util/logger';
import { formatProblems, loadConfig, type ConfigResult } from '../../../shared/src/mlops-yaml';

export class ConfigHolder {
  private result?: ConfigResult;
  /** Kept while the file is invalid: a broken edit never takes the daemon's configuration away. */
  private lastGood?: MlopsConfig;
  private mtime = -1;
  private watcher?: FSWatcher;
  private readonly listeners: ((cfg: MlopsConfig | undefined) => void)[] = [];

  constructor(
    private readonly root: string,
    private readonly log: Logger,
    /** Told (once per change of the file) what is wrong with an invalid mlops.yaml. */
    private readonly onInvalid?: (problems: string) => void,
  ) {}

  /** The last valid configuration; undefined when the file is missing or has never been valid. */
  get(): MlopsConfig | undefined {
    this.refresh();
    if (this.result && !this.result.ok && this.result.missing) return undefined;
    return this.lastGood;
  }

  current(): ConfigResult {
    this.refresh();
    return this.result ?? loadConfig(this.root);
  }

  private refresh(): boolean {
    let m = 0;
    try {
      m = statSync(`${this.root}/mlops.yaml`).mtimeMs;
    } catch {
      m = 0;
    }
    if (m === this.mtime && this.result) return false;
    this.mtime = m;
    let next: ConfigResult;
    try {
      next = loadConfig(this.root);
    } catch (e) {
      // Whatever the file holds, reading it never brings the daemon down.
      next = { ok: false, file: `${this.root}/mlops.yaml`, problems: [{ line: 1, column: 1, path: '', message: e instanceof Error ? e.message : String(e), range: [0, 0] }] };
    }
    if (next.ok) this.lastGood = next.config;
    else if (!next.missing) {
      const text = formatProblems(next);
      this.log.warn(`mlops.yaml is invalid${this.lastGood ? ' (keeping the last valid configuration)' : ''}:\n${text}`);
      this.onInvalid?.(text);
    }
    this.result = next;
    return true;
  }

  onChange(listener: (cfg: MlopsConfig | undefined) => void): void {
    this.listeners.push(listener);
  }

  start(): void {
    this.watcher = watch(`${this.root}/mlops.yaml`, { ignoreInitial: true, awaitWriteFinish: { stabilityThreshold: 100, pollInterval: 50 } });
    this.watcher.on('all', () => {
      if (this.refresh()) for (const l of this.listeners) l(this.get());
    });
  }

  async close(): Promise<void> {
    await this.watcher?.close();
  }
}
