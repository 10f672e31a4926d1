/**
 * The corpus: realistic scripts and notebooks with the expected diagnostics written on each line
 * (`# expect: rule, rule`). The markers are stripped before analysis; precision and recall over
 * the whole corpus are printed and must stay above 0.95 and 0.85. Occurrences count by the ranges
 * and related locations of diagnostics (repeats of a value are one diagnostic).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PythonDocument, initPython } from '../../../language-server/src/python';

const corpus = join(__dirname, '..', '..', 'fixtures', 'python-corpus');
const MARK = /\s*# expect: ([\w, -]+?)(?=\\n"|"|$)/;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.(py|ipynb)$/.test(n) ? [p] : [];
  });
}

interface Tally {
  tp: number;
  fp: number;
  fn: number;
  misses: string[];
}

function compare(file: string, tally: Tally): void {
  const lines = readFileSync(file, 'utf8').split('\n');
  const expected = lines.map((l) => (MARK.exec(l)?.[1] ?? '').split(',').map((s) => s.trim()).filter(Boolean));
  const text = lines.map((l) => l.replace(MARK, '')).join('\n');
  // The project root is the corpus folder (as the server's locator would say), so the `test/`
  // folder this repository keeps the corpus in does not make every file a test file.
  const doc = new PythonDocument(pathToFileURL(file).href, { locateConfig: () => ({ uri: pathToFileURL(join(corpus, 'mlops.yaml')).href }) });
  const actual: string[][] = lines.map(() => []);
  // An occurrence is found when it is a diagnostic's range or one of its related locations.
  for (const d of doc.validate(text)) {
    for (const r of [d.range, ...(d.relatedInformation ?? []).map((i) => i.location.range)]) actual[r.start.line]?.push(d.code);
  }
  doc.dispose();
  const name = relative(corpus, file);
  lines.forEach((_l, i) => {
    const want = [...(expected[i] ?? [])];
    for (const code of actual[i] ?? []) {
      const at = want.indexOf(code);
      if (at >= 0) {
        want.splice(at, 1);
        tally.tp++;
      } else {
        tally.fp++;
        tally.misses.push(`${name}:${i + 1}: unexpected ${code}`);
      }
    }
    tally.fn += want.length;
    for (const w of want) tally.misses.push(`${name}:${i + 1}: missed ${w}`);
  });
}

before(async () => {
  await initPython();
});

test('corpus precision and recall', () => {
  const tally: Tally = { tp: 0, fp: 0, fn: 0, misses: [] };
  const all = files(corpus);
  assert.ok(all.length >= 12, `corpus has only ${all.length} files`);
  for (const f of all) compare(f, tally);
  const precision = tally.tp / Math.max(1, tally.tp + tally.fp);
  const recall = tally.tp / Math.max(1, tally.tp + tally.fn);
  console.log(`python corpus: ${all.length} files, ${tally.tp} true positives, ${tally.fp} false positives, ${tally.fn} missed`);
  console.log(`precision ${precision.toFixed(3)}  recall ${recall.toFixed(3)}`);
  for (const m of tally.misses) console.log(`  ${m}`);
  assert.ok(tally.tp >= 80, `too few expected findings in the corpus: ${tally.tp}`);
  assert.ok(precision >= 0.95, `precision ${precision.toFixed(3)} below 0.95`);
  assert.ok(recall >= 0.85, `recall ${recall.toFixed(3)} below 0.85`);
});
