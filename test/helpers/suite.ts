/**
 * A test file's project and daemon: a temp project started in the file's `before` hook and stopped,
 * with its folder removed, in its `after` hook, so test files state only what their project holds.
 */
import { after, before } from 'node:test';
import { startDaemon, type RunningDaemon } from './daemon';
import { tempProject, type TempProject } from './project';

export interface DaemonSuite {
  /** Both throw outside the file's hooks and tests, where nothing is started. */
  readonly project: TempProject;
  readonly daemon: RunningDaemon;
}

export interface SuiteOptions {
  /**
   * mlops.yaml, or a function called in the `before` hook for values known only then, like the port
   * of a server it starts (a file's own root-level `before` hooks run concurrently with this one).
   */
  config: string | (() => string | Promise<string>);
  prefix?: string;
  /** Writes the files the daemon should find when it starts. */
  prepare?: (root: string) => void;
  /** Runs against the started daemon (registry, deployments) before the first test. */
  setup?: (s: DaemonSuite) => Promise<void>;
}

/** Registers the `before` and `after` hooks of the calling test file; read the result in tests only. */
export function daemonSuite(opts: SuiteOptions): DaemonSuite {
  let project: TempProject | undefined;
  let daemon: RunningDaemon | undefined;
  const started = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`the test ${what} is read before its before hook started it`);
    return v;
  };
  const suite: DaemonSuite = {
    get project() {
      return started(project, 'project');
    },
    get daemon() {
      return started(daemon, 'daemon');
    },
  };
  before(async () => {
    project = tempProject({ config: typeof opts.config === 'string' ? opts.config : await opts.config(), prefix: opts.prefix });
    opts.prepare?.(project.root);
    daemon = await startDaemon(project.root);
    await opts.setup?.(suite);
  });
  after(async () => {
    await daemon?.stop();
    await project?.cleanup();
  });
  return suite;
}
