/** Project-level commands: Initialize Project, Install CLI, Restart Daemon, daemon details, walkthrough helpers. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile, chmod } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import * as vscode from 'vscode';
import { initJson } from '../../../schemas/src/cli';
import { readConfig } from '../config';
import { cliShim, expandHome } from '../cli-shim';
import { type DaemonSupervisor } from '../daemon/supervisor';
import { type Handlers } from '../shell/contrib';
import { type PROJECT_COMMANDS } from '../shell/ids';
import { runAction, type ShowableLog } from '../ui';

export interface ProjectCommandDeps {
  extensionPath: string;
  root(): string | undefined;
  supervisor(): DaemonSupervisor | undefined;
  log: ShowableLog;
  production(): { model: string; version: number | null }[];
  /** mlops.yaml now exists in `root`: connect, follow it. */
  initialized(root: string): void;
  /** "Convert to Pipeline…" on a notebook (extension/src/notebooks/convert.ts). */
  convertNotebook(arg?: vscode.Uri): Promise<void>;
}

function execNode(nodePath: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(nodePath, args, { cwd, timeout: 60_000, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } }, (err, stdout, stderr) => {
      if (err) reject(new Error(stderr.trim() || err.message));
      else resolve(stdout);
    });
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export class ProjectCommands {
  constructor(private readonly d: ProjectCommandDeps) {}

  handlers(): Handlers<typeof PROJECT_COMMANDS> {
    return {
      init: () => this.init(),
      installCli: () => this.installCli(),
      showOutput: () => this.d.log.show(),
      restartDaemon: () => this.restartDaemon(),
      showDaemonDetails: () => this.showDetails(),
      openConfig: () => this.openConfig(),
      runTraining: () => this.runTraining(),
      convertNotebook: (arg?: vscode.Uri) => (this.trusted() ? this.d.convertNotebook(arg) : undefined),
    };
  }

  /** Untrusted workspaces run nothing of ours against the project; say so instead. */
  private trusted(): boolean {
    if (vscode.workspace.isTrusted) return true;
    void vscode.window.showWarningMessage('MLOps is disabled in this untrusted workspace. Trust the workspace to use it.', 'Manage Workspace Trust').then((c) => {
      if (c) void vscode.commands.executeCommand('workbench.trust.manage');
    });
    return false;
  }

  private folder(): string | undefined {
    const root = this.d.root() ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (!root) void vscode.window.showErrorMessage('Open a folder first: an MLOps project lives in a workspace folder.');
    return root;
  }

  async init(): Promise<void> {
    if (!this.trusted()) return;
    const root = this.folder();
    if (!root) return;
    if (existsSync(join(root, 'mlops.yaml'))) return this.alreadyInitialized(root);
    const cfg = readConfig(vscode.workspace.getConfiguration('mlops'));
    const out = await runAction(this.d.log, `Initializing an MLOps project in ${root}`, () =>
      execNode(cfg.daemon.nodePath, [join(this.d.extensionPath, 'dist', 'cli.js'), 'init', root, '--json'], root),
    );
    if (out === undefined) return;
    this.d.log.info(`mlops init: ${out.trim()}`);
    const parsed = initJson.safeParse(parseJson(out));
    if (parsed.success && !parsed.data.created.length) return this.alreadyInitialized(root);
    void vscode.window.showInformationMessage(`Initialised an MLOps project in ${root}${parsed.success ? `: created ${parsed.data.created.join(', ')}` : ''}.`);
    // The workspace now has mlops.yaml: connect (the supervisor starts the daemon on first use).
    this.d.initialized(root);
    await this.openConfig();
  }

  private alreadyInitialized(root: string): void {
    this.d.log.info(`${root} is already initialised`);
    void vscode.window.showInformationMessage(`This project is already initialised: ${join(root, 'mlops.yaml')} exists.`, 'Open mlops.yaml').then((c) => {
      if (c) void this.openConfig();
    });
  }

  private async openConfig(): Promise<void> {
    const root = this.folder();
    if (!root) return;
    const file = join(root, 'mlops.yaml');
    if (!existsSync(file)) {
      void vscode.window.showInformationMessage('There is no mlops.yaml yet: run "MLOps: Initialize Project" first.');
      return;
    }
    await vscode.window.showTextDocument(vscode.Uri.file(file));
  }

  private runTraining(): void {
    if (!this.trusted()) return;
    const root = this.folder();
    if (!root) return;
    const term = vscode.window.createTerminal({ name: 'MLOps', cwd: root });
    term.show();
    // Typed but not run: the user completes the training command.
    term.sendText('mlops exec -- python train.py', false);
  }

  async installCli(): Promise<void> {
    const cfg = readConfig(vscode.workspace.getConfiguration('mlops'));
    const dir = expandHome(cfg.cli.installDir);
    const shim = cliShim(process.platform, cfg.daemon.nodePath, join(this.d.extensionPath, 'dist', 'cli.js'));
    const target = join(dir, shim.fileName);
    const ok = await runAction(this.d.log, `Installing the mlops command into ${dir}`, async () => {
      await mkdir(dir, { recursive: true });
      await writeFile(target, shim.content);
      await chmod(target, 0o755);
      return true;
    });
    if (!ok) return;
    const onPath = (process.env['PATH'] ?? '').split(delimiter).some((p) => p.replace(/\/+$/, '') === dir.replace(/\/+$/, ''));
    this.d.log.info(`installed ${target}`);
    void vscode.window.showInformationMessage(
      onPath
        ? `Installed ${target}: run "mlops --help" in a new terminal.`
        : `Installed ${target}. ${dir} is not on your PATH: add it (or change "mlops.cli.installDir").`,
    );
  }

  private async restartDaemon(): Promise<void> {
    const sup = this.d.supervisor();
    if (!sup) {
      void vscode.window.showInformationMessage('No MLOps project is open, so there is no daemon to restart.');
      return;
    }
    const c = await runAction(this.d.log, 'Restarting the MLOps daemon', () => sup.restart());
    if (c) void vscode.window.showInformationMessage('The MLOps daemon is running again.');
  }

  private async showDetails(): Promise<void> {
    const sup = this.d.supervisor();
    const state = sup?.state ?? { kind: 'stopped' as const };
    const items: vscode.QuickPickItem[] = [];
    if (state.kind === 'connected') {
      // Ask now: the status kept from connecting would show its uptime and counts of that moment.
      const st = await sup?.freshStatus() ?? state.status;
      items.push(
        { label: `$(pass) Daemon ${st.version} running`, detail: `pid ${st.pid} · Node ${st.node_version} · up ${Math.round(st.uptime_s)} s · ${st.root}` },
        { label: `${st.counts.models} models, ${st.counts.versions} versions, ${st.counts.events} events` },
      );
    } else {
      items.push({ label: `$(warning) Daemon ${state.kind}`, detail: 'message' in state ? state.message : 'reason' in state ? state.reason : '' });
    }
    for (const p of this.d.production()) items.push({ label: `$(rocket) ${p.model}`, description: p.version ? `Production v${p.version}` : 'no Production version' });
    items.push({ label: '$(debug-restart) Restart Daemon', detail: 'mlops.restartDaemon' }, { label: '$(output) Show Output', detail: 'mlops.showOutput' });
    const pick = await vscode.window.showQuickPick(items, { title: 'MLOps daemon', matchOnDetail: false });
    if (pick?.detail === 'mlops.restartDaemon') await this.restartDaemon();
    if (pick?.detail === 'mlops.showOutput') this.d.log.show();
  }
}
