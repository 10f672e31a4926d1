/**
 * The one typed accessor for `mlops.*` settings. Pure: the caller passes the configuration section
 * (`vscode.workspace.getConfiguration('mlops')`), so this module unit-tests under plain node.
 * Keys and defaults must match `contributes.configuration` in package.json (a unit test checks).
 */
export interface ConfigSection {
  get<T>(key: string): T | undefined;
}

export interface WorkbenchConfig {
  daemon: {
    /** Node executable that runs the daemon; it must be the major version the native modules were built for. */
    nodePath: string;
    /** Start the daemon when none answers. */
    autoStart: boolean;
    /** Most automatic restarts of a dead daemon per minute before giving up and saying so. */
    maxRestartsPerMinute: number;
  };
  languageServer: { enabled: boolean };
  /** Severity per Python rule (`mlops.pythonRules`); the language server reads and validates it itself. */
  pythonRules: Record<string, string>;
  statusBar: { showProductionVersions: boolean };
  cli: { installDir: string };
  /** Run Comparison: metric name → whether a higher or lower value is better, over the built-in guess from the name. */
  comparison: { metricDirections: Record<string, 'higher' | 'lower'> };
}

export const CONFIG_DEFAULTS: WorkbenchConfig = {
  daemon: { nodePath: 'node', autoStart: true, maxRestartsPerMinute: 3 },
  languageServer: { enabled: true },
  pythonRules: {},
  statusBar: { showProductionVersions: true },
  cli: { installDir: '~/.local/bin' },
  comparison: { metricDirections: {} },
};

/** Settings that are one value rather than a group of `mlops.<group>.<key>` settings. */
const SINGLE_SETTINGS = new Set<keyof WorkbenchConfig>(['pythonRules']);

/** Every setting as `mlops.<name>` → default, the way package.json declares them. */
export function settingDefaults(): Record<string, unknown> {
  const flat: Record<string, unknown> = {};
  for (const [group, obj] of Object.entries(CONFIG_DEFAULTS) as [keyof WorkbenchConfig, object][]) {
    if (SINGLE_SETTINGS.has(group)) flat[`mlops.${group}`] = obj;
    else for (const [k, v] of Object.entries(obj)) flat[`mlops.${group}.${k}`] = v;
  }
  return flat;
}

function pick<T>(section: ConfigSection, key: string, fallback: T, valid: (v: unknown) => v is T): T {
  const v = section.get<unknown>(key);
  return valid(v) ? v : fallback;
}

const isString = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const isStringMap = (v: unknown): v is Record<string, string> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
const isDirectionMap = (v: unknown): v is Record<string, 'higher' | 'lower'> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => x === 'higher' || x === 'lower');
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 60;

export function readConfig(section: ConfigSection): WorkbenchConfig {
  const d = CONFIG_DEFAULTS;
  return {
    daemon: {
      nodePath: pick(section, 'daemon.nodePath', d.daemon.nodePath, isString).trim(),
      autoStart: pick(section, 'daemon.autoStart', d.daemon.autoStart, isBool),
      maxRestartsPerMinute: pick(section, 'daemon.maxRestartsPerMinute', d.daemon.maxRestartsPerMinute, isCount),
    },
    languageServer: { enabled: pick(section, 'languageServer.enabled', d.languageServer.enabled, isBool) },
    pythonRules: pick(section, 'pythonRules', d.pythonRules, isStringMap),
    statusBar: {
      showProductionVersions: pick(section, 'statusBar.showProductionVersions', d.statusBar.showProductionVersions, isBool),
    },
    cli: { installDir: pick(section, 'cli.installDir', d.cli.installDir, isString) },
    comparison: { metricDirections: pick(section, 'comparison.metricDirections', d.comparison.metricDirections, isDirectionMap) },
  };
}
