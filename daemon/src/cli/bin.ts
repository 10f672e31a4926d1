/** Process entry of the `mlops` CLI (bundled to dist/cli.js, loaded by bin/mlops.js). */
import { runCli } from './main';
import { type CliIo } from './framework';

const io: CliIo = {
  cwd: process.cwd(),
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  interactive: Boolean(process.stderr.isTTY),
  env: process.env,
};

runCli(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`mlops: error: ${String(e)}\n`);
    process.exitCode = 1;
  },
);
