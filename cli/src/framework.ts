/**
 * The CLI's small command framework: every command declares its words, options, positionals,
 * help text and examples; parsing, `--help`, `--json` and error reporting live here once.
 */
import { parseArgs } from 'node:util';

export type OptionSpec =
  | { type: 'string'; short?: string; multiple?: boolean; description: string; placeholder?: string }
  | { type: 'boolean'; short?: string; description: string };

export interface PositionalSpec {
  name: string;
  required: boolean;
  /** Swallows the rest of the arguments (e.g. `exec -- cmd ...`). */
  variadic?: boolean;
  description: string;
}

export interface ParsedArgs {
  positionals: Record<string, string | string[] | undefined>;
  options: Record<string, string | boolean | string[] | undefined>;
  json: boolean;
}

/** What a command gets: where it runs and how it writes. */
export interface CliIo {
  cwd: string;
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is a terminal: progress bars only then. */
  interactive: boolean;
  env: NodeJS.ProcessEnv;
}

export interface CommandSpec {
  /** The command words, e.g. ["models", "promote"]. */
  words: string[];
  summary: string;
  positionals?: PositionalSpec[];
  options?: Record<string, OptionSpec>;
  examples: string[];
  /** Commands with a documented `--json` contract. */
  json?: boolean;
  run(args: ParsedArgs, io: CliIo): Promise<number | void>;
}

/** An error for the user: printed as one line, with an optional hint on what to do next. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export class UsageError extends CliError {
  constructor(message: string, command?: CommandSpec) {
    super(message, command ? `see \`mlops ${command.words.join(' ')} --help\`` : 'see `mlops --help`', 2);
  }
}

export function usageLine(cmd: CommandSpec): string {
  const pos = (cmd.positionals ?? []).map((p) => {
    const n = p.variadic ? `${p.name}...` : p.name;
    return p.required ? `<${n}>` : `[${n}]`;
  });
  const hasOpts = Object.keys(cmd.options ?? {}).length > 0 || cmd.json;
  return ['mlops', ...cmd.words, ...(hasOpts ? ['[options]'] : []), ...pos].join(' ');
}

export function commandHelp(cmd: CommandSpec): string {
  const lines = [`${usageLine(cmd)}`, '', cmd.summary, ''];
  if (cmd.positionals?.length) {
    lines.push('Arguments:');
    for (const p of cmd.positionals) lines.push(`  ${p.name.padEnd(22)} ${p.description}`);
    lines.push('');
  }
  const opts = Object.entries(cmd.options ?? {});
  if (opts.length || cmd.json) {
    lines.push('Options:');
    for (const [name, o] of opts) {
      const flag = `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` <${o.placeholder ?? 'value'}>` : ''}`;
      lines.push(`  ${flag.padEnd(22)} ${o.description}${o.type === 'string' && o.multiple ? ' (repeatable)' : ''}`);
    }
    if (cmd.json) lines.push(`  ${'--json'.padEnd(22)} print the result as JSON (the stable, documented contract)`);
    lines.push(`  ${'-h, --help'.padEnd(22)} show this help`);
    lines.push('');
  }
  lines.push('Examples:');
  for (const e of cmd.examples) lines.push(`  ${e}`);
  return lines.join('\n') + '\n';
}

/** Parses argv (after the command words) against the command's spec. */
export function parseCommandArgs(cmd: CommandSpec, argv: string[]): ParsedArgs {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [name, o] of Object.entries(cmd.options ?? {})) {
    options[name] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.type === 'string' && o.multiple ? { multiple: true } : {}) };
  }
  if (cmd.json) options['json'] = { type: 'boolean' };
  const variadic = cmd.positionals?.find((p) => p.variadic);
  let rest: string[] = [];
  let head = argv;
  const dd = argv.indexOf('--');
  if (variadic && dd >= 0) {
    head = argv.slice(0, dd);
    rest = argv.slice(dd + 1);
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: head, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message.replace(/\. To specify.*$/s, '') : String(e), cmd);
  }
  const given = [...parsed.positionals, ...rest];
  const positionals: ParsedArgs['positionals'] = {};
  const specs = cmd.positionals ?? [];
  specs.forEach((p, i) => {
    if (p.variadic) positionals[p.name] = given.slice(i);
    else positionals[p.name] = given[i];
    if (p.required && (p.variadic ? given.length <= i : given[i] === undefined)) {
      throw new UsageError(`missing argument <${p.name}>: ${p.description}`, cmd);
    }
  });
  if (!variadic && given.length > specs.length) {
    throw new UsageError(`unexpected argument "${given[specs.length]}"`, cmd);
  }
  const values = parsed.values as ParsedArgs['options'];
  return { positionals, options: values, json: values['json'] === true };
}

/** Reads a string option; undefined when absent. */
export function str(args: ParsedArgs, name: string): string | undefined {
  const v = args.options[name];
  return typeof v === 'string' ? v : undefined;
}

export function strs(args: ParsedArgs, name: string): string[] {
  const v = args.options[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

export function pos(args: ParsedArgs, name: string): string {
  const v = args.positionals[name];
  if (typeof v !== 'string') throw new CliError(`missing argument <${name}>`);
  return v;
}

/** Parses `k=v` pairs of a repeatable option. */
export function keyValues(args: ParsedArgs, name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of strs(args, name)) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new CliError(`--${name} "${kv}": expected key=value`);
    out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

export function positiveInt(value: string, what: string): number {
  if (!/^[1-9][0-9]*$/.test(value)) throw new CliError(`${what} "${value}": expected a positive whole number`);
  return Number(value);
}
