/**
 * Pipeline stage "features": clips the heavy-tailed columns to the ranges the model signature declares
 * (a customer with 40 support calls counts as 20) and writes the model-ready tables.
 *
 *   npx tsx features.ts [--data data] [--out features]
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseFlags } from './lib/args';
import { readNumericCsv, writeCsv } from './lib/csv';

const USAGE = 'usage: features.ts [--data data] [--out features]';
/** Column → [min, max], as in mlops.yaml's models.churn.signature. */
const CLIP: Record<string, [number, number]> = { support_calls: [0, 20], days_since_last_login: [0, 365], late_payments_12m: [0, 12] };

function clipTable(src: string, dest: string): number {
  const t = readNumericCsv(src);
  const rows: number[][] = [];
  let clipped = 0;
  for (let i = 0; i < t.rows; i++) {
    const row = Array.from(t.values.subarray(i * t.header.length, (i + 1) * t.header.length));
    t.header.forEach((name, j) => {
      const range = CLIP[name];
      const v = row[j] as number;
      if (range && (v < range[0] || v > range[1])) {
        row[j] = Math.min(range[1], Math.max(range[0], v));
        clipped++;
      }
    });
    rows.push(row);
  }
  writeCsv(dest, t.header, rows);
  return clipped;
}

function main(): void {
  const flags = parseFlags(process.argv.slice(2), { data: 'data', out: 'features' }, USAGE);
  mkdirSync(flags.out as string, { recursive: true });
  for (const name of ['train.csv', 'holdout.csv']) {
    const n = clipTable(join(flags.data as string, name), join(flags.out as string, name));
    console.log(`${name}: ${n} values clipped`);
  }
}

try {
  main();
} catch (e) {
  console.error(`features: ${(e as Error).message}`);
  process.exitCode = 1;
}
