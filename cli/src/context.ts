/** What most commands need: the project root, a connected client, and daemon errors as CLI errors. */
import { userInfo } from 'node:os';
import { ApiError, type DaemonClient } from '../../client/src/client';
import { connectDaemon, DaemonUnavailableError } from '../../client/src/connect';
import { findProjectRoot } from '../../shared/src/paths';
import { CliError, type CliIo } from './framework';

export function requireRoot(io: CliIo): string {
  const root = findProjectRoot(io.cwd, io.env);
  if (!root) throw new CliError(`no MLOps project here (${io.cwd})`, 'run `mlops init` in your project folder first');
  return root;
}

export function actorName(io: CliIo): string {
  let user = io.env['USER'] ?? '';
  try {
    user = user || userInfo().username;
  } catch {
    user = user || 'unknown';
  }
  return `cli:${user.replace(/[^\w.@-]/g, '_')}`;
}

export async function connect(io: CliIo, root = requireRoot(io)): Promise<DaemonClient> {
  try {
    return await connectDaemon(root, { actor: actorName(io) });
  } catch (e) {
    if (e instanceof DaemonUnavailableError) throw new CliError(e.message, 'see .mlops/daemon.log');
    throw e;
  }
}

/** Runs a daemon call, turning its errors into one-line CLI errors with a next step. */
export async function api<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ApiError) {
      // The daemon names URL parts as `path.<param>`; on the command line they are arguments.
      throw new CliError(e.message.replace(/(^|; )path\.(\w+): /g, '$1argument <$2>: '), hintFor(e));
    }
    throw e;
  }
}

/** The next step for a daemon error, from what it names. */
function hintFor(e: ApiError): string | undefined {
  if (e.status === 401) return 'the daemon was restarted; run the command again';
  if (e.status !== 404) return undefined;
  const version = /version \d+ of model "([^"]+)"/.exec(e.message);
  if (version) return `list its versions with \`mlops models show ${version[1]}\``;
  if (/^model /.test(e.message)) return 'list what exists with `mlops models list`';
  if (/^run /.test(e.message)) return 'list runs with `mlops runs list`';
  if (/dataset/.test(e.message)) return 'list datasets with `mlops data list`';
  return undefined;
}
