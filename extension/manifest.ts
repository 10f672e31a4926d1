/**
 * The VS Code manifest keys of package.json, kept as code so they are reviewed in one place and
 * unit-tested against the commands the extension registers. `npx tsx extension/manifest.ts` writes
 * them into package.json, reading the current file first (other keys, e.g. `scripts`, are left alone).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_DEFAULTS } from './src/config';
import { COMMAND_INFO, VIEW_IDS } from './src/shell/ids';

interface CommandContribution {
  command: string;
  title: string;
  category?: string;
  icon?: string;
}

const cmd = (command: string, title: string, icon?: string): CommandContribution => ({
  command,
  title,
  category: 'MLOps',
  ...(icon ? { icon: `$(${icon})` } : {}),
});

export const COMMANDS: CommandContribution[] = COMMAND_INFO.map((c) => cmd(c.command, c.title, c.icon));

/** Commands that need a tree node: hidden from the palette. */
const NODE_ONLY = COMMANDS.map((c) => c.command).filter(
  (id) => /^mlops\.(registry|experiments|datasets)\./.test(id) && !id.endsWith('.refresh') && id !== 'mlops.experiments.compare',
);

const item = (command: string, when: string, group: string) => ({ command, when, group });
const REG = 'view == mlops.registry';

export const MENUS = {
  commandPalette: [
    ...NODE_ONLY.map((command) => ({ command, when: 'false' })),
    { command: 'mlops.experiments.compare', when: 'false' },
  ],
  'view/title': [
    { command: 'mlops.registry.refresh', when: REG, group: 'navigation' },
    { command: 'mlops.experiments.compare', when: 'view == mlops.experiments', group: 'navigation@1' },
    { command: 'mlops.experiments.refresh', when: 'view == mlops.experiments', group: 'navigation@2' },
    { command: 'mlops.snapshotDataset', when: 'view == mlops.datasets', group: 'navigation@1' },
    { command: 'mlops.datasets.refresh', when: 'view == mlops.datasets', group: 'navigation@2' },
  ],
  'view/item/context': [
    item('mlops.registry.promoteStaging', `${REG} && viewItem =~ /^version;stage=(None|Archived);/`, '1_stage@1'),
    item('mlops.registry.promoteProduction', `${REG} && viewItem =~ /^version;stage=(None|Staging|Archived);/`, '1_stage@2'),
    item('mlops.registry.archive', `${REG} && viewItem =~ /^version;stage=(None|Staging|Production);/`, '1_stage@3'),
    item('mlops.registry.rollback', `${REG} && viewItem =~ /^(version;stage=Production;|model;prod)/`, '1_stage@4'),
    item('mlops.registry.setAlias', `${REG} && viewItem =~ /^version;/`, '2_alias@1'),
    item('mlops.registry.compareWithProduction', `${REG} && viewItem =~ /^version;stage=(None|Staging|Archived);prod;/`, '3_inspect@1'),
    item('mlops.registry.showAudit', `${REG} && viewItem =~ /^(version|model);/`, '3_inspect@2'),
    item('mlops.registry.revealRun', `${REG} && viewItem =~ /^version;.*;run$/`, '3_inspect@3'),
    item('mlops.experiments.compare', 'view == mlops.experiments && viewItem =~ /^run;/', '1_compare@1'),
    item('mlops.experiments.showRun', 'view == mlops.experiments && viewItem =~ /^run;/', '1_compare@2'),
    item('mlops.snapshotDataset', 'view == mlops.datasets && viewItem == dataset;configured', '1_data@1'),
    item('mlops.datasets.diffPrevious', 'view == mlops.datasets && viewItem == datasetVersion;parent', '1_data@2'),
  ],
};

const UNTRUSTED_WELCOME = 'MLOps is disabled in an untrusted workspace: it would start a daemon and run this project\'s code.\n[Manage Workspace Trust](command:workbench.trust.manage)';

export const VIEWS_WELCOME = [
  ...VIEW_IDS.map((view) => ({ view, contents: UNTRUSTED_WELCOME, when: 'mlops.untrusted' })),
  {
    view: 'mlops.registry',
    contents: 'No models yet. Register an ONNX model to start.\n[Register Model…](command:mlops.registerModel)\nNo mlops.yaml here? [Initialize Project](command:mlops.init)',
    when: '!mlops.untrusted',
  },
  { view: 'mlops.experiments', contents: 'No runs yet. Track one with `mlops exec -- python train.py`.\n[Run Training](command:mlops.runTraining)', when: '!mlops.untrusted' },
  { view: 'mlops.datasets', contents: 'No datasets yet. Declare them under `data:` in mlops.yaml.\n[Open mlops.yaml](command:mlops.openConfig)', when: '!mlops.untrusted' },
];

