/** What most commands need: the project root, a connected client, and daemon errors as CLI errors. */
import { userInfo } from 'node:os';
import { type EntityKind } from '../../schemas/src/errors';
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

/** What to list when something does not exist. */
const LIST_HINTS: Record<EntityKind, string> = {
  model: 'list what exists with `mlops models list`',
  model_version: 'list the versions of the model with `mlops models show <model>`',
  alias: 'see the aliases of the model with `mlops models show <model>`',
  run: 'list runs with `mlops runs list`',
  dataset: 'list datasets with `mlops data list`',
  dataset_version: 'list the versions of the dataset with `mlops data versions <dataset>`',
  deployment: 'list deployments with `mlops deployments list`',
  alert: 'list alerts with `mlops alerts --all`',
  prediction: 'request ids are kept for `monitoring.horizon` and `monitoring.max_predictions`; a pruned one is gone',
};

/** The next step for a daemon error, chosen by its code (never by its wording). */
function hintFor(e: ApiError): string | undefined {
  if (e.code === 'unauthorized') return 'the daemon was restarted; run the command again';
  if (e.code === 'connection_lost') return 'the daemon stopped (see .mlops/daemon.log); run the command again, it restarts the daemon and redoes only what is missing';
  if (e.code === 'not_found' && e.entity) return LIST_HINTS[e.entity];
  // gates_failed: the daemon's message already names the failed gate, `mlops check` and --force.
  if (e.code === 'invalid_config') return 'fix mlops.yaml (`mlops` names the line), then run the command again';
  return undefined;
}
