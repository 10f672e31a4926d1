/** `--name value` / `--name=value` flags for the example scripts; unknown flags are an error, not ignored. */
export function parseFlags(argv: string[], known: Record<string, string>, usage: string): Record<string, string> {
  const out: Record<string, string> = { ...known };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') {
      console.log(usage);
      process.exit(0);
    }
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    const name = m?.[1];
    if (!m || name === undefined || !Object.hasOwn(known, name)) throw new Error(`unknown argument "${arg}"\n${usage}`);
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new Error(`--${name} needs a value\n${usage}`);
    out[name] = value;
  }
  return out;
}

export function intFlag(flags: Record<string, string>, name: string): number {
  const raw = flags[name] ?? '';
  const v = Number(raw);
  if (!Number.isInteger(v)) throw new Error(`--${name} must be an integer, got "${raw}"`);
  return v;
}
