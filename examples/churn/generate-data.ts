/**
 * Writes the synthetic churn dataset: <out>/train.csv and <out>/holdout.csv (paths relative to the current
 * directory). Same --rows and --seed always give byte-identical files.
 *
 *   npx tsx generate-data.ts [--rows 5000] [--seed 42] [--out data]
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { intFlag, parseFlags } from './lib/args';
import { generateChurn } from './lib/churn-data';
import { writeCsv } from './lib/csv';

const USAGE = 'usage: generate-data.ts [--rows 5000] [--seed 42] [--out data] [--holdout-share 0.2]';

function main(): void {
  const flags = parseFlags(process.argv.slice(2), { rows: '5000', seed: '42', out: 'data', 'holdout-share': '0.2' }, USAGE);
  const rows = intFlag(flags, 'rows');
  const seed = intFlag(flags, 'seed');
  const share = Number(flags['holdout-share']);
  if (!(share > 0 && share < 1)) throw new Error(`--holdout-share must be between 0 and 1, got "${flags['holdout-share']}"`);
  const data = generateChurn(rows, seed, share);
  const out = flags.out as string;
  mkdirSync(out, { recursive: true });
  writeCsv(join(out, 'train.csv'), data.header, data.train);
  writeCsv(join(out, 'holdout.csv'), data.header, data.holdout);
  const churnRate = data.train.reduce((a, r) => a + (r[r.length - 1] as number), 0) / data.train.length;
  console.log(
    `wrote ${join(out, 'train.csv')} (${data.train.length} rows) and ${join(out, 'holdout.csv')} (${data.holdout.length} rows); ` +
      `${data.header.length - 1} features, churn rate ${(churnRate * 100).toFixed(1)}%`,
  );
}

try {
  main();
} catch (e) {
  console.error(`generate-data: ${(e as Error).message}`);
  process.exitCode = 1;
}
