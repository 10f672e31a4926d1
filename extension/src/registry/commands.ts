/**
 * Registry commands: the tree's context menu (node argument) and the palette's "Promote…",
 * "Roll Back…" and "Register Model…" (which ask for what the node would have given). Every stage
 * change asks for a reason (optional, as the CLI's --reason), kept in the audit log.
 */
import * as vscode from 'vscode';
import { NAME_PATTERN, type Stage } from '../../../schemas/src/api';
import * as endpoints from '../../../schemas/src/endpoints';
import { askReason, confirmModal, runAction } from '../ui';
import { execute } from '../shell/execute';
import { type Handlers } from '../shell/contrib';
import { formatMetric } from '../shared/tree/item';
import { type ViewContext } from '../shared/view';
import { auditEvents, auditMarkdown } from './audit';
import { type REGISTRY_VIEW } from './ids';
import { describeRollback, describeStageChange, gateLines, type ModelNode, type VersionNode } from './model';
import { type RegistryTree } from './tree';

const STAGE_VERB: Record<Stage, string> = { Staging: 'Promote to Staging', Production: 'Promote to Production', Archived: 'Archive', None: 'Move to None' };

export class RegistryCommands {
  constructor(
    private readonly ctx: ViewContext,
    private readonly tree: RegistryTree,
  ) {}

  handlers(): Handlers<typeof REGISTRY_VIEW.commands> {
    return {
      refresh: () => runAction(this.ctx.log, 'Refreshing the registry', () => this.tree.reload()),
      promoteStaging: (n: VersionNode) => this.setStage(n, 'Staging'),
      promoteProduction: (n: VersionNode) => this.setStage(n, 'Production'),
      archive: (n: VersionNode) => this.setStage(n, 'Archived'),
      rollback: (n: ModelNode | VersionNode) => this.rollback(n.kind === 'model' ? n.name : n.parent),
      setAlias: (n: VersionNode) => this.setAlias(n),
      compareWithProduction: (n: VersionNode) => this.compareWithProduction(n),
      showAudit: (n: ModelNode | VersionNode) => this.showAudit(n),
      revealRun: (n: VersionNode) => (n.data.source_run_id ? execute('mlops.experiments.revealRun', n.data.source_run_id) : undefined),
      promote: () => this.promotePicked(),
      rollbackPicked: () => this.rollbackPicked(),
      register: (uri?: vscode.Uri) => this.registerModel(uri),
    };
  }

  async setStage(node: VersionNode, stage: Stage): Promise<boolean> {
    const { model, version } = node.data;
    const plan = describeStageChange(node, stage, await this.tree.versions(model));
    let reason = await askReason(`${STAGE_VERB[stage]}: ${model} v${version}`, plan.join('; '));
    if (reason === undefined) return false;
    let force = false;
    if (stage === 'Production') {
      const decided = await this.confirmProduction(model, version, plan, reason);
      if (!decided) return false;
      ({ reason, force } = decided);
    }
    const title = stage === 'Archived' ? `Archiving ${model} v${version}` : `Promoting ${model} v${version} to ${stage}`;
    const done = await runAction(this.ctx.log, title, async () => (await this.ctx.client()).request(endpoints.setStage, { params: { name: model, version }, body: { stage, reason, force } }));
    if (done) this.ctx.log.info(`${model} v${version} → ${done.version.stage}${done.archived.length ? ` (archived v${done.archived.join(', v')})` : ''}`);
    return done !== undefined;
  }

