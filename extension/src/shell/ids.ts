/**
 * Command and view ids with their titles: the one list both the activation shell (which registers
 * them synchronously) and extension/manifest.ts (which contributes them) read. No imports.
 */
export interface CommandInfo {
  command: string;
  title: string;
  icon?: string;
}

export const COMMAND_INFO: readonly CommandInfo[] = [
  { command: 'mlops.init', title: 'Initialize Project' },
  { command: 'mlops.snapshotDataset', title: 'Snapshot Dataset', icon: 'device-camera' },
  { command: 'mlops.registerModel', title: 'Register Model…' },
  { command: 'mlops.promote', title: 'Promote…' },
  { command: 'mlops.rollback', title: 'Roll Back…' },
  { command: 'mlops.installCli', title: 'Install CLI' },
  { command: 'mlops.showOutput', title: 'Show Output' },
  { command: 'mlops.restartDaemon', title: 'Restart Daemon' },
  { command: 'mlops.showDaemonDetails', title: 'Show Daemon Details' },
  { command: 'mlops.openConfig', title: 'Open mlops.yaml' },
  { command: 'mlops.runTraining', title: 'Run Training with mlops exec' },
  { command: 'mlops.registry.refresh', title: 'Refresh Model Registry', icon: 'refresh' },
  { command: 'mlops.registry.promoteStaging', title: 'Promote to Staging' },
  { command: 'mlops.registry.promoteProduction', title: 'Promote to Production' },
  { command: 'mlops.registry.archive', title: 'Archive' },
  { command: 'mlops.registry.setAlias', title: 'Set Alias…' },
  { command: 'mlops.registry.rollback', title: 'Roll Back Production' },
  { command: 'mlops.registry.compareWithProduction', title: 'Compare with Production' },
  { command: 'mlops.registry.showAudit', title: 'Show Audit History' },
  { command: 'mlops.registry.revealRun', title: 'Reveal Source Run' },
  { command: 'mlops.experiments.refresh', title: 'Refresh Experiments', icon: 'refresh' },
  { command: 'mlops.experiments.compare', title: 'Compare Runs', icon: 'diff-multiple' },
  { command: 'mlops.experiments.showRun', title: 'Show Run' },
  { command: 'mlops.datasets.refresh', title: 'Refresh Datasets', icon: 'refresh' },
  { command: 'mlops.datasets.diffPrevious', title: 'Diff with Previous Version' },
];

export const VIEW_IDS = ['mlops.registry', 'mlops.experiments', 'mlops.datasets'] as const;
export type ViewId = (typeof VIEW_IDS)[number];

export const COMPARISON_VIEW_TYPE = 'mlops.comparison';
