/**
 * Registry commands: the tree's context menu (node argument) and the palette's "Promote…",
 * "Roll Back…" and "Register Model…" (which ask for what the node would have given).
 */
import * as vscode from 'vscode';
import { NAME_PATTERN, type Stage } from '../../../schemas/src/api';
import { type DaemonClient } from '../../../client/src/client';
import { askReason, confirmModal, runAction, type ShowableLog } from '../ui';
import { describeRollback, describeStageChange, formatMetric, modelOfEvent, type ModelNode, type VersionNode } from './model';
import { type RegistryTreeProvider } from './tree';
import { type CommandSink } from '../shell/types';
import * as endpoints from '../../../schemas/src/endpoints';

export interface RegistryCommandDeps {
  tree: RegistryTreeProvider;
  client(): Promise<DaemonClient>;
  log: ShowableLog;
  compareVersions(model: string, versions: number[]): Promise<void>;
  revealRun(runId: string): Promise<void>;
}

export class RegistryCommands {
  constructor(private readonly d: RegistryCommandDeps) {}

  register(r: CommandSink): void {
    r('mlops.registry.refresh', () => runAction(this.d.log, 'Refreshing the registry', () => this.d.tree.reload()));
    r('mlops.registry.promoteStaging', (n: VersionNode) => this.setStage(n, 'Staging'));
    r('mlops.registry.promoteProduction', (n: VersionNode) => this.setStage(n, 'Production'));
    r('mlops.registry.archive', (n: VersionNode) => this.setStage(n, 'Archived'));
    r('mlops.registry.setAlias', (n: VersionNode) => this.setAlias(n));
    r('mlops.registry.rollback', (n: ModelNode | VersionNode) => this.rollback(n.kind === 'model' ? n.name : n.model));
    r('mlops.registry.compareWithProduction', (n: VersionNode) => this.compareWithProduction(n));
    r('mlops.registry.showAudit', (n: ModelNode | VersionNode) => this.showAudit(n));
    r('mlops.registry.revealRun', (n: VersionNode) => (n.data.source_run_id ? this.d.revealRun(n.data.source_run_id) : undefined));
    r('mlops.promote', () => this.promotePicked());
    r('mlops.rollback', () => this.rollbackPicked());
    r('mlops.registerModel', (uri?: vscode.Uri) => this.registerModel(uri));
  }

  async setStage(node: VersionNode, stage: Stage): Promise<boolean> {
    const { model, version } = node.data;
    let reason = '';
    if (stage === 'Production') {
      const plan = describeStageChange(node, stage, this.d.tree.model.versionsOf(model) ?? []);
      const typed = await askReason(`Promote ${model} v${version} to Production`, plan.join('; '));
      if (typed === undefined) return false;
      reason = typed;
      if (!(await confirmModal(`Promote ${model} v${version} to Production?`, [...plan, reason ? `Reason: ${reason}` : 'No reason given'], 'Promote'))) {
        return false;
      }
    }
    const verb = stage === 'Archived' ? 'Archiving' : `Promoting ${model} v${version} to`;
    const done = await runAction(this.d.log, stage === 'Archived' ? `${verb} ${model} v${version}` : `${verb} ${stage}`, async () =>
      (await this.d.client()).request(endpoints.setStage, { params: { name: model, version }, body: { stage, reason } }),
    );
    if (done) this.d.log.info(`${model} v${version} → ${done.version.stage}${done.archived.length ? ` (archived v${done.archived.join(', v')})` : ''}`);
    return done !== undefined;
  }

  async setAlias(node: VersionNode): Promise<void> {
    const { model, version } = node.data;
    const alias = await vscode.window.showInputBox({
      title: `Set an alias on ${model} v${version}`,
      placeHolder: 'champion',
      validateInput: (v) => (/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(v) ? undefined : 'Letters, digits, "_" or "-", starting with a letter'),
    });
    if (!alias) return;
    const r = await runAction(this.d.log, `Pointing ${model}@${alias} at v${version}`, async () =>
      (await this.d.client()).request(endpoints.setAlias, { params: { name: model, alias }, body: { version } }),
    );
    if (r) this.d.log.info(`${model}@${alias} → v${version}${r.previous_version ? ` (was v${r.previous_version})` : ''}`);
  }

