/**
 * Alerts and dashboards commands: Open Drift / Latency Dashboard (a node, an argument, or one quick
 * pick), and per alert Open Dashboard, Acknowledge and Roll Back (through the registry's own
 * rule-checked rollback command, which asks for a reason and confirms).
 */
import * as vscode from 'vscode';
import { type Alert } from '../../../schemas/src/monitoring';
import { type DriftSource } from '../../../schemas/src/webview';
import { runAction } from '../ui';
import { type Handlers } from '../shell/contrib';
import { execute } from '../shell/execute';
import { type ViewContext } from '../shared/view';
import { alertsApi } from './api';
import { type ALERTS_VIEW } from './ids';
import { dashboardOf, type AlertNode } from './model';
import { type AlertsTree } from './tree';

const DAY = 86_400_000;
const lastDay = () => ({ kind: 'day' as const, from: Date.now() - DAY, to: Date.now() });

/** What a drift command may be given: a dataset version (Datasets view), a deployment name, or nothing. */
export type DriftTarget = { dataset: string; version?: number; reference?: string } | string | undefined;

export class AlertsCommands {
  constructor(
    private readonly ctx: ViewContext,
    private readonly tree: AlertsTree,
  ) {}

  handlers(): Handlers<typeof ALERTS_VIEW.commands> {
    return {
      refresh: () => runAction(this.ctx.log, 'Refreshing alerts', () => this.tree.reload()),
      openDrift: (target?: DriftTarget) => this.openDrift(target),
      openLatency: (deployment?: string) => this.openLatency(deployment),
      openDashboard: (node?: AlertNode | Alert) => (node ? this.openFor('data' in node ? node.data : node) : undefined),
      acknowledge: (node?: AlertNode) => (node ? this.acknowledge(node.data) : undefined),
      rollBack: (node?: AlertNode | Alert) => (node ? this.rollBack('data' in node ? node.data : node) : undefined),
    };
  }

  /** One quick pick: deployments by their name alone, then datasets. */
  private async pickSubject(title: string, withDatasets: boolean): Promise<DriftSource | undefined> {
    const cfg = this.ctx.config();
    const deployments = Object.keys(cfg?.deployments ?? {}).sort();
    const datasets = withDatasets ? Object.keys(cfg?.data ?? {}).sort() : [];
    if (!deployments.length && !datasets.length) {
      void vscode.window.showInformationMessage(`Nothing to show: declare deployments${withDatasets ? ' or datasets' : ''} in mlops.yaml.`);
      return undefined;
    }
    const items: (vscode.QuickPickItem & { source?: DriftSource })[] = [
      ...(deployments.length ? [{ label: 'Deployments', kind: vscode.QuickPickItemKind.Separator }] : []),
      ...deployments.map((d) => ({ label: d, description: `deployment of ${cfg?.deployments[d]?.model ?? '?'}`, source: { type: 'deployment' as const, deployment: d, window: lastDay() } })),
      ...(datasets.length ? [{ label: 'Datasets', kind: vscode.QuickPickItemKind.Separator }] : []),
      ...datasets.map((d) => ({ label: d, description: 'dataset: latest version against its reference', source: { type: 'dataset' as const, dataset: d } })),
    ];
    return (await vscode.window.showQuickPick(items, { title, placeHolder: 'A deployment or a dataset' }))?.source;
  }

  private async openDrift(target: DriftTarget): Promise<void> {
    let source: DriftSource | undefined;
    if (typeof target === 'string') source = { type: 'deployment', deployment: target, window: lastDay() };
    else if (target?.dataset) source = { type: 'dataset', dataset: target.dataset, ...(target.version ? { version: target.version } : {}), ...(target.reference ? { reference: target.reference } : {}) };
    else source = await this.pickSubject('Open Drift Dashboard', true);
    if (source) await this.ctx.openDashboard({ kind: 'drift', source });
  }

  private async openLatency(deployment?: string): Promise<void> {
    // From a tree row or a notification the deployment is given; from the palette it is picked.
    const target = typeof deployment === 'string' ? deployment : await this.pickDeployment();
    if (target) await this.ctx.openDashboard({ kind: 'latency', source: { deployment: target, window: lastDay() } });
  }

  private async pickDeployment(): Promise<string | undefined> {
    const picked = await this.pickSubject('Open Latency Dashboard', false);
    return picked?.type === 'deployment' ? picked.deployment : undefined;
  }

  async openFor(a: Alert): Promise<void> {
    if (dashboardOf(a) === 'drift') await this.ctx.openDashboard({ kind: 'drift', source: { type: 'deployment', deployment: a.deployment, window: lastDay() } });
    else await this.ctx.openDashboard({ kind: 'latency', source: { deployment: a.deployment, window: lastDay() } });
  }

  private async acknowledge(a: Alert): Promise<void> {
    const reason = await vscode.window.showInputBox({ title: `Acknowledge ${a.id} on ${a.deployment}`, prompt: 'Optional reason, kept in the audit log. The alert stays open but stops notifying.' });
    if (reason === undefined) return;
    const r = await runAction(this.ctx.log, `Acknowledging ${a.id}`, async () => alertsApi.ack(await this.ctx.client(), a.id, reason));
    if (r) await this.tree.reload();
  }

  /** Rolls back the model the deployment serves, through the registry view's command (reason + confirmation). */
  async rollBack(a: Alert): Promise<void> {
    const model = this.ctx.config()?.deployments[a.deployment]?.model;
    if (!model) {
      void vscode.window.showErrorMessage(`${a.deployment} is not declared under deployments: in mlops.yaml, so its model is unknown.`);
      return;
    }
    await execute('mlops.registry.rollback', { kind: 'model', name: model });
  }
}
