/**
 * `npm run bench`: runs every bench/*.bench.ts in turn (each prints a markdown table of ratios against
 * references measured in the same run, then its targets). `npm run bench -- drift lsp` runs only
 * those. A benchmark that misses a target (exit code MISSED_TARGET_EXIT) or fails to run counts as a
 * failure in the summary and the exit code.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { MISSED_TARGET_EXIT } from './targets';

const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const passThrough = process.argv.slice(2).filter((a) => a.startsWith('-'));
// MLOPS_BENCH_DIR: another folder of *.bench.ts files (the test of this summary uses one).
const dir = process.env.MLOPS_BENCH_DIR ?? __dirname;
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => !only.length || only.some((o) => f.startsWith(o)))
  .sort();
const missed: string[] = [];
const crashed: string[] = [];
for (const f of files) {
  console.log(`\n## ${f}\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(dir, f), ...passThrough], { stdio: 'inherit' });
  if (r.status === MISSED_TARGET_EXIT) missed.push(f);
  else if (r.status !== 0) crashed.push(`${f} (${r.signal ?? `exit ${r.status}`})`);
}
const failed = missed.length + crashed.length;
console.log(`\n${files.length} benchmarks ran, ${failed} failed: ${missed.length} missed a target${missed.length ? ` (${missed.join(', ')})` : ''}, ${crashed.length} did not finish${crashed.length ? ` (${crashed.join(', ')})` : ''}`);
process.exit(failed ? 1 : 0);
