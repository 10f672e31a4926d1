/**
 * `mlops lsp --stdio`: the mlops.yaml language server for any LSP editor (Neovim, Helix, ...).
 * It runs in this process by loading the server bundle that sits next to the CLI bundle in dist/.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { CliError, UsageError, type CommandSpec } from '../framework';

interface ServerModule {
  startServer(): Promise<void>;
}

const lsp: CommandSpec = {
  words: ['lsp'],
  summary: 'Run the mlops.yaml language server over stdin/stdout (for Neovim, Helix and other LSP editors)',
  options: {
    stdio: { type: 'boolean', description: 'speak the Language Server Protocol on stdin/stdout (required)' },
  },
  examples: ['mlops lsp --stdio', "mlops lsp --stdio    # Neovim: vim.lsp.start({ name = 'mlops', cmd = { 'mlops', 'lsp', '--stdio' } })"],
  async run(args) {
    if (args.options['stdio'] !== true) throw new UsageError('`mlops lsp` needs --stdio (the only transport)', lsp);
    const file = join(__dirname, 'language-server.js');
    if (!existsSync(file)) throw new CliError(`language server bundle not found at ${file}`, 'run `npm run build` first');
    // A run-time load of the sibling bundle, deliberately not bundled into the CLI.
    const mod = createRequire(__filename)(file) as Partial<ServerModule>;
    if (typeof mod.startServer !== 'function') throw new CliError(`${file} does not export startServer()`);
    await mod.startServer();
  },
};

export const lspCommands: CommandSpec[] = [lsp];
