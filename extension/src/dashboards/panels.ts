/**
 * The drift and latency dashboard panels: one per subject (a dataset, a deployment), reused when
 * opened again, restored after a reload from the state their page saved. They follow the daemon's
 * event stream (and, for a deployment shown live, a short poll while visible): drift reloads and
 * posts `update`; latency fetches only the steps since its last one and posts a `patch`.
 */
import * as vscode from 'vscode';
import { type DaemonClient } from '../../../client/src/client';
import { type MlopsEvent } from '../../../schemas/src/api';
import { type MlopsConfig } from '../../../schemas/src/mlops-yaml';
import { webviewStateSchema, type DriftSource, type LatencySource, type WebviewMessage } from '../../../schemas/src/webview';
import { errorMessage } from '../util/errors';
import { BasePanel, panelOptions, type PanelEnv } from '../webview/base-panel';
import { DRIFT_VIEW_TYPE, LATENCY_VIEW_TYPE } from '../shell/ids';
import { breakerMark, datasetDrift, deploymentDrift, latencyCursor, latencyDashboard, latencyPatch, latencySince, shadowFor, type LatencyCursor } from './data';

export interface DashboardEnv extends PanelEnv {
  client(): Promise<DaemonClient>;
  config(): MlopsConfig | undefined;
  /** "Export CSV" / "Save PNG": asks where and writes the file. */
  save(format: 'csv' | 'png', filename: string, content: string): Promise<void>;
  /** Told after each render (charts, rows): logged; the e2e suite reads the log. */
  onRendered?(kind: 'drift' | 'latency', charts: number, rows: number): void;
}

/** While a live deployment dashboard is visible, new steps are fetched this often (events also trigger a fetch). */
export const LIVE_POLL_MS = 5000;

const open = new Set<DashboardPanel>();

/** Every open dashboard hears every daemon event; each decides whether it concerns it. */
export function dashboardsHandleEvent(ev: MlopsEvent): void {
  for (const p of open) p.handleEvent(ev);
}

abstract class DashboardPanel extends BasePanel {
  private timer?: NodeJS.Timeout;
  private busy = false;
  private again = false;

  protected constructor(
    panel: vscode.WebviewPanel,
    protected readonly denv: DashboardEnv,
    kind: 'drift' | 'latency',
  ) {
    super(panel, denv, kind);
    open.add(this);
    this.timer = setInterval(() => {
      if (this.panel.visible && this.live()) this.refreshSoon();
    }, LIVE_POLL_MS);
  }

  abstract handleEvent(ev: MlopsEvent): void;
  /** Whether the panel follows time (a deployment over a window ending now). */
  protected abstract live(): boolean;
  protected abstract refresh(): Promise<void>;

  /** One refresh at a time; a request during one runs once more after it. */
  protected refreshSoon(): void {
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    void this.refresh()
      .catch((e: unknown) => this.env.log.warn(`${this.kind} dashboard: ${errorMessage(e)}`))
      .finally(() => {
        this.busy = false;
        if (this.again) {
          this.again = false;
          this.refreshSoon();
        }
      });
  }

  protected common(msg: WebviewMessage): boolean {
    if (msg.type === 'export') {
      void this.denv.save(msg.format, msg.filename, msg.content).catch((e: unknown) => void vscode.window.showErrorMessage(`Could not save ${msg.filename}: ${errorMessage(e)}`));
      return true;
    }
    if (msg.type === 'rendered') {
      this.env.log.info(`${this.kind} dashboard rendered ${msg.charts} chart(s) and ${msg.rows} row(s)`);
      this.denv.onRendered?.(this.kind as 'drift' | 'latency', msg.charts, msg.rows);
      return true;
    }
    return false;
  }

  override dispose(): void {
    open.delete(this);
    if (this.timer) clearInterval(this.timer);
    super.dispose();
  }
}

const driftKey = (s: DriftSource): string => (s.type === 'dataset' ? `dataset:${s.dataset}` : `deployment:${s.deployment}`);

export class DriftPanel extends DashboardPanel {
  private static readonly panels = new Map<string, DriftPanel>();
  private sent = false;

  private constructor(panel: vscode.WebviewPanel, env: DashboardEnv, private source: DriftSource) {
    super(panel, env, 'drift');
    DriftPanel.panels.set(driftKey(source), this);
  }

  static show(env: DashboardEnv, source: DriftSource): DriftPanel {
    const existing = DriftPanel.panels.get(driftKey(source));
    if (existing && !existing.disposed) {
      existing.source = source;
      existing.panel.reveal(vscode.ViewColumn.Active);
      existing.refreshSoon();
      return existing;
    }
    const title = source.type === 'dataset' ? `Drift: ${source.dataset}` : `Drift: ${source.deployment}`;
    return new DriftPanel(vscode.window.createWebviewPanel(DRIFT_VIEW_TYPE, title, vscode.ViewColumn.Active, panelOptions(env.extensionUri)), env, source);
  }

  static restore(env: DashboardEnv, panel: vscode.WebviewPanel, state: unknown): void {
    const parsed = webviewStateSchema.safeParse(state);
    if (!parsed.success || parsed.data.kind !== 'drift') {
      env.log.warn('dropping a drift dashboard whose saved state is unreadable');
      panel.dispose();
      return;
    }
    new DriftPanel(panel, env, parsed.data.source);
  }

