/**
 * `pipeline.triggers` in the daemon: cron schedules (croner), data changes (a new dataset version
 * recorded by the watcher, which already waits for a burst of writes to settle), and drift alerts
 * (not available until monitoring raises alerts). Triggered pipelines run one at a time as
 * `mlops run --trigger <why>` child processes (the same runner as by hand, see docs/ARCHITECTURE.md);
 * triggers arriving while one runs are coalesced into a single next run that records every reason.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Cron } from 'croner';
import { type MlopsConfig } from '../../../schemas/src/mlops-yaml';
import { type EventLog } from '../events/event-log';
import { type Logger } from '../util/logger';

export interface Schedule {
  cron: string;
  next_run: string | null;
}

function cliPath(): string {
  // Bundled, the CLI sits beside daemon.js in dist/; run from source (tests), it is the built one.
  const beside = join(__dirname, 'cli.js');
  return existsSync(beside) ? beside : join(__dirname, '..', '..', '..', 'dist', 'cli.js');
}

export class PipelineTriggers {
  private crons: Cron[] = [];
  private watched = new Set<string>();
  private running = false;
  private pending: string[] = [];
  private readonly unsubscribe: () => void;
  /** Finished triggered runs, for tests and status: reason and exit code. */
  readonly history: { reason: string; code: number | null }[] = [];

  constructor(
    private readonly root: string,
    events: EventLog,
    private readonly log: Logger,
  ) {
    this.unsubscribe = events.subscribe((ev) => {
      if (ev.kind !== 'dataset.version_created' || ev.reason !== 'watch') return;
      const name = ev.subject.replace(/^dataset:/, '').replace(/\/\d+$/, '');
      if (this.watched.has(name)) this.fire(`data change of ${name}`);
    });
  }

  update(cfg: MlopsConfig | undefined): void {
    for (const c of this.crons) c.stop();
    this.crons = [];
    this.watched = new Set();
    for (const t of cfg?.pipeline?.triggers ?? []) {
      if (t.kind === 'schedule' && t.cron) {
        try {
          this.crons.push(new Cron(t.cron, () => this.fire(`schedule ${t.cron ?? ''}`)));
        } catch (e) {
          this.log.warn(`pipeline.triggers: cron "${t.cron}" is invalid: ${e instanceof Error ? e.message : String(e)}`);
        }
      } else if (t.kind === 'data_change' && t.dataset) this.watched.add(t.dataset);
      else if (t.kind === 'drift') this.log.info(`pipeline.triggers: drift triggers wait for monitoring alerts, not in this build (${t.deployment ?? t.dataset ?? ''})`);
    }
  }

  schedules(): Schedule[] {
    return this.crons.map((c) => ({ cron: c.getPattern() ?? '', next_run: c.nextRun()?.toISOString() ?? null }));
  }

  /** Starts a run now, or folds the reason into the next one if a run is going. */
  fire(reason: string): void {
    if (!this.pending.includes(reason)) this.pending.push(reason);
    if (!this.running) void this.drain();
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.pending.length) {
      const reason = this.pending.join('; ');
      this.pending = [];
      const code = await this.runOnce(reason);
      this.history.push({ reason, code });
    }
    this.running = false;
  }

  private runOnce(reason: string): Promise<number | null> {
    const dir = join(this.root, '.mlops', 'pipelines');
    mkdirSync(dir, { recursive: true });
    const out = createWriteStream(join(dir, 'triggered.log'), { flags: 'a' });
    out.write(`\n# ${new Date().toISOString()} mlops run --trigger "${reason}"\n`);
    this.log.info(`pipeline triggered: ${reason}`);
    return new Promise((done) => {
      const child = spawn(process.execPath, [cliPath(), 'run', '--trigger', reason], { cwd: this.root, env: { ...process.env, MLOPS_ROOT: this.root }, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.pipe(out, { end: false });
      child.stderr.pipe(out, { end: false });
      child.on('error', (e) => {
        out.end(`# could not start: ${e.message}\n`);
        done(null);
      });
      child.on('close', (code) => {
        out.end(`# exit code ${code}\n`);
        done(code);
      });
    });
  }

  close(): void {
    for (const c of this.crons) c.stop();
    this.unsubscribe();
  }
}
