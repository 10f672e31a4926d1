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
  private mtime = -1;
  private watcher?: FSWatcher;
  private readonly listeners: ((cfg: MlopsConfig | undefined) => void)[] = [];

  constructor(
    private readonly root: string,
    private readonly log: Logger,
  ) {}

  /** The last valid configuration; undefined when the file is missing or has never been valid. */
  get(): MlopsConfig | undefined {
    this.refresh();
    return this.result?.ok ? this.result.config : undefined;
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
    const next = loadConfig(this.root);
    if (!next.ok && !next.missing) this.log.warn(`mlops.yaml is invalid:\n${formatProblems(next)}`);
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