  protected onReady(): void {
    this.sent = false;
    this.refreshSoon();
  }

  protected live(): boolean {
    return this.source.type === 'deployment' && this.source.window.kind !== 'custom';
  }

  protected async refresh(): Promise<void> {
    try {
      const c = await this.denv.client();
      const data = this.source.type === 'dataset' ? await datasetDrift(c, this.source) : await deploymentDrift(c, this.source, this.denv.config());
      this.panel.title = data.title;
      this.post({ type: this.sent ? 'update' : 'init', kind: 'drift', data, source: this.source });
      this.sent = true;
    } catch (e) {
      this.post({ type: 'error', message: errorMessage(e) });
    }
  }

  handleEvent(ev: MlopsEvent): void {
    const s = this.source;
    if (s.type === 'dataset') {
      const names = [s.dataset, s.reference?.split('@')[0]].filter(Boolean);
      if (ev.kind === 'dataset.version_created' && names.some((n) => ev.subject.startsWith(`dataset:${n}/`))) this.refreshSoon();
    } else if (ev.subject === `deployment:${s.deployment}` && (ev.kind.startsWith('alert.') || ev.kind === 'deployment.switched')) this.refreshSoon();
  }

  protected onMessage(msg: WebviewMessage): void {
    if (this.common(msg)) return;
    if (msg.type === 'driftSource') {
      this.source = msg.source;
      this.refreshSoon();
    }
  }

  override dispose(): void {
    if (DriftPanel.panels.get(driftKey(this.source)) === this) DriftPanel.panels.delete(driftKey(this.source));
    super.dispose();
  }
}

export class LatencyPanel extends DashboardPanel {
  private static readonly panels = new Map<string, LatencyPanel>();
  /** What the page was last sent (its last step, the shadow figures); undefined until the page has its data. */
  private last?: LatencyCursor;

  private constructor(panel: vscode.WebviewPanel, env: DashboardEnv, private source: LatencySource) {
    super(panel, env, 'latency');
    LatencyPanel.panels.set(source.deployment, this);
  }

  static show(env: DashboardEnv, source: LatencySource): LatencyPanel {
    const existing = LatencyPanel.panels.get(source.deployment);
    if (existing && !existing.disposed) {
      existing.panel.reveal(vscode.ViewColumn.Active);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(LATENCY_VIEW_TYPE, `Latency: ${source.deployment}`, vscode.ViewColumn.Active, panelOptions(env.extensionUri));
    return new LatencyPanel(panel, env, source);
  }

  static restore(env: DashboardEnv, panel: vscode.WebviewPanel, state: unknown): void {
    const parsed = webviewStateSchema.safeParse(state);
    if (!parsed.success || parsed.data.kind !== 'latency') {
      env.log.warn('dropping a latency dashboard whose saved state is unreadable');
      panel.dispose();
      return;
    }
    new LatencyPanel(panel, env, parsed.data.source);
  }

  protected onReady(): void {
    this.last = undefined;
    this.refreshSoon();
  }

  protected live(): boolean {
    return this.source.window.kind !== 'custom';
  }

  /** The whole dashboard the first time (or after a new window); afterwards only the steps since the last. */
  protected async refresh(): Promise<void> {
    try {
      const c = await this.denv.client();
      if (!this.last) {
        const data = await latencyDashboard(c, this.source, this.denv.config());
        this.post({ type: 'init', kind: 'latency', data, source: this.source });
        this.last = latencyCursor(data);
        return;
      }
      const since = await latencySince(c, this.source.deployment, this.last.t, this.last.step);
      const shadow = await shadowFor(c, this.source.deployment, this.denv.config());
      const next = latencyPatch(this.last, since, shadow);
      if (!next) return;
      this.post({ type: 'patch', kind: 'latency', patch: next.patch });
      this.last = next.cursor;
    } catch (e) {
      this.post({ type: 'error', message: errorMessage(e) });
    }
  }

  handleEvent(ev: MlopsEvent): void {
    if (ev.subject !== `deployment:${this.source.deployment}` || !this.last) return;
    const mark = breakerMark(ev);
    if (mark) {
      const state = ev.kind === 'breaker.opened' ? 'open' : ev.kind === 'breaker.half_open' ? 'half_open' : 'closed';
      this.post({ type: 'patch', kind: 'latency', patch: { from: Number.MAX_SAFE_INTEGER, series: { t: [], p50: [], p95: [], p99: [], error_rate: [], throughput: [], in_flight: [] }, marks: [mark], breaker: state } });
    }
    if (this.live()) this.refreshSoon();
  }

  protected onMessage(msg: WebviewMessage): void {
    if (this.common(msg)) return;
    if (msg.type === 'latencySource') {
      this.source = msg.source;
      this.last = undefined;
      this.refreshSoon();
    }
  }

  override dispose(): void {
    if (LatencyPanel.panels.get(this.source.deployment) === this) LatencyPanel.panels.delete(this.source.deployment);
    super.dispose();
  }
}