  async rollback(model: string): Promise<boolean> {
    const plan = describeRollback(model, this.d.tree.model.versionsOf(model) ?? []);
    const reason = await askReason(`Roll back ${model} Production`, plan.join('; '));
    if (reason === undefined) return false;
    if (!(await confirmModal(`Roll back ${model} Production?`, [...plan, reason ? `Reason: ${reason}` : 'No reason given'], 'Roll Back'))) {
      return false;
    }
    const r = await runAction(this.d.log, `Rolling back ${model}`, async () => (await this.d.client()).request(endpoints.rollbackModel, { params: { name: model }, body: { reason } }));
    if (r) {
      this.d.log.info(`${model}: Production v${r.from_version} → v${r.to_version}`);
      void vscode.window.showInformationMessage(`${model}: Production is v${r.to_version} again (v${r.from_version} archived).`);
    }
    return r !== undefined;
  }

  private async compareWithProduction(node: VersionNode): Promise<void> {
    const prod = node.production;
    if (prod === null || prod === node.data.version) {
      void vscode.window.showInformationMessage(`${node.model} has no other Production version to compare with.`);
      return;
    }
    await this.d.compareVersions(node.model, [prod, node.data.version]);
  }

  private async showAudit(node: ModelNode | VersionNode): Promise<void> {
    const model = node.kind === 'model' ? node.name : node.model;
    const subject = node.kind === 'model' ? `model:${model}` : `model:${model}/${node.data.version}`;
    const r = await runAction(this.d.log, `Reading the audit log of ${subject}`, async () => (await this.d.client()).request(endpoints.listEvents, { query: { after: 0, limit: 10000, subject } }));
    if (!r) return;
    const rows = r.events
      .filter((e) => modelOfEvent(e) === model && (node.kind === 'model' || e.subject === subject))
      .reverse()
      .map((e) => `| ${e.time} | ${e.actor} | ${e.kind} | ${e.subject} | ${e.reason.replace(/\|/g, '\\|') || '—'} |`);
    const content = [`# Audit history: ${subject}`, '', '| time | actor | event | subject | reason |', '|---|---|---|---|---|', ...rows, ''].join('\n');
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content });
    await vscode.window.showTextDocument(doc, { preview: true });
  }

  private async pickModel(filter?: (prod: number | null) => boolean): Promise<string | undefined> {
    const models = this.d.tree.model.roots().filter((m) => !filter || filter(m.summary.production_version));
    if (!models.length) {
      void vscode.window.showInformationMessage('No matching models in the registry yet.');
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      models.map((m) => ({ label: m.name, description: m.summary.production_version ? `Production v${m.summary.production_version}` : '' })),
      { title: 'Model' },
    );
    return pick?.label;
  }

  private async promotePicked(): Promise<void> {
    const model = await this.pickModel();
    if (!model) return;
    const versions = (await this.d.tree.getChildren(this.d.tree.model.model(model))) as VersionNode[];
    const v = await vscode.window.showQuickPick(
      versions.map((n) => ({
        label: `v${n.data.version}`,
        description: n.data.stage,
        detail: Object.entries(n.data.metrics).map(([k, x]) => `${k}=${formatMetric(x)}`).join('  '),
        node: n,
      })),
      { title: `Promote ${model}: version` },
    );
    if (!v) return;
    const stages: Stage[] = ['Staging', 'Production', 'Archived', 'None'];
    const stage = await vscode.window.showQuickPick(stages, { title: `Move ${model} v${v.node.data.version} to` });
    const picked = stages.find((s) => s === stage);
    if (picked) await this.setStage(v.node, picked);
  }

  private async rollbackPicked(): Promise<void> {
    const model = await this.pickModel((prod) => prod !== null);
    if (model) await this.rollback(model);
  }

  private async registerModel(uri?: vscode.Uri): Promise<void> {
    const file =
      uri ?? (await vscode.window.showOpenDialog({ title: 'ONNX model to register', filters: { 'ONNX model': ['onnx'] }, canSelectMany: false }))?.[0];
    if (!file) return;
    const name = await vscode.window.showInputBox({
      title: 'Register model',
      prompt: `Model name for ${file.fsPath}`,
      value: this.d.tree.model.roots()[0]?.name ?? '',
      validateInput: (v) => (NAME_PATTERN.test(v) ? undefined : 'Letters, digits, ".", "_" or "-", not starting with a symbol'),
    });
    if (!name) return;
    const description = await vscode.window.showInputBox({ title: `Register ${name}`, prompt: 'What is new in this version (optional)' });
    if (description === undefined) return;
    const r = await runAction(this.d.log, `Registering ${file.fsPath} as ${name}`, async () =>
      (await this.d.client()).request(endpoints.registerVersion, { params: { name }, body: { artifact_path: file.fsPath, description } }),
    );
    if (r) void vscode.window.showInformationMessage(`Registered ${name} v${r.version.version}.`);
  }
}
