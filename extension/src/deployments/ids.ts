/** The Deployments view and its commands. `when` conditions match `deployment;<state>;<enabled|disabled>` in ./model.ts. */
import { defineView } from '../shell/contrib';

export const DEPLOYMENTS_VIEW = defineView({
  id: 'mlops.deployments',
  name: 'Deployments',
  welcome: 'No deployments yet. Declare one under `deployments:` in mlops.yaml (model, and the stage or alias it follows).\n[Open mlops.yaml](command:mlops.openConfig)',
  commands: {
    refresh: { id: 'mlops.deployments.refresh', title: 'Refresh Deployments', icon: 'refresh', titleBar: 'navigation@2' },
    deploy: {
      id: 'mlops.deploy',
      title: 'Deploy',
      icon: 'play',
      titleBar: 'navigation@1',
      item: { when: 'viewItem =~ /^deployment;/', group: '1_serve@1' },
    },
    stop: {
      id: 'mlops.deployments.stop',
      palette: false,
      title: 'Stop Deployment',
      icon: 'debug-stop',
      item: { when: 'viewItem =~ /^deployment;(serving|starting)/', group: '1_serve@2' },
    },
    copyUrl: {
      id: 'mlops.deployments.copyUrl',
      palette: false,
      title: 'Copy URL',
      icon: 'copy',
      item: { when: 'viewItem =~ /^deployment;serving;/', group: '2_use@1' },
    },
    openLatency: {
      id: 'mlops.deployments.openLatency',
      title: 'Open Latency Dashboard',
      palette: false,
      icon: 'pulse',
      item: { when: 'viewItem =~ /^deployment;/', group: '3_dashboards@1' },
    },
    openDrift: {
      id: 'mlops.deployments.openDrift',
      title: 'Open Drift Dashboard',
      palette: false,
      icon: 'graph',
      item: { when: 'viewItem =~ /^deployment;/', group: '3_dashboards@2' },
    },
    openMetrics: {
      id: 'mlops.deployments.openMetrics',
      title: 'Open Metrics',
      palette: false,
      item: { when: 'viewItem =~ /^deployment;serving;/', group: '2_use@2' },
    },
    disable: {
      id: 'mlops.deployments.disable',
      palette: false,
      title: 'Disable (Serve Fallback)',
      icon: 'circle-slash',
      item: { when: 'viewItem =~ /;enabled$/', group: '3_flag@1' },
    },
    enable: {
      id: 'mlops.deployments.enable',
      palette: false,
      title: 'Enable',
      icon: 'pass',
      item: { when: 'viewItem =~ /;disabled$/', group: '3_flag@1' },
    },
  },
});