const d = CONFIG_DEFAULTS;
export const CONFIGURATION = {
  title: 'MLOps Workbench',
  properties: {
    'mlops.daemon.nodePath': {
      type: 'string',
      default: d.daemon.nodePath,
      scope: 'machine',
      markdownDescription: 'Node executable that runs the MLOps daemon. It must be **Node 20**, the version its native modules (SQLite, ONNX Runtime) are built for; the extension checks `node --version` before starting it.',
    },
    'mlops.daemon.autoStart': { type: 'boolean', default: d.daemon.autoStart, description: 'Start the daemon when none is running for the project.' },
    'mlops.daemon.maxRestartsPerMinute': {
      type: 'integer',
      default: d.daemon.maxRestartsPerMinute,
      minimum: 0,
      maximum: 60,
      description: 'How often per minute a daemon that died is restarted automatically before the extension gives up and says so.',
    },
    'mlops.languageServer.enabled': { type: 'boolean', default: d.languageServer.enabled, description: 'Start the MLOps language server for mlops.yaml, Python files and notebooks.' },
    'mlops.pythonRules': {
      type: 'object',
      default: d.pythonRules,
      markdownDescription:
        'Severity of each hardcoded-config rule in Python files and notebooks: `hyperparameter`, `hyperparameter-assignment`, `data-path`, `seed`, `threshold`, `credential` → `error`, `warning`, `information`, `hint` or `off`.',
      propertyNames: { enum: ['hyperparameter', 'hyperparameter-assignment', 'data-path', 'seed', 'threshold', 'credential'] },
      additionalProperties: { enum: ['error', 'warning', 'information', 'hint', 'off'] },
    },
    'mlops.statusBar.showProductionVersions': {
      type: 'boolean',
      default: d.statusBar.showProductionVersions,
      description: "Show each model's Production version in the status bar.",
    },
    'mlops.cli.installDir': {
      type: 'string',
      default: d.cli.installDir,
      scope: 'machine',
      description: 'Folder that "MLOps: Install CLI" writes the `mlops` command into; it should be on your PATH.',
    },
  },
};

const step = (id: string, title: string, description: string, md: string, completionEvents?: string[]) => ({
  id,
  title,
  description,
  media: { markdown: `media/walkthrough/${md}.md` },
  ...(completionEvents ? { completionEvents } : {}),
});

export const WALKTHROUGHS = [
  {
    id: 'mlops.getStarted',
    title: 'Get started with MLOps Workbench',
    description: 'Track experiments, version data and promote models without leaving VS Code.',
    steps: [
      step('init', 'Initialize the project', 'Create mlops.yaml and the .mlops/ state folder.\n[Initialize Project](command:mlops.init)', 'init', ['onCommand:mlops.init']),
      step('config', 'Open mlops.yaml', 'Declare your data, parameters and model signature.\n[Open mlops.yaml](command:mlops.openConfig)', 'config', ['onCommand:mlops.openConfig']),
      step('snapshot', 'Snapshot your data', 'Version the files of a dataset by content.\n[Snapshot Dataset](command:mlops.snapshotDataset)', 'snapshot', ['onCommand:mlops.snapshotDataset']),
      step('train', 'Run training with mlops exec', 'Every run records params, metrics, git commit and data versions.\n[Run Training](command:mlops.runTraining)', 'train', ['onCommand:mlops.runTraining']),
      step('promote', 'Register and promote', 'Register the ONNX model, then right-click a version → Promote to Staging.\n[Register Model](command:mlops.registerModel)', 'promote', ['onCommand:mlops.registerModel']),
    ],
  },
];

export function manifestKeys(): Record<string, unknown> {
  return {
    displayName: 'MLOps Workbench',
    publisher: 'mlops-workbench',
    main: './dist/extension.js',
    icon: 'media/icon.png',
    categories: ['Machine Learning', 'Data Science', 'Other'],
    activationEvents: ['workspaceContains:mlops.yaml', 'workspaceContains:*/mlops.yaml', 'onWebviewPanel:mlops.comparison'],
    capabilities: {
      untrustedWorkspaces: {
        supported: 'limited',
        description: 'In an untrusted workspace MLOps starts no daemon and no language server, and runs no command of the project.',
      },
      virtualWorkspaces: false,
    },
    contributes: {
      viewsContainers: { activitybar: [{ id: 'mlops', title: 'MLOps', icon: 'media/mlops.svg' }] },
      views: {
        mlops: [
          { id: 'mlops.registry', name: 'Model Registry', icon: 'media/mlops.svg' },
          { id: 'mlops.experiments', name: 'Experiments', icon: 'media/mlops.svg' },
          { id: 'mlops.datasets', name: 'Datasets', icon: 'media/mlops.svg' },
        ],
      },
      viewsWelcome: VIEWS_WELCOME,
      commands: COMMANDS,
      menus: MENUS,
      configuration: CONFIGURATION,
      walkthroughs: WALKTHROUGHS,
    },
  };
}

/** Writes the keys into package.json, re-reading it first (others edit `scripts` concurrently). */
function apply(): void {
  const file = join(__dirname, '..', 'package.json');
  const pkg = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  Object.assign(pkg, manifestKeys());
  pkg['engines'] = { ...(pkg['engines'] as Record<string, string>), vscode: '^1.100.0' };
  writeFileSync(file, JSON.stringify(pkg, null, 2) + '\n');
  console.log(`updated the VS Code manifest keys in ${file}`);
}

if (require.main === module) apply();
