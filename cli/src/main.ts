/**
 * The `mlops` CLI entry. Finds the command by its words, prints help, runs it, and turns every
 * failure into one line on stderr with a non-zero exit code.
 */
import { allCommands } from './commands/index';
import { CliError, commandHelp, parseCommandArgs, usageLine, type CliIo, type CommandSpec } from './framework';
import { VERSION } from '../../shared/src/version';

function findCommand(argv: string[]): { cmd?: CommandSpec; rest: string[]; prefix: string[] } {
  let best: CommandSpec | undefined;
  for (const c of allCommands) {
    const matches = c.words.every((w, i) => argv[i] === w);
    if (matches && (!best || c.words.length > best.words.length)) best = c;
  }
  if (best) return { cmd: best, rest: argv.slice(best.words.length), prefix: best.words };
  const prefix = argv.filter((a) => !a.startsWith('-')).slice(0, 1);
  return { rest: argv, prefix };
}

function overview(filter: string[] = []): string {
  const list = allCommands.filter((c) => filter.every((w, i) => c.words[i] === w));
  const lines = [
    `mlops ${VERSION}: MLOps Workbench command line`,
    '',
    'Usage: mlops <command> [options]',
    '',
    'Commands:',
    ...list.map((c) => `  ${usageLine(c).slice('mlops '.length).padEnd(58)} ${c.summary}`),
    '',
    'Run `mlops <command> --help` for options and examples. Every listing takes --json.',
  ];
  return lines.join('\n') + '\n';
}

/** Errors are one line on stderr, so scripts can read them; multi-line details are joined with "; ". */
function oneLine(text: string): string {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).join('; ');
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.out(overview());
    return 0;
  }
  if (argv[0] === '--version' || argv[0] === '-v') {
    io.out(`${VERSION}\n`);
    return 0;
  }
  const { cmd, rest, prefix } = findCommand(argv);
  if (!cmd) {
    const group = allCommands.some((c) => c.words[0] === prefix[0]);
    if (group && (rest.length === 1 || rest.includes('--help') || rest.includes('-h'))) {
      io.out(overview(prefix));
      return rest.length === 1 ? 0 : 0;
    }
    io.err(`mlops: error: unknown command "${argv.filter((a) => !a.startsWith('-')).slice(0, 2).join(' ')}"; see \`mlops --help\`\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(commandHelp(cmd));
    return 0;
  }
  try {
    const args = parseCommandArgs(cmd, rest);
    return (await cmd.run(args, io)) ?? 0;
  } catch (e) {
    if (e instanceof CliError) {
      io.err(`mlops: error: ${oneLine(e.message)}${e.hint ? ` (${e.hint})` : ''}\n`);
      return e.exitCode;
    }
    io.err(`mlops: error: ${oneLine(e instanceof Error ? e.message : String(e))}\n`);
    if (process.env['MLOPS_DEBUG'] && e instanceof Error) io.err(`${e.stack}\n`);
    return 1;
  }
}
