/**
 * The extension's one root object. `activate` builds it and returns at once: views and commands are
 * registered synchronously, the daemon connection and the language server start in the background,
 * and only in a trusted workspace. It wires views to the daemon (events, first load), to mlops.yaml
 * (reload on change) and to each other (comparisons, context keys); views know none of this.
 */
import { existsSync, readdirSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { type ComparisonData } from '../../schemas/src/webview';
import { type DaemonClient } from '../../client/src/client';
import { loadConfig } from '../../shared/src/mlops-yaml';
import { ComparisonPanel, type ComparisonEnv, type ComparisonSource } from './comparison/panel';
import { dashboardsHandleEvent, DriftPanel, LatencyPanel, type DashboardEnv } from './dashboards/panels';
import { saveExport } from './dashboards/save';
import { type MlopsConfig } from '../../schemas/src/mlops-yaml';
import { type MetricDirections } from './comparison/data';
import { readConfig } from './config';
import { DaemonStatusBar } from './daemon/status-bar';
import { DaemonSupervisor } from './daemon/supervisor';
import { LanguageClientHost } from './language-client';
import { convertNotebookCommand } from './notebooks/convert';
import { showFailure } from './ui';
import { createLog } from './log';
import { ProjectCommands } from './project/commands';
import { projectFacts, type ProjectFacts } from './project/facts';
import { ReadonlyDocuments } from './shared/documents';
import { type ViewContext } from './shared/view';
import { type CommandDecls, type CommandHandler, type Handlers } from './shell/contrib';
import { CONTEXT_KEYS, DRIFT_VIEW_TYPE, LATENCY_VIEW_TYPE, PROJECT_COMMANDS, type ContextKey } from './shell/ids';
import { type ShellParts } from './shell/types';
import { execute } from './shell/execute';
import { Scope } from './util/scope';
import { errorMessage } from './util/errors';
import { createViews } from './views';

const UNTRUSTED_MESSAGE =
  'MLOps is disabled in this untrusted workspace: it would start a daemon and run the project\'s code. Trust the workspace to use it.';

/** mlops.yaml saves arrive in bursts (format on save, quick fixes): one reload after they settle. */
const CONFIG_SETTLE_MS = 300;
/** Long enough for VS Code to register the walkthrough's completion events after its tab opens. */
const WALKTHROUGH_SETTLE_MS = 1500;

export class Workbench implements vscode.Disposable {
  private readonly scope = new Scope();
  readonly log = this.scope.add(createLog());
  private supervisor?: DaemonSupervisor;
  private root?: string;
  private facts: ProjectFacts = projectFacts(undefined);
  private projectConfig?: MlopsConfig;
  private readonly views: ReturnType<typeof createViews>;
  private readonly docs = this.scope.add(new ReadonlyDocuments());
  private readonly statusBar: DaemonStatusBar;
  private readonly languageClient: LanguageClientHost;
  private readonly contextValues = new Map<string, boolean | string>();
  private configTimer?: NodeJS.Timeout;
  private started = false;
  private readonly created = performance.now();
  private readonly handlers = new Map<string, CommandHandler>();

  constructor(
    private readonly ctx: vscode.ExtensionContext,
    private readonly shell: ShellParts,
  ) {
    this.views = createViews(this.viewContext());
    for (const v of this.views.all) this.scope.add(v);
    this.statusBar = this.scope.add(new DaemonStatusBar(() => this.config().statusBar.showProductionVersions));
    const lsp = { serverModule: ctx.asAbsolutePath(join('dist', 'language-server.js')), clientBundle: ctx.asAbsolutePath(join('dist', 'extension-lsp.js')) };
    this.languageClient = this.scope.add(new LanguageClientHost(lsp, this.log, () => this.config().languageServer.enabled));
  }

  config() {
    return readConfig(vscode.workspace.getConfiguration('mlops'));
  }

  private viewContext(): ViewContext {
    return {
      client: () => this.client(),
      log: this.log,
      project: () => this.facts,
      compare: (source) => this.compare(source),
      metricDirections: (): MetricDirections => this.config().comparison.metricDirections,
      showDocument: (path, content) => this.docs.show(path, content),
      openDashboard: (target) => this.openDashboard(target),
      config: () => this.projectConfig,
      extensionUri: this.ctx.extensionUri,
    };
  }

  activate(): void {
    // The shell created the views at activation with delegating providers; plug the real ones in.
    for (const v of this.views.all) {
      this.shell.providers.get(v.decl.id)?.setTarget(v.tree);
      const view = this.shell.views.get(v.decl.id);
      if (view) v.tree.attachView(view);
      this.scope.add(v.tree.onDidApply.on(() => this.updateContextKeys()));
    }
    this.scope.add(this.views.registry.tree.onDidApply.on(() => this.statusBar.setProduction(this.views.registry.productionVersions())));
    this.registerCommands();
    this.scope.add(vscode.window.tabGroups.onDidChangeTabs((e) => this.walkthroughOpened(e.opened)));
    this.walkthroughOpened(vscode.window.tabGroups.all.flatMap((g) => g.tabs));
    this.log.info(`activated in ${this.shell.activationMs().toFixed(1)} ms (core loaded ${(performance.now() - this.created).toFixed(1)} ms after construction began)`);
    if (vscode.workspace.isTrusted) {
      this.startTrusted();
    } else {
      this.setContext(CONTEXT_KEYS.untrusted, true);
      this.statusBar.setState({ kind: 'disabled', message: UNTRUSTED_MESSAGE });
      this.log.info(UNTRUSTED_MESSAGE);
      this.scope.add(vscode.workspace.onDidGrantWorkspaceTrust(() => this.startTrusted()));
    }
  }

  /** Runs a command the shell registered; every declared id has a handler (the types make sure). */
  run(command: string, args: unknown[]): unknown {
    const handler = this.handlers.get(command);
    if (!handler) throw new Error(`MLOps has no handler for ${command}`);
    return (handler as (...a: unknown[]) => unknown)(...args);
  }

  restorePanel(panel: vscode.WebviewPanel, state: unknown): void {
    if (panel.viewType === DRIFT_VIEW_TYPE) DriftPanel.restore(this.dashboardEnv(), panel, state);
    else if (panel.viewType === LATENCY_VIEW_TYPE) LatencyPanel.restore(this.dashboardEnv(), panel, state);
    else ComparisonPanel.restore(this.comparisonEnv(), panel, state);
  }

  private registerCommands(): void {
    const project = new ProjectCommands({
      extensionPath: this.ctx.extensionPath,
      root: () => this.root,
      supervisor: () => this.supervisor,
      log: this.log,
      production: () => this.views.registry.productionVersions(),
      initialized: (root) => this.projectAppeared(root),
      convertNotebook: (arg) => convertNotebookCommand(this.languageClient, arg).catch((e: unknown) => showFailure(this.log, 'Convert to Pipeline', e)),
    });
    this.addHandlers(PROJECT_COMMANDS, project.handlers());
    for (const v of this.views.all) this.addHandlers(v.decl.commands, v.handlers);
  }

  private addHandlers(decls: CommandDecls, handlers: Handlers<CommandDecls>): void {
    for (const [key, decl] of Object.entries(decls)) {
      const handler = handlers[key];
      if (handler) this.handlers.set(decl.id, handler);
    }
  }

  /** Starts the daemon connection and the language server; runs once, when the workspace is trusted. */
  private startTrusted(): void {
    if (this.started) return;
    this.started = true;
    this.setContext(CONTEXT_KEYS.untrusted, false);
    if (this.config().languageServer.enabled) this.languageClient.startWhenNeeded();
    this.root = this.findRoot();
    if (!this.root) {
      this.statusBar.setState({ kind: 'stopped' });
      this.setContext(CONTEXT_KEYS.initialized, false);
      this.log.info('no mlops.yaml in the workspace: run "MLOps: Initialize Project" to create one');
      return;
    }
    this.projectAppeared(this.root);
  }

  /** A project root is known (at start, or after "Initialize Project"): follow its mlops.yaml and daemon. */
  private projectAppeared(root: string): void {
    if (this.supervisor && this.root === root) return;
    this.root = root;
    this.readFacts();
    this.setContext(CONTEXT_KEYS.initialized, true);
    const watcher = this.scope.add(vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(root, 'mlops.yaml')));
    for (const on of [watcher.onDidChange, watcher.onDidCreate, watcher.onDidDelete]) this.scope.add(on(() => this.configChanged()));
    if (!this.supervisor) this.startSupervisor(root);
  }

  private readFacts(): void {
    if (!this.root) return;
    const r = loadConfig(this.root);
    // An invalid file keeps the last good facts: the language server reports the problems.
    if (r.ok) {
      this.facts = projectFacts(r.config);
      this.projectConfig = r.config;
    }
    this.setContext(CONTEXT_KEYS.initialized, r.ok || !r.missing);
  }

  /** mlops.yaml changed: re-read what views show from it, and let each view reload what the daemon derives from it. */
  private configChanged(): void {
    clearTimeout(this.configTimer);
    this.configTimer = setTimeout(() => {
      this.readFacts();
      for (const v of this.views.all) v.tree.onConfigChanged();
    }, CONFIG_SETTLE_MS);
  }

  private startSupervisor(root: string): void {
    const sup = new DaemonSupervisor({
      root,
      daemonScript: this.ctx.asAbsolutePath(join('dist', 'daemon.js')),
      settings: () => this.config().daemon,
      log: this.log,
    });
    this.supervisor = this.scope.add(sup);
    sup.onState.on((s) => {
      this.statusBar.setState(s);
      this.setContext(CONTEXT_KEYS.daemonState, s.kind);
    });
    sup.onFirstConnect.on(() => void this.loadAll());
    sup.onEvent.on((ev) => {
      for (const v of this.views.all) v.tree.handleEvent(ev);
      dashboardsHandleEvent(ev);
    });
    sup.start();
  }

  private async loadAll(): Promise<void> {
    const results = await Promise.allSettled(this.views.all.map((v) => v.tree.reload()));
    for (const r of results) if (r.status === 'rejected') this.log.warn(`initial load: ${errorMessage(r.reason)}`);
  }

  /** See manifest.ts (walkthrough): completes steps whose facts were true before the walkthrough started. */
  private walkthroughOpened(tabs: readonly vscode.Tab[]): void {
    if (this.contextValues.get(CONTEXT_KEYS.walkthroughOpened) || !tabs.some((t) => t.input === undefined && /^(Welcome|Walkthrough)\b/.test(t.label))) return;
    setTimeout(() => this.setContext(CONTEXT_KEYS.walkthroughOpened, true), WALKTHROUGH_SETTLE_MS).unref();
  }

  private updateContextKeys(): void {
    for (const v of this.views.all) {
      for (const [key, value] of Object.entries(v.contextKeys?.() ?? {})) this.setContext(key as ContextKey, value);
    }
  }

  /** Sets a context key when its value changes (each call is a round trip to the renderer). */
  private setContext(key: ContextKey, value: boolean | string): void {
    if (this.contextValues.get(key) === value) return;
    this.contextValues.set(key, value);
    void vscode.commands.executeCommand('setContext', key, value);
  }

  /** The project: a workspace folder with mlops.yaml, or one folder below it (as the activation events say). */
  private findRoot(): string | undefined {
    const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
    return folders.find((f) => existsSync(join(f, 'mlops.yaml'))) ?? folders.map(projectBelow).find((p) => p !== undefined);
  }

  private async client(): Promise<DaemonClient> {
    if (!vscode.workspace.isTrusted) throw new Error(UNTRUSTED_MESSAGE);
    if (!this.supervisor) {
      // Never start a daemon in a folder that is no project: it would create .mlops/ there.
      const root = this.root ?? this.findRoot();
      if (!root) throw new Error('this workspace has no mlops.yaml: run "MLOps: Initialize Project" first');
      this.projectAppeared(root);
    }
    return (this.supervisor as DaemonSupervisor).getClient();
  }

  private comparisonEnv(): ComparisonEnv {
    return {
      extensionUri: this.ctx.extensionUri,
      log: this.log,
      load: (source) => this.loadComparison(source),
      revealRun: async (id) => void (await execute('mlops.experiments.revealRun', id)),
    };
  }

  /** The view that feeds this kind of comparison loads it. */
  private loadComparison(source: ComparisonSource): Promise<ComparisonData> {
    for (const v of this.views.all) {
      const loading = v.loadComparison?.(source);
      if (loading) return loading;
    }
    return Promise.reject(new Error(`no view compares ${source.type}`));
  }

  async compare(source: ComparisonSource): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(UNTRUSTED_MESSAGE);
      return;
    }
    ComparisonPanel.show(this.comparisonEnv(), source);
  }

  private dashboardEnv(): DashboardEnv {
    return {
      extensionUri: this.ctx.extensionUri,
      log: this.log,
      client: () => this.client(),
      config: () => this.projectConfig,
      save: (format, filename, content) => saveExport(this.root, format, filename, content, this.log),
    };
  }

  async openDashboard(target: Parameters<ViewContext['openDashboard']>[0]): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(UNTRUSTED_MESSAGE);
      return;
    }
    if (target.kind === 'drift') DriftPanel.show(this.dashboardEnv(), target.source);
    else LatencyPanel.show(this.dashboardEnv(), target.source);
  }

  dispose(): void {
    clearTimeout(this.configTimer);
    this.scope.dispose();
  }
}

/** The first direct subfolder of `folder` that holds mlops.yaml (sorted, so the choice is stable). */
function projectBelow(folder: string): string | undefined {
  let entries: Dirent[];
  try {
    entries = readdirSync(folder, { withFileTypes: true });
  } catch {
    return undefined;
  }
  return entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules')
    .map((e) => join(folder, e.name))
    .sort()
    .find((d) => existsSync(join(d, 'mlops.yaml')));
}
