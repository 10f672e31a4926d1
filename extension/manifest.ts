/**
 * The VS Code manifest keys of package.json, kept as code so they are reviewed in one place and
 * unit-tested against the commands the extension registers. `npx tsx extension/manifest.ts` writes
 * them into package.json, reading the current file first (other keys, e.g. `scripts`, are left alone).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_DEFAULTS } from './src/config';
import { type CommandDecl, type ViewDecl } from './src/shell/contrib';
import { ALL_COMMANDS, CONTEXT_KEYS, PANEL_VIEW_TYPES, PROJECT_COMMANDS, VIEWS } from './src/shell/ids';

interface CommandContribution {
  command: string;
  title: string;
  category?: string;
  icon?: string;
}

const contribution = (c: CommandDecl): CommandContribution => ({
  command: c.id,
  title: c.title,
  category: 'MLOps',
  ...(c.icon ? { icon: `$(${c.icon})` } : {}),
});

export const COMMANDS: CommandContribution[] = ALL_COMMANDS.map(contribution);

const views: readonly ViewDecl[] = VIEWS;
const viewCommands = (v: ViewDecl) => Object.values(v.commands);

/** Menus from the declarations: palette hiding, title-bar buttons, row context menus. */
export const MENUS = {
  commandPalette: ALL_COMMANDS.filter((c) => c.palette === false).map((c) => ({ command: c.id, when: 'false' })),
  'view/title': views.flatMap((v) =>
    viewCommands(v).flatMap((c) => (c.titleBar ? [{ command: c.id, when: `view == ${v.id}`, group: c.titleBar }] : [])),
  ),
  'view/item/context': views.flatMap((v) =>
    viewCommands(v).flatMap((c) => (c.item ? [{ command: c.id, when: `view == ${v.id} && ${c.item.when}`, group: c.item.group }] : [])),
  ),
  'explorer/context': ALL_COMMANDS.flatMap((c) => (c.explorer ? [{ command: c.id, when: c.explorer.when, group: c.explorer.group }] : [])),
  'notebook/toolbar': ALL_COMMANDS.flatMap((c) => (c.notebookToolbar ? [{ command: c.id, when: c.notebookToolbar.when, group: c.notebookToolbar.group }] : [])),
};

const UNTRUSTED_WELCOME = 'MLOps is disabled in an untrusted workspace: it would start a daemon and run this project\'s code.\n[Manage Workspace Trust](command:workbench.trust.manage)';

export const VIEWS_WELCOME = [
  ...views.map((v) => ({ view: v.id, contents: UNTRUSTED_WELCOME, when: `${CONTEXT_KEYS.untrusted}` })),
  ...views.map((v) => ({ view: v.id, contents: v.welcome, when: `!${CONTEXT_KEYS.untrusted}` })),
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
    'mlops.comparison.metricDirections': {
      type: 'object',
      default: d.comparison.metricDirections,
      markdownDescription:
        'Run Comparison: whether a higher or a lower value of a metric is better, by metric name (e.g. `{"churn_rate": "lower"}`). Without an entry the name decides: loss, error, RMSE, MAE, log loss are better lower; accuracy, AUC, F1, precision, recall, R² higher.',
      additionalProperties: { enum: ['higher', 'lower'] },
    },
    'mlops.cli.installDir': {
      type: 'string',
      default: d.cli.installDir,
      scope: 'machine',
      description: 'Folder that "MLOps: Install CLI" writes the `mlops` command into; it should be on your PATH.',
    },
  },
};

const step = (id: string, title: string, description: string, md: string, completionEvents: string[]) => ({
  id,
  title,
  description,
  media: { markdown: `media/walkthrough/${md}.md` },
  completionEvents,
});

const P = PROJECT_COMMANDS;
/**
 * VS Code (1.100) registers a walkthrough's `onContext:` events when its walkthrough service starts,
 * which is lazily, often when the walkthrough is first opened; an expression already true then is
 * never completed in that session. So each condition also needs `mlops.walkthroughOpened`, which the
 * extension sets a moment after a Welcome or walkthrough tab opens: the expression turns true after
 * registration and the step completes.
 */
const onContext = (key: string) => `onContext:${CONTEXT_KEYS.walkthroughOpened} && ${key}`;

/** Steps complete when their command runs, or from the project's state (context keys the extension sets). */
export const WALKTHROUGHS = [
  {
    id: 'mlops.getStarted',
    title: 'Get started with MLOps Workbench',
    description: 'Track experiments, version data and promote models without leaving VS Code.',
    steps: [
      step('init', 'Initialize the project', `Create mlops.yaml and the .mlops/ state folder.\n[Initialize Project](command:${P.init.id})`, 'init', [
        onContext(CONTEXT_KEYS.initialized),
      ]),
      step('config', 'Open mlops.yaml', `Declare your data, parameters and model signature.\n[Open mlops.yaml](command:${P.openConfig.id})`, 'config', [
        `onCommand:${P.openConfig.id}`,
      ]),
      step('snapshot', 'Snapshot your data', 'Version the files of a dataset by content.\n[Snapshot Dataset](command:mlops.snapshotDataset)', 'snapshot', [
        'onCommand:mlops.snapshotDataset',
        onContext(CONTEXT_KEYS.hasDatasetVersions),
      ]),
      step('train', 'Run training with mlops exec', `Every run records params, metrics, git commit and data versions.\n[Run Training](command:${P.runTraining.id})`, 'train', [
        onContext(CONTEXT_KEYS.hasRuns),
      ]),
      step('promote', 'Register and promote', 'Register the ONNX model, then right-click a version → Promote to Staging.\n[Register Model](command:mlops.registerModel)', 'promote', [
        onContext(CONTEXT_KEYS.hasPromotedVersion),
      ]),
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
    activationEvents: ['workspaceContains:mlops.yaml', 'workspaceContains:*/mlops.yaml', ...PANEL_VIEW_TYPES.map((t) => `onWebviewPanel:${t}`)],
    capabilities: {
      untrustedWorkspaces: {
        supported: 'limited',
        description: 'In an untrusted workspace MLOps starts no daemon and no language server, and runs no command of the project.',
      },
      virtualWorkspaces: false,
    },
    contributes: {
      viewsContainers: { activitybar: [{ id: 'mlops', title: 'MLOps', icon: 'media/mlops.svg' }] },
      views: { mlops: views.map((v) => ({ id: v.id, name: v.name, icon: 'media/mlops.svg' })) },
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
