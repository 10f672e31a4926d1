/**
 * The Alerts tree: alert events refresh their deployment's group; an `alert.opened` that arrives
 * live (not an old one replayed after a reconnect) is also announced by a notification.
 */
import { type MlopsEvent } from '../../../schemas/src/api';
import { type Alert } from '../../../schemas/src/monitoring';
import { type DaemonClient } from '../../../client/src/client';
import { GroupedTree } from '../shared/tree/tree';
import { type ItemView } from '../shared/tree/item';
import { type ViewContext } from '../shared/view';
import { Emitter } from '../util/emitter';
import { alertsApi } from './api';
import { alertDeploymentOfEvent, alertGroups, alertsModel, alertView, groupView, openedAlert, type AlertGroup, type AlertGroupNode, type AlertNode } from './model';

/** An alert.opened older than this when it arrives is a replay: shown in the tree, not notified. */
export const NOTIFY_MAX_AGE_MS = 5 * 60_000;

export class AlertsTree extends GroupedTree<'alertDeployment', AlertGroup, 'alert', Alert> {
  readonly onOpened = new Emitter<Alert>();

  constructor(ctx: ViewContext) {
    super(alertsModel(), ctx, 'deployment');
  }

  protected async fetchGroups(c: DaemonClient): Promise<AlertGroup[]> {
    return alertGroups((await alertsApi.list(c)).alerts);
  }

  protected async fetchLeaves(c: DaemonClient, deployment: string): Promise<Alert[]> {
    return (await alertsApi.list(c, deployment)).alerts;
  }

  protected groupOfEvent(ev: MlopsEvent): string | undefined {
    return alertDeploymentOfEvent(ev);
  }

  override handleEvent(ev: MlopsEvent): void {
    super.handleEvent(ev);
    const opened = openedAlert(ev);
    if (opened && Date.now() - Date.parse(ev.time) < NOTIFY_MAX_AGE_MS) this.onOpened.fire(opened);
  }

  protected groupView(node: AlertGroupNode): ItemView {
    return groupView(node);
  }

  protected leafView(node: AlertNode, now: number): ItemView {
    return alertView(node, now);
  }
}
