/**
 * The Alerts view and the dashboards' commands. `when` conditions match `alert;<state>[;acked]` in
 * ./model.ts. The two "Open … Dashboard" commands are the palette's entry points; other views open
 * the dashboards through these ids.
 */
import { defineView } from '../shell/contrib';

export const ALERTS_VIEW = defineView({
  id: 'mlops.alerts',
  name: 'Alerts',
  welcome:
    'No alerts: every deployment is within its limits (or none is monitored yet). Limits live under `monitoring:` in mlops.yaml.\n[Open Drift Dashboard](command:mlops.openDriftDashboard)\n[Open mlops.yaml](command:mlops.openConfig)',
  commands: {
    refresh: { id: 'mlops.alerts.refresh', title: 'Refresh Alerts', icon: 'refresh', titleBar: 'navigation@3' },
    openDrift: { id: 'mlops.openDriftDashboard', title: 'Open Drift Dashboard', icon: 'graph', titleBar: 'navigation@1' },
    openLatency: { id: 'mlops.openLatencyDashboard', title: 'Open Latency Dashboard', icon: 'pulse', titleBar: 'navigation@2' },
    openDashboard: {
      id: 'mlops.alerts.openDashboard',
      title: 'Open Dashboard',
      palette: false,
      item: { when: 'viewItem =~ /^alert;/', group: '1_alert@1' },
    },
    acknowledge: {
      id: 'mlops.alerts.acknowledge',
      title: 'Acknowledge',
      icon: 'check',
      palette: false,
      item: { when: 'viewItem == alert;open', group: '1_alert@2' },
    },
    rollBack: {
      id: 'mlops.alerts.rollBack',
      title: 'Roll Back…',
      palette: false,
      item: { when: 'viewItem =~ /^alert;open/', group: '2_act@1' },
    },
  },
});
