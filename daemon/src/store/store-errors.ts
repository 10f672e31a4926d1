/**
 * SQLite failures said once, on one line, with their cause and what to do: a read-only, damaged or
 * full store is the user's to fix, and a stack trace does not tell them how.
 */
const ADVICE: { match: RegExp; say: (cause: string) => string }[] = [
  {
    match: /^SQLITE_READONLY/,
    say: (c) => `the store .mlops/mlops.db cannot be written (${c}): give your user write permission on .mlops/ and the files in it (chmod -R u+w .mlops), then retry`,
  },
  {
    match: /^SQLITE_(CORRUPT|NOTADB)/,
    say: (c) => `the store .mlops/mlops.db is damaged (${c}): run \`mlops doctor\` to see what is affected, and restore .mlops/mlops.db from a backup`,
  },
  {
    match: /^SQLITE_FULL/,
    say: (c) => `the disk holding .mlops/ is full (${c}): free some space (\`mlops gc\` removes unreferenced objects), then retry`,
  },
  {
    match: /^SQLITE_(CANTOPEN|IOERR|PERM)/,
    say: (c) => `the store .mlops/mlops.db cannot be opened or read (${c}): check that .mlops/ exists, belongs to you and the disk is healthy`,
  },
];

/** The one-line explanation of a SQLite error, or undefined for anything else. */
export function storeErrorMessage(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return undefined;
  const cause = err instanceof Error ? err.message : code;
  return ADVICE.find((a) => a.match.test(code))?.say(cause);
}
