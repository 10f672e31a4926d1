/**
 * The Deployments tree: deployment events refresh that deployment; while one is serving and the view
 * is visible, the list is re-read every few seconds so requests per second and p95 stay current.
 */
import { type MlopsEvent } from '../../../schemas/src/api';
import { type DeploymentStatus } from '../../../schemas/src/serving';
import { type DaemonClient } from '../../../client/src/client';
import { GroupedTree } from '../shared/tree/tree';
import { type ItemView } from '../shared/tree/item';
import { type ViewContext } from '../shared/view';
import { errorMessage } from '../util/errors';
import { deploymentsApi } from './api';
import { deploymentOfEvent, deploymentsModel, deploymentView, detailRows, detailView, type DeploymentNode, type DetailNode, type DetailRow } from './model';

export const TRAFFIC_POLL_MS = 5000;

export class DeploymentsTree extends GroupedTree<'deployment', DeploymentStatus, 'deploymentDetail', DetailRow> {
  private poll?: NodeJS.Timeout;
  private openAlerts = new Map<string, string[]>();

  constructor(ctx: ViewContext) {
    super(deploymentsModel(), ctx, 'deployment');
    this.poll = setInterval(() => this.pollTraffic(), TRAFFIC_POLL_MS);
  }

  private pollTraffic(): void {
    const serving = this.model.roots().some((d) => d.info.state === 'serving' || d.info.state === 'starting');
    if (!this.isLoaded || !serving || this.view?.visible === false) return;
    void this.reload().catch((e: unknown) => this.ctx.log.warn(`could not refresh deployments: ${errorMessage(e)}`));
  }

  protected async fetchGroups(c: DaemonClient): Promise<DeploymentStatus[]> {
    const [list] = await Promise.all([deploymentsApi.list(c), this.readAlerts(c)]);
    return list.deployments;
  }

  /** Open alerts by deployment, for the warning icon; a daemon that cannot tell leaves the icons as they are. */
  private async readAlerts(c: DaemonClient): Promise<void> {
    try {
      const { alerts } = await deploymentsApi.openAlerts(c);
      this.openAlerts = new Map();
      for (const a of alerts) this.openAlerts.set(a.deployment, [...(this.openAlerts.get(a.deployment) ?? []), `${a.kind}: ${a.evidence.message}`]);
    } catch (e) {
      this.ctx.log.warn(`could not read open alerts: ${errorMessage(e)}`);
    }
  }

  protected async fetchLeaves(c: DaemonClient, name: string): Promise<DetailRow[]> {
    const d = (await deploymentsApi.list(c)).deployments.find((x) => x.name === name);
    return d ? detailRows(d) : [];
  }

  /** Told of every automatic rollback (the view's commands show the notification with Undo). */
  onAutoRollback?: (ev: MlopsEvent) => void;

  override handleEvent(ev: MlopsEvent): void {
    super.handleEvent(ev);
    if (ev.kind === 'deployment.auto_rollback') this.onAutoRollback?.(ev);
  }

  protected groupOfEvent(ev: MlopsEvent): string | undefined {
    return deploymentOfEvent(ev);
  }

  protected groupView(node: DeploymentNode): ItemView {
    return deploymentView(node, this.openAlerts.get(node.name));
  }

  protected leafView(node: DetailNode): ItemView {
    return detailView(node);
  }

  override dispose(): void {
    if (this.poll) clearInterval(this.poll);
    super.dispose();
  }
}
