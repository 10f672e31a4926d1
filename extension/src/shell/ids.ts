/**
 * Every view and command id, declared once: the activation shell registers them synchronously,
 * extension/manifest.ts generates package.json's `contributes` from them, and the core's handler
 * maps are typed by them. Adding a view: declare it in `<view>/ids.ts` and add it to VIEWS.
 * Imports only declaration files (no runtime code), so the shell bundle stays tiny.
 */
import { defineCommands, type CommandDecl, type ViewDecl } from './contrib';
import { ALERTS_VIEW } from '../alerts/ids';
import { DATASETS_VIEW } from '../datasets/ids';
import { DEPLOYMENTS_VIEW } from '../deployments/ids';
import { EXPERIMENTS_VIEW } from '../experiments/ids';
import { PIPELINES_VIEW } from '../pipelines/ids';
import { REGISTRY_VIEW } from '../registry/ids';

/** The views, in the order the MLOps container shows them. */
export const VIEWS = [REGISTRY_VIEW, EXPERIMENTS_VIEW, DATASETS_VIEW, DEPLOYMENTS_VIEW, ALERTS_VIEW, PIPELINES_VIEW] as const satisfies readonly ViewDecl[];

/** Commands of the project rather than of one view. */
export const PROJECT_COMMANDS = defineCommands({
  init: { id: 'mlops.init', title: 'Initialize Project' },
  installCli: { id: 'mlops.installCli', title: 'Install CLI' },
  showOutput: { id: 'mlops.showOutput', title: 'Show Output' },
  restartDaemon: { id: 'mlops.restartDaemon', title: 'Restart Daemon' },
  showDaemonDetails: { id: 'mlops.showDaemonDetails', title: 'Show Daemon Details' },
  openConfig: { id: 'mlops.openConfig', title: 'Open mlops.yaml' },
  runTraining: { id: 'mlops.runTraining', title: 'Run Training with mlops exec' },
  convertNotebook: {
    id: 'mlops.convertNotebook',
    title: 'Convert to Pipeline…',
    icon: 'type-hierarchy-sub',
    explorer: { when: 'resourceExtname == .ipynb && !mlops.untrusted', group: '7_modification@9' },
    notebookToolbar: { when: "notebookType == 'jupyter-notebook' && !mlops.untrusted", group: 'navigation/execute@99' },
  },
});

export type ViewId = (typeof VIEWS)[number]['id'];
export const VIEW_IDS: readonly ViewId[] = VIEWS.map((v) => v.id);

type ViewCommand = { [V in (typeof VIEWS)[number] as V['id']]: V['commands'][keyof V['commands']] }[ViewId];
/** Every command id the extension declares: a mistyped id does not compile. */
export type CommandId = (typeof PROJECT_COMMANDS)[keyof typeof PROJECT_COMMANDS]['id'] | ViewCommand['id'];

/** Every declared command, project commands first. */
export const ALL_COMMANDS: readonly CommandDecl[] = [...Object.values(PROJECT_COMMANDS), ...VIEWS.flatMap((v) => Object.values(v.commands))];

export const COMPARISON_VIEW_TYPE = 'mlops.comparison';
export const DRIFT_VIEW_TYPE = 'mlops.drift';
export const LATENCY_VIEW_TYPE = 'mlops.latency';
/** Every webview panel type, each restored after a reload by the serializer the shell registers. */
export const PANEL_VIEW_TYPES = [COMPARISON_VIEW_TYPE, DRIFT_VIEW_TYPE, LATENCY_VIEW_TYPE] as const;
/** Read-only documents the extension shows (audit history, run details, dataset diffs). */
export const DOC_SCHEME = 'mlops';

/**
 * Context keys the extension sets from the project's state; the walkthrough completes its steps on
 * them (`onContext:`), so an initialised project with runs shows those steps done.
 */
export const CONTEXT_KEYS = {
  untrusted: 'mlops.untrusted',
  daemonState: 'mlops.daemonState',
  initialized: 'mlops.initialized',
  hasDatasetVersions: 'mlops.hasDatasetVersions',
  hasRuns: 'mlops.hasRuns',
  hasModels: 'mlops.hasModels',
  hasPromotedVersion: 'mlops.hasPromotedVersion',
  /** Set a moment after a Welcome/walkthrough tab opens; see manifest.ts's walkthrough for why. */
  walkthroughOpened: 'mlops.walkthroughOpened',
} as const;
export type ContextKey = (typeof CONTEXT_KEYS)[keyof typeof CONTEXT_KEYS];
