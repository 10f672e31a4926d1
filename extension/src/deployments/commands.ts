/** Deployments commands: Deploy (node or picked), Stop, Copy URL, Open Metrics. */
import * as vscode from 'vscode';
import { request } from 'node:http';
import { runAction } from '../ui';
import { execute } from '../shell/execute';
import { type Handlers } from '../shell/contrib';
import { type ViewContext } from '../shared/view';
import { deploymentsApi } from './api';
import { type DEPLOYMENTS_VIEW } from './ids';
import { autoRollbackNotice, type DeploymentNode } from './model';
import { type MlopsEvent } from '../../../schemas/src/api';
import { type DeploymentsTree } from './tree';

/** GET of a loopback URL as text (the serving process's /metrics). */
function fetchText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
    req.on('timeout', () => req.destroy(new Error(`${url} did not answer`)));
    req.on('error', reject);
    req.end();
  });
}

export class DeploymentsCommands {
  constructor(
    private readonly ctx: ViewContext,
    private readonly tree: DeploymentsTree,
  ) {}

  handlers(): Handlers<typeof DEPLOYMENTS_VIEW.commands> {
    return {
      refresh: () => runAction(this.ctx.log, 'Refreshing deployments', () => this.tree.reload()),
      deploy: (node?: DeploymentNode) => this.deploy(node?.name),
      stop: (node?: DeploymentNode) => (node ? this.stop(node.name) : undefined),
      copyUrl: (node?: DeploymentNode) => (node?.info.url ? this.copyUrl(node.info.url) : undefined),
      openLatency: (node?: DeploymentNode) => (node ? execute('mlops.openLatencyDashboard', node.name) : undefined),
      openDrift: (node?: DeploymentNode) => (node ? execute('mlops.openDriftDashboard', node.name) : undefined),
      openMetrics: (node?: DeploymentNode) => (node?.info.url ? this.openMetrics(node.name, node.info.url) : undefined),
      disable: (node?: DeploymentNode) => (node ? this.setFlag(node.name, false) : undefined),
      enable: (node?: DeploymentNode) => (node ? this.setFlag(node.name, true) : undefined),
    };
  }

  /** Sets `enabled` in mlops.yaml through the daemon (format kept, audited); the tree follows the event. */
  private async setFlag(name: string, enabled: boolean): Promise<void> {
    await runAction(this.ctx.log, `${enabled ? 'Enabling' : 'Disabling'} ${name}`, async () => deploymentsApi.setFlag(await this.ctx.client(), name, enabled));
  }

  /** Says what an automatic rollback did; Undo re-promotes the version through the normal promotion path. */
  async notifyAutoRollback(ev: MlopsEvent): Promise<void> {
    const n = autoRollbackNotice(ev);
    if (!n) return;
    const undo = `Undo (promote v${n.version} again)`;
    const pick = await vscode.window.showWarningMessage(n.text, undo);
    if (pick !== undo) return;
    await runAction(this.ctx.log, `Promoting ${n.model} v${n.version}`, async () => deploymentsApi.promote(await this.ctx.client(), n.model, n.version, 'undo of an automatic rollback (VS Code)'));
  }

  private async deploy(name?: string): Promise<void> {
    let target = name;
    if (!target) {
      const all = this.tree.model.roots();
      if (!all.length) {
        void vscode.window.showInformationMessage('No deployments are declared under "deployments:" in mlops.yaml.');
        return;
      }
      target = (await vscode.window.showQuickPick(all.map((d) => ({ label: d.name, description: `${d.info.model} · ${d.info.state}` })), { title: 'Deploy' }))?.label;
    }
    if (!target) return;
    const dep = target;
    const st = await runAction(this.ctx.log, `Deploying ${dep}`, async () => deploymentsApi.deploy(await this.ctx.client(), dep));
    if (!st) return;
    if (st.state === 'serving') void vscode.window.showInformationMessage(`${dep} serves ${st.model} v${st.version} at ${st.url}.`);
    else void vscode.window.showErrorMessage(`${dep} is ${st.state}: ${st.error ?? 'see .mlops/serving/' + dep + '.log'}`);
  }

  private async stop(name: string): Promise<void> {
    await runAction(this.ctx.log, `Stopping ${name}`, async () => deploymentsApi.stop(await this.ctx.client(), name));
  }

  private async copyUrl(url: string): Promise<void> {
    await vscode.env.clipboard.writeText(url);
    void vscode.window.setStatusBarMessage(`Copied ${url}`, 3000);
  }

  private async openMetrics(name: string, url: string): Promise<void> {
    const text = await runAction(this.ctx.log, `Reading ${name} metrics`, () => fetchText(`${url}/metrics`));
    if (text !== undefined) await this.ctx.showDocument(`deployments/${name}/metrics.txt`, text);
  }
}
