/**
 * The extension's one root object. `activate` builds it and returns at once: views and commands are
 * registered synchronously, the daemon connection and the language server start in the background,
 * and only in a trusted workspace.
 */
import { existsSync, readdirSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { ProjectCommands } from './commands';
import { ComparisonPanel, type ComparisonEnv, type ComparisonSource } from './comparison/panel';
import { fromRuns, fromVersions, type RunSeries } from './comparison/data';
import { readConfig } from './config';
import { DaemonStatusBar } from './daemon/status-bar';
import { DaemonSupervisor } from './daemon/supervisor';
import { tracking } from './experiments/api';
import { LanguageClientHost } from './language-client';
import { createLog } from './log';
import { RegistryCommands } from './registry/commands';
import { RegistryTreeProvider } from './registry/tree';
import { type ComparisonData } from '../../schemas/src/webview';
import { type DaemonClient } from '../../client/src/client';
import { ExperimentsFeature } from './experiments/feature';
import { type ExperimentsNode } from './experiments/model';
import { type CommandHandler, type CommandSink, type ShellParts } from './shell/types';
import { DatasetsFeature } from './datasets/feature';
import { Scope } from './util/scope';
import { errorMessage } from './util/errors';
import * as endpoints from '../../schemas/src/endpoints';

const UNTRUSTED_MESSAGE =
  'MLOps is disabled in this untrusted workspace: it would start a daemon and run the project\'s code. Trust the workspace to use it.';

export class Workbench implements vscode.Disposable {
  private readonly scope = new Scope();
  readonly log = this.scope.add(createLog());
  private supervisor?: DaemonSupervisor;
  private root?: string;
  private readonly registry: RegistryTreeProvider;
  private readonly experiments: ExperimentsFeature;
  private readonly datasets: DatasetsFeature;
  private readonly statusBar: DaemonStatusBar;
  private readonly languageClient: LanguageClientHost;
  private started = false;
  private readonly created = performance.now();

  private readonly handlers = new Map<string, CommandHandler>();

  constructor(
    private readonly ctx: vscode.ExtensionContext,
    private readonly shell: ShellParts,
  ) {
    const client = () => this.client();
    this.registry = this.scope.add(new RegistryTreeProvider(client, this.log));
    this.experiments = this.scope.add(new ExperimentsFeature(client, this.log, (ids) => this.compare({ type: 'runs', ids })));
    this.datasets = this.scope.add(new DatasetsFeature(client, this.log));
    this.statusBar = this.scope.add(new DaemonStatusBar(() => this.config().statusBar.showProductionVersions));
    this.languageClient = this.scope.add(new LanguageClientHost(ctx.asAbsolutePath(join('dist', 'language-server.js')), this.log));
  }

  config() {
    return readConfig(vscode.workspace.getConfiguration('mlops'));
  }

  activate(): void {
    // The shell created the views at activation with delegating providers; plug the real ones in.
    this.shell.providers.get('mlops.registry')?.setTarget(this.registry as vscode.TreeDataProvider<unknown>);
    this.shell.providers.get('mlops.experiments')?.setTarget(this.experiments as vscode.TreeDataProvider<unknown>);
    this.shell.providers.get('mlops.datasets')?.setTarget(this.datasets as vscode.TreeDataProvider<unknown>);
    const experimentsView = this.shell.views.get('mlops.experiments');
    if (experimentsView) this.experiments.attachView(experimentsView as vscode.TreeView<ExperimentsNode>);
    this.registerCommands();
    this.scope.add(this.registry.onDidApply.on(() => this.statusBar.setProduction(this.registry.model.productionVersions())));
    this.log.info(`activated in ${this.shell.activationMs().toFixed(1)} ms (core loaded ${(performance.now() - this.created).toFixed(1)} ms after construction began)`);
    if (vscode.workspace.isTrusted) {
      this.startTrusted();
    } else {
      void vscode.commands.executeCommand('setContext', 'mlops.untrusted', true);
      this.statusBar.setState({ kind: 'disabled', message: UNTRUSTED_MESSAGE });
      this.log.info(UNTRUSTED_MESSAGE);
      this.scope.add(vscode.workspace.onDidGrantWorkspaceTrust(() => this.startTrusted()));
    }
  }

  /** Runs a command the shell registered; every id in shell/ids.ts has a handler here. */
  run(command: string, args: unknown[]): unknown {
    const handler = this.handlers.get(command);
    if (!handler) throw new Error(`MLOps has no handler for ${command}`);
    return (handler as (...a: unknown[]) => unknown)(...args);
  }

  restorePanel(panel: vscode.WebviewPanel, state: unknown): void {
    ComparisonPanel.restore(this.comparisonEnv(), panel, state);
  }

  private registerCommands(): void {
    const sink: CommandSink = (id, handler) => void this.handlers.set(id, handler);
    const registry = new RegistryCommands({
      tree: this.registry,
      client: () => this.client(),
      log: this.log,
      compareVersions: (model, versions) => this.compare({ type: 'versions', model, versions }),
      revealRun: (id) => this.experiments.revealRun(id),
    });
    const project = new ProjectCommands({
      extensionPath: this.ctx.extensionPath,
      root: () => this.root,
      supervisor: () => this.supervisor,
      log: this.log,
      production: () => this.registry.model.productionVersions(),
    });
    registry.register(sink);
    project.register(sink);
    this.experiments.registerCommands(sink);
    this.datasets.registerCommands(sink);
    sink('mlops.showOutput', () => this.log.show());
  }

  /** Starts the daemon connection and the language server; runs once, when the workspace is trusted. */
  private startTrusted(): void {
    if (this.started) return;
    this.started = true;
    void vscode.commands.executeCommand('setContext', 'mlops.untrusted', false);
    if (this.config().languageServer.enabled) void this.languageClient.start();
    this.root = this.findRoot();
    if (!this.root) {
      this.statusBar.setState({ kind: 'stopped' });
      this.log.info('no mlops.yaml in the workspace: run "MLOps: Initialize Project" to create one');
      return;
    }
    this.startSupervisor(this.root);
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
      void vscode.commands.executeCommand('setContext', 'mlops.daemonState', s.kind);
    });
    sup.onFirstConnect.on(() => void this.loadAll());
    sup.onEvent.on((ev) => {
      this.registry.handleEvent(ev);
      this.experiments.handleEvent(ev);
      this.datasets.handleEvent(ev);
    });
    sup.start();
  }

  private async loadAll(): Promise<void> {
    const results = await Promise.allSettled([this.registry.reload(), this.experiments.reload(), this.datasets.reload()]);
    for (const r of results) if (r.status === 'rejected') this.log.warn(`initial load: ${errorMessage(r.reason)}`);
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
      this.root ??= this.findRoot();
      if (!this.root) throw new Error('this workspace has no mlops.yaml: run "MLOps: Initialize Project" first');
      this.startSupervisor(this.root);
    }
    return (this.supervisor as DaemonSupervisor).getClient();
  }

  private comparisonEnv(): ComparisonEnv {
    return {
      extensionUri: this.ctx.extensionUri,
      log: this.log,
      load: (source) => this.loadComparison(source),
      revealRun: (id) => this.experiments.revealRun(id),
    };
  }

  private async loadComparison(source: ComparisonSource): Promise<ComparisonData> {
    const c = await this.client();
    if (source.type === 'versions') {
      const versions = await Promise.all(source.versions.map((v) => c.request(endpoints.getModelVersion, { params: { name: source.model, version: v } })));
      return fromVersions(source.model, versions);
    }
    const cmp = await tracking.compare(c, source.ids);
    const series = new Map<string, RunSeries[]>();
    await Promise.all(source.ids.map(async (id) => series.set(id, (await tracking.metrics(c, id)).series)));
    return fromRuns(cmp, series);
  }

  async compare(source: ComparisonSource): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(UNTRUSTED_MESSAGE);
      return;
    }
    ComparisonPanel.show(this.comparisonEnv(), source);
  }

  dispose(): void {
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
