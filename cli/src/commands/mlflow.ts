/** `mlops env`: the two variables that point an unchanged MLflow client at this project's daemon. */
import type * as z from 'zod';
import { type envJson } from '../../../schemas/src/cli';
import { readPortRecord } from '../../../shared/src/daemon-port';
import { statePaths } from '../../../shared/src/paths';
import { connect, requireRoot } from '../context';
import { type CliIo, type CommandSpec } from '../framework';
import { printJson } from '../output';

type Env = z.infer<typeof envJson>;

/** The port change of the daemon's last start, when it could not get its previous port. */
function portChange(root: string, port: number): Env['port_changed'] {
  const rec = readPortRecord(statePaths(root).port);
  if (rec?.port !== port || rec.previous_port === undefined || rec.previous_port === port) return undefined;
  return { from: rec.previous_port, to: port, at: rec.changed_at ?? '' };
}

/** Notes on stderr, so stdout stays safe to eval: the port moved, or this shell's export is stale. */
function staleNotes(io: CliIo, env: Env): void {
  const again = 'run eval "$(mlops env)" again in shells that exported the old address';
  const c = env.port_changed;
  if (c) io.err(`note: the daemon's port changed from ${c.from} to ${c.to}${c.at ? ` at ${c.at}` : ''} (${c.from} was taken when it started); ${again}\n`);
  const current = io.env['MLFLOW_TRACKING_URI'];
  if (current && /^https?:\/\/(127\.0\.0\.1|localhost)(:\d+)?\/?$/.test(current) && current.replace(/\/$/, '') !== env.MLFLOW_TRACKING_URI) {
    io.err(`note: this shell's MLFLOW_TRACKING_URI (${current}) no longer points at the daemon (${env.MLFLOW_TRACKING_URI}); ${again}\n`);
  }
}

export const mlflowCommands: CommandSpec[] = [
  {
    words: ['env'],
    summary: 'Print the exports that point MLflow clients at this project (MLFLOW_TRACKING_URI, MLFLOW_TRACKING_TOKEN): eval "$(mlops env)"',
    json: true,
    examples: ['mlops env', 'mlops env --json'],
    run: async (args, io) => {
      const root = requireRoot(io);
      // Starts the daemon when none runs, so the address printed answers.
      const client = await connect(io, root);
      const changed = portChange(root, client.conn.port);
      const env: Env = {
        MLFLOW_TRACKING_URI: `http://127.0.0.1:${client.conn.port}`,
        MLFLOW_TRACKING_TOKEN: client.conn.token,
        ...(changed ? { port_changed: changed } : {}),
      };
      if (args.json) return printJson(io, env);
      staleNotes(io, env);
      // Single quotes: the token never needs escaping, and the output is safe to eval.
      io.out(`export MLFLOW_TRACKING_URI='${env.MLFLOW_TRACKING_URI}'\nexport MLFLOW_TRACKING_TOKEN='${env.MLFLOW_TRACKING_TOKEN}'\n`);
      return 0;
    },
  },
];
