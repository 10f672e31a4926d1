/** `mlops env`: the two variables that point an unchanged MLflow client at this project's daemon. */
import { type z } from 'zod';
import { type envJson } from '../../../schemas/src/cli';
import { connect } from '../context';
import { type CommandSpec } from '../framework';
import { printJson } from '../output';

export const mlflowCommands: CommandSpec[] = [
  {
    words: ['env'],
    summary: 'Print the exports that point MLflow clients at this project (MLFLOW_TRACKING_URI, MLFLOW_TRACKING_TOKEN): eval "$(mlops env)"',
    json: true,
    examples: ['mlops env', 'mlops env --json'],
    run: async (args, io) => {
      // Starts the daemon when none runs, so the address printed answers.
      const client = await connect(io);
      const env: z.infer<typeof envJson> = {
        MLFLOW_TRACKING_URI: `http://127.0.0.1:${client.conn.port}`,
        MLFLOW_TRACKING_TOKEN: client.conn.token,
      };
      if (args.json) return printJson(io, env);
      // Single quotes: the token never needs escaping, and the output is safe to eval.
      io.out(`export MLFLOW_TRACKING_URI='${env.MLFLOW_TRACKING_URI}'\nexport MLFLOW_TRACKING_TOKEN='${env.MLFLOW_TRACKING_TOKEN}'\n`);
      return 0;
    },
  },
];
