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
  statusBar: { showProductionVersions: boolean };
  cli: { installDir: string };
}

export const CONFIG_DEFAULTS: WorkbenchConfig = {
  daemon: { nodePath: 'node', autoStart: true, maxRestartsPerMinute: 3 },
  languageServer: { enabled: true },
  statusBar: { showProductionVersions: true },
  cli: { installDir: '~/.local/bin' },
};

function pick<T>(section: ConfigSection, key: string, fallback: T, valid: (v: unknown) => v is T): T {
  const v = section.get<unknown>(key);
  return valid(v) ? v : fallback;
}

const isString = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
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
    statusBar: {
      showProductionVersions: pick(section, 'statusBar.showProductionVersions', d.statusBar.showProductionVersions, isBool),
    },
    cli: { installDir: pick(section, 'cli.installDir', d.cli.installDir, isString) },
  };
}