  /**
   * Runs the model's gates under a progress notification and shows their results in the
   * confirmation; a failed gate offers "Promote Anyway…", which asks for the (required) reason.
   * The daemon runs the gates again when it promotes, against whatever is Production then.
   */
  private async confirmProduction(model: string, version: number, plan: string[], reason: string): Promise<{ reason: string; force: boolean } | undefined> {
    const report = await runAction(this.ctx.log, `Running the gates of ${model} v${version}`, async () =>
      (await this.ctx.client()).request(endpoints.checkModelVersion, { params: { name: model, version }, body: {} }),
    );
    if (!report) return undefined;
    const detail = [...plan, ...(report.gates.length ? ['', 'Gates:', ...gateLines(report.gates)] : ['', `${model} declares no gates.`]), '', reason ? `Reason: ${reason}` : 'No reason given'];
    if (report.passed) return (await confirmModal(`Promote ${model} v${version} to Production?`, detail, 'Promote')) ? { reason, force: false } : undefined;
    const anyway = 'Promote Anyway…';
    const choice = await vscode.window.showWarningMessage(`${model} v${version} did not pass its gates.`, { modal: true, detail: detail.join('\n') }, anyway);
    if (choice !== anyway) return undefined;
    const forced = await vscode.window.showInputBox({
      title: `Promote ${model} v${version} despite failed gates`,
      prompt: 'Why? Required: it goes to the audit log with the gate results.',
      value: reason,
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? undefined : 'A reason is required to promote despite failed gates'),
    });
    return forced?.trim() ? { reason: forced.trim(), force: true } : undefined;
  }

  async setAlias(node: VersionNode): Promise<void> {
    const { model, version } = node.data;
    const alias = await vscode.window.showInputBox({
      title: `Set an alias on ${model} v${version}`,
      placeHolder: 'champion',
      validateInput: (v) => (/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(v) ? undefined : 'Letters, digits, "_" or "-", starting with a letter'),
    });
    if (!alias) return;
    const r = await runAction(this.ctx.log, `Pointing ${model}@${alias} at v${version}`, async () => (await this.ctx.client()).request(endpoints.setAlias, { params: { name: model, alias }, body: { version } }));
    if (r) this.ctx.log.info(`${model}@${alias} → v${version}${r.previous_version ? ` (was v${r.previous_version})` : ''}`);
  }

  async rollback(model: string): Promise<boolean> {
    const plan = describeRollback(model, await this.tree.versions(model));
    const reason = await askReason(`Roll back ${model} Production`, plan.join('; '));
    if (reason === undefined) return false;
    if (!(await confirmModal(`Roll back ${model} Production?`, [...plan, reason ? `Reason: ${reason}` : 'No reason given'], 'Roll Back'))) return false;
    const r = await runAction(this.ctx.log, `Rolling back ${model}`, async () => (await this.ctx.client()).request(endpoints.rollbackModel, { params: { name: model }, body: { reason } }));
    if (r) {
      this.ctx.log.info(`${model}: Production v${r.from_version} → v${r.to_version}`);
      void vscode.window.showInformationMessage(`${model}: Production is v${r.to_version} again (v${r.from_version} archived).`);
    }
    return r !== undefined;
  }

  private async compareWithProduction(node: VersionNode): Promise<void> {
    const prod = this.tree.model.group(node.parent)?.info.production_version ?? null;
    if (prod === null || prod === node.data.version) {
      void vscode.window.showInformationMessage(`${node.parent} has no other Production version to compare with.`);
      return;
    }
    await this.ctx.compare({ type: 'versions', model: node.parent, versions: [prod, node.data.version] });
  }

  private async showAudit(node: ModelNode | VersionNode): Promise<void> {
    const model = node.kind === 'model' ? node.name : node.parent;
    const version = node.kind === 'version' ? node.data.version : undefined;
    const title = version === undefined ? model : `${model} v${version}`;
    // The whole model's log: rollbacks and promotions of other versions can archive this one.
    const r = await runAction(this.ctx.log, `Reading the audit log of ${title}`, async () => (await this.ctx.client()).request(endpoints.listEvents, { query: { after: 0, limit: 10000, subject: `model:${model}` } }));
    if (!r) return;
    const file = version === undefined ? `audit/${model}.md` : `audit/${model}/v${version}.md`;
    await this.ctx.showDocument(file, auditMarkdown(title, auditEvents(r.events, model, version)));
  }

  private async pickModel(filter?: (prod: number | null) => boolean): Promise<string | undefined> {
    const models = this.tree.model.roots().filter((m) => !filter || filter(m.info.production_version));
    if (!models.length) {
      void vscode.window.showInformationMessage('No matching models in the registry yet.');
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      models.map((m) => ({ label: m.name, description: m.info.production_version ? `Production v${m.info.production_version}` : '' })),
      { title: 'Model' },
    );
    return pick?.label;
  }

  private async promotePicked(): Promise<void> {
    const model = await this.pickModel();
    if (!model) return;
    const v = await vscode.window.showQuickPick(
      (await this.tree.versions(model)).map((n) => ({
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
    const file = uri ?? (await vscode.window.showOpenDialog({ title: 'ONNX model to register', filters: { 'ONNX model': ['onnx'] }, canSelectMany: false }))?.[0];
    if (!file) return;
    const name = await vscode.window.showInputBox({
      title: 'Register model',
      prompt: `Model name for ${file.fsPath}`,
      value: this.tree.model.roots()[0]?.name ?? '',
      validateInput: (v) => (NAME_PATTERN.test(v) ? undefined : 'Letters, digits, ".", "_" or "-", not starting with a symbol'),
    });
    if (!name) return;
    const description = await vscode.window.showInputBox({ title: `Register ${name}`, prompt: 'What is new in this version (optional)' });
    if (description === undefined) return;
    const r = await runAction(this.ctx.log, `Registering ${file.fsPath} as ${name}`, async () =>
      (await this.ctx.client()).register(name, { artifact_path: file.fsPath, description }),
    );
    if (r) void vscode.window.showInformationMessage(`Registered ${name} v${r.version.version}.`);
  }
}
