/**
 * `pipeline.triggers` in the daemon: cron schedules (croner), data changes (a new dataset version
 * recorded by the watcher, which already waits for a burst of writes to settle), drift alerts of a
 * deployment (`alert.opened` events of kind drift raised by monitoring), and runs asked for over the
 * API (the Pipelines view). Pipelines run one at a time as `mlops run --trigger <why>` child
 * processes (the same runner as by hand, see docs/ARCHITECTURE.md); requests arriving while one
 * runs are coalesced into one next run per stage selection that records every reason. Each start
 * is a `pipeline.triggered` event.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Cron } from 'croner';
import { type MlopsEvent } from '../../../schemas/src/api';
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

/** What to run: a stage selection (empty: all) and whether to force it. */
export interface RunRequest {
  stages: string[];
  force: boolean;
}

interface Pending extends RunRequest {
  reasons: string[];
}

const ALL: RunRequest = { stages: [], force: false };

/** A drift alert: `alert.opened` on `deployment:<name>` whose alert (`after`) has kind drift. */
function driftAlertOf(ev: MlopsEvent): string | undefined {
  if (ev.kind !== 'alert.opened') return undefined;
  const after = ev.after;
  if (!after || typeof after !== 'object' || (after as { kind?: unknown }).kind !== 'drift') return undefined;
  return /^deployment:(.+)$/.exec(ev.subject)?.[1];
}

export class PipelineTriggers {
  private crons: Cron[] = [];
  private watched = new Set<string>();
  private drifting = new Set<string>();
  private active = false;
  private pending: Pending[] = [];
  private readonly unsubscribe: () => void;
  /** Finished triggered runs, for tests and status: reason and exit code. */
  readonly history: { reason: string; code: number | null }[] = [];

  constructor(
    private readonly root: string,
    private readonly events: EventLog,
    private readonly log: Logger,
  ) {
    this.unsubscribe = events.subscribe((ev) => this.onEvent(ev));
  }

  private onEvent(ev: MlopsEvent): void {
    if (ev.kind === 'dataset.version_created' && ev.reason === 'watch') {
      const name = ev.subject.replace(/^dataset:/, '').replace(/\/\d+$/, '');
      if (this.watched.has(name)) this.fire(`data change of ${name}`);
      return;
    }
    const deployment = driftAlertOf(ev);
    if (deployment !== undefined && this.drifting.has(deployment)) this.fire(`drift alert on ${deployment}`);
  }

  update(cfg: MlopsConfig | undefined): void {
    for (const c of this.crons) c.stop();
    this.crons = [];
    this.watched = new Set();
    this.drifting = new Set();
    for (const t of cfg?.pipeline?.triggers ?? []) {
      if (t.kind === 'schedule' && t.cron) {
        try {
          this.crons.push(new Cron(t.cron, () => void this.fire(`schedule ${t.cron ?? ''}`)));
        } catch (e) {
          this.log.warn(`pipeline.triggers: cron "${t.cron}" is invalid: ${e instanceof Error ? e.message : String(e)}`);
        }
      } else if (t.kind === 'data_change' && t.dataset) this.watched.add(t.dataset);
      else if (t.kind === 'drift' && t.deployment) this.drifting.add(t.deployment);
    }
  }

  /** True while a pipeline started here runs. */
  get running(): boolean {
    return this.active;
  }

  schedules(): Schedule[] {
    return this.crons.map((c) => ({ cron: c.getPattern() ?? '', next_run: c.nextRun()?.toISOString() ?? null }));
  }

  /**
   * Starts a run now, or folds the reason into the next one with the same selection if a run is
   * going. Returns true when it waits behind a running pipeline.
   */
  fire(reason: string, req: RunRequest = ALL): boolean {
    const same = this.pending.find((p) => p.force === req.force && p.stages.join('\0') === req.stages.join('\0'));
    if (!same) this.pending.push({ ...req, reasons: [reason] });
    else if (!same.reasons.includes(reason)) same.reasons.push(reason);
    const queued = this.active;
    if (!this.active) void this.drain();
    return queued;
  }

  private async drain(): Promise<void> {
    this.active = true;
    for (let next = this.pending.shift(); next; next = this.pending.shift()) {
      const reason = next.reasons.join('; ');
      this.events.record({ actor: 'daemon', kind: 'pipeline.triggered', subject: 'pipeline:mlops.yaml', after: { stages: next.stages, force: next.force }, reason });
      const code = await this.runOnce(reason, next);
      this.history.push({ reason, code });
    }
    this.active = false;
  }

  private runOnce(reason: string, req: RunRequest): Promise<number | null> {
    const dir = join(this.root, '.mlops', 'pipelines');
    mkdirSync(dir, { recursive: true });
    const out = createWriteStream(join(dir, 'triggered.log'), { flags: 'a' });
    const extra = [...(req.force ? ['--force'] : []), ...req.stages];
    out.write(`\n# ${new Date().toISOString()} mlops run --trigger "${reason}"${extra.length ? ` ${extra.join(' ')}` : ''}\n`);
    this.log.info(`pipeline triggered: ${reason}`);
    return new Promise((done) => {
      const args = [cliPath(), 'run', '--trigger', reason, ...extra];
      const child = spawn(process.execPath, args, { cwd: this.root, env: { ...process.env, MLOPS_ROOT: this.root }, stdio: ['ignore', 'pipe', 'pipe'] });
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
