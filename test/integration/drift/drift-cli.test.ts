/**
 * `mlops drift` end to end on real CSV files: the command runs through the CLI framework exactly as
 * `mlops` runs it (runCli once the command is registered), and its JSON is checked against scipy.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { driftReportSchema, type DriftReport } from '../../../schemas/src/drift';
import { allCommands } from '../../../cli/src/commands/index';
import { driftCommands } from '../../../cli/src/commands/drift';
import { runCli } from '../../../cli/src/main';
import { CliError, parseCommandArgs, type CliIo } from '../../../cli/src/framework';
import { fixture, sample } from '../../unit/drift/fixture';

let dir = '';
before(() => (dir = mkdtempSync(join(tmpdir(), 'drift-cli-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

async function mlops(argv: string[], cwd = dir): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { cwd, out: (t) => void (out += t), err: (t) => void (err += t), interactive: false, env: {} };
  if (allCommands.some((c) => c.words[0] === 'drift')) return { code: await runCli(['drift', ...argv], io), out, err };
  // Until the command is registered in commands/index.ts: the same parse → run → error path.
  const cmd = driftCommands[0];
  assert.ok(cmd);
  try {
    const code = (await cmd.run(parseCommandArgs(cmd, argv), io)) ?? 0;
    return { code, out, err };
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    return { code: e.exitCode, out, err: `mlops: error: ${e.message}${e.hint ? ` (${e.hint})` : ''}\n` };
  }
}

function writeCsv(name: string, columns: Record<string, (number | string)[]>): string {
  const names = Object.keys(columns);
  const n = Math.max(...names.map((k) => columns[k]?.length ?? 0));
  const lines = [names.join(',')];
  for (let i = 0; i < n; i++) lines.push(names.map((k) => String(columns[k]?.[i] ?? '')).join(','));
  writeFileSync(join(dir, name), lines.join('\n') + '\n');
  return name;
}

const ksCase = fixture.ks.find((c) => c.name === 'shift_500_700' && c.alternative === 'two-sided');
const colors = (n: number, shift: number): string[] => Array.from({ length: n }, (_, i) => ['red', 'green', 'blue'][(i + (i % 4 === 0 ? shift : 0)) % 3] ?? 'red');

before(() => {
  assert.ok(ksCase);
  writeCsv('ref.csv', { x: sample(ksCase.a), color: colors(500, 0) });
  writeCsv('cur.csv', { x: sample(ksCase.b), color: colors(700, 1), extra: [1] });
  writeCsv('cur-cat.csv', { x: ['a', 'b'], color: ['red', 'blue'] });
  writeCsv('cur-nox.csv', { color: ['red'] });
});

describe('mlops drift', () => {
  test('--json is the documented contract and its KS p-value equals scipy', async () => {
    const r = await mlops(['ref.csv', 'cur.csv', '--json']);
    assert.equal(r.code, 0, r.err);
    const report: DriftReport = driftReportSchema.parse(JSON.parse(r.out));
    const x = report.features.find((f) => f.feature === 'x');
    assert.ok(x && ksCase && x.p_value !== null);
    assert.equal(x.test, 'ks');
    assert.equal(x.method, 'exact');
    assert.ok(Math.abs(x.p_value - ksCase.p_value) <= 1e-9 * ksCase.p_value, `${x.p_value} vs ${ksCase.p_value}`);
    assert.equal(x.statistic, ksCase.statistic);
    assert.equal(report.features.find((f) => f.feature === 'color')?.test, 'chi2');
    assert.equal(report.current_rows, 700);
  });

  test('the human table lists every feature and the dataset verdict', async () => {
    const r = await mlops(['ref.csv', 'cur.csv']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^FEATURE\s+TYPE\s+TEST\s+STATISTIC\s+P-VALUE \/ DISTANCE\s+THRESHOLD\s+DRIFTED/);
    assert.match(r.out, /\nx\s+numeric\s+ks \(exact\)/);
    assert.match(r.out, /\ncolor\s+categorical\s+chi2 \(pearson\)/);
    assert.match(r.out, /Dataset drift: (YES|no) — \d of 2 tested features drifted/);
  });

  test('mlops.yaml monitoring.drift is read, and flags win over it', async () => {
    const proj = mkdtempSync(join(dir, 'proj-'));
    writeFileSync(join(proj, 'mlops.yaml'), 'project:\n  name: demo\nmonitoring:\n  drift:\n    test: psi\n    threshold: 0.3\n    correction: bonferroni\n');
    const fromYaml = driftReportSchema.parse(JSON.parse((await mlops([join(dir, 'ref.csv'), join(dir, 'cur.csv'), '--json'], proj)).out));
    assert.deepEqual(fromYaml.features.map((f) => [f.test, f.threshold]), [['psi', 0.3], ['psi', 0.3]]);
    assert.equal(fromYaml.correction, 'bonferroni');
    const flags = await mlops([join(dir, 'ref.csv'), join(dir, 'cur.csv'), '--json', '--test', 'auto', '--threshold', '0.01', '--correction', 'none', '--features', 'x'], proj);
    const rep = driftReportSchema.parse(JSON.parse(flags.out));
    assert.deepEqual(rep.features.map((f) => [f.feature, f.test, f.threshold]), [['x', 'ks', 0.01]]);
    assert.equal(rep.correction, 'none');
  });

  test('a bad mlops.yaml is an error naming the file and field', async () => {
    const proj = mkdtempSync(join(dir, 'bad-'));
    writeFileSync(join(proj, 'mlops.yaml'), 'project:\n  name: demo\nmonitoring:\n  drift:\n    test: nope\n');
    const r = await mlops([join(dir, 'ref.csv'), join(dir, 'cur.csv')], proj);
    assert.equal(r.code, 1);
    assert.match(r.err, /mlops\.yaml:\d+:\d+: monitoring\.drift\.test:/);
  });

  test('clear errors for missing columns, mismatched types, unreadable files and bad flags', async () => {
    const missing = await mlops(['ref.csv', 'cur-nox.csv']);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /cur-nox\.csv: no column "x" \(it is in ref\.csv\)/);
    const types = await mlops(['ref.csv', 'cur-cat.csv']);
    assert.match(types.err, /column "x" is numeric in ref\.csv but categorical in cur-cat\.csv/);
    const gone = await mlops(['ref.csv', 'nope.csv']);
    assert.match(gone.err, /nope\.csv: cannot read: no such file/);
    const feat = await mlops(['ref.csv', 'cur.csv', '--features', 'x,zz']);
    assert.match(feat.err, /ref\.csv: no column "zz"/);
    const bad = await mlops(['ref.csv', 'cur.csv', '--test', 'ttest']);
    assert.match(bad.err, /--test "ttest": expected one of auto, ks, chi2, psi, wasserstein, jensenshannon/);
    const flag = await mlops(['ref.csv', 'cur.csv', '--max-distinct', '1.5']);
    assert.match(flag.err, /--max-distinct "1.5": expected a whole number ≥ 0/);
  });

});

describe('mlops drift: empty samples and test choice', () => {
  test('a header-only file or an all-empty column gives an empty-sample result, either way round', async () => {
    writeFileSync(join(dir, 'empty.csv'), 'x,color\n');
    writeCsv('blank-color.csv', { x: sample(ksCase?.b ?? { kind: 'bell', seed: 1, n: 10 }), color: [] });
    for (const [a, b, side] of [['ref.csv', 'empty.csv', 'current'], ['empty.csv', 'ref.csv', 'reference']] as const) {
      const r = await mlops([a, b, '--features', 'x,color', '--json']);
      assert.equal(r.code, 0, r.err);
      const report = driftReportSchema.parse(JSON.parse(r.out));
      assert.deepEqual(
        report.features.map((f) => [f.feature, f.type, f.status, f.drifted, f.p_value]),
        [['x', 'numeric', 'empty', false, null], ['color', 'categorical', 'empty', false, null]],
      );
      assert.ok(report.features.every((f) => f.note === `empty sample: no value in the ${side} sample`));
      assert.equal(report.dataset.drifted, false);
    }
    const blank = await mlops(['ref.csv', 'blank-color.csv']);
    assert.equal(blank.code, 0, blank.err);
    assert.match(blank.out, /\ncolor\s+categorical\s+chi2\s+-\s+empty/);
    assert.match(blank.out, /note: color: empty sample: no value in the current sample/);
  });

  test('a global test that does not fit a feature falls back to auto there, from a flag or mlops.yaml', async () => {
    const r = await mlops(['ref.csv', 'cur.csv', '--test', 'wasserstein', '--json']);
    assert.equal(r.code, 0, r.err);
    const report = driftReportSchema.parse(JSON.parse(r.out));
    assert.deepEqual(report.features.map((f) => [f.feature, f.test, f.status]), [['x', 'wasserstein', 'ok'], ['color', 'chi2', 'ok']]);
    assert.match(report.features[1]?.reason ?? '', /global test "wasserstein" needs numbers; fell back to auto: categorical/);
    const human = await mlops(['ref.csv', 'cur.csv', '--test', 'ks']);
    assert.equal(human.code, 0, human.err);
    assert.match(human.out, /test: color: chi2 — global test "ks" needs numbers; fell back to auto: categorical/);
    const proj = mkdtempSync(join(dir, 'global-'));
    writeFileSync(join(proj, 'mlops.yaml'), 'project:\n  name: demo\nmonitoring:\n  drift:\n    test: wasserstein\n');
    const yaml = await mlops([join(dir, 'ref.csv'), join(dir, 'cur.csv'), '--json'], proj);
    assert.equal(yaml.code, 0, yaml.err);
    assert.deepEqual(driftReportSchema.parse(JSON.parse(yaml.out)).features.map((f) => f.test), ['wasserstein', 'chi2']);
  });

  test('a per-feature override in mlops.yaml that cannot apply is an error naming the setting', async () => {
    const proj = mkdtempSync(join(dir, 'override-'));
    writeFileSync(join(proj, 'mlops.yaml'), 'project:\n  name: demo\nmonitoring:\n  drift:\n    features:\n      color: ks\n');
    const r = await mlops([join(dir, 'ref.csv'), join(dir, 'cur.csv')], proj);
    assert.equal(r.code, 1);
    assert.match(r.err, /feature "color" is categorical; test "ks" needs numbers \(monitoring\.drift\.features\.color: use chi2, psi or jensenshannon\)/);
  });

  test('auto tests a numeric column with few distinct values by chi-square, and the rule is adjustable', async () => {
    writeCsv('ref-few.csv', { level: Array.from({ length: 100 }, (_, i) => i % 4), x: sample(ksCase?.a ?? { kind: 'bell', seed: 1, n: 10 }).slice(0, 100) });
    writeCsv('cur-few.csv', { level: Array.from({ length: 80 }, (_, i) => (i % 5 === 0 ? 3 : i % 3)), x: sample(ksCase?.b ?? { kind: 'bell', seed: 2, n: 10 }).slice(0, 80) });
    const r = driftReportSchema.parse(JSON.parse((await mlops(['ref-few.csv', 'cur-few.csv', '--json'])).out));
    assert.deepEqual(r.features.map((f) => [f.feature, f.test, f.reason]), [
      ['level', 'chi2', 'auto: numeric with 4 distinct values (≤ 5)'],
      ['x', 'ks', 'auto: numeric with more than 5 distinct values'],
    ]);
    const off = driftReportSchema.parse(JSON.parse((await mlops(['ref-few.csv', 'cur-few.csv', '--json', '--max-distinct', '0', '--distance-above', '50'])).out));
    assert.deepEqual(off.features.map((f) => f.test), ['wasserstein', 'wasserstein']);
    const human = await mlops(['ref-few.csv', 'cur-few.csv']);
    assert.match(human.out, /\nlevel\s+numeric\s+chi2 \(pearson\)/);
    assert.match(human.out, /test: level: chi2 — auto: numeric with 4 distinct values/);
  });

  test('--cache-dir stores the reference profile and reuses it with identical results', async () => {
    const cache = join(dir, 'cache');
    const first = await mlops(['ref.csv', 'cur.csv', '--json', '--cache-dir', cache]);
    assert.equal(readdirSync(cache).filter((f) => f.endsWith('.drift')).length, 1);
    const second = await mlops(['ref.csv', 'cur.csv', '--json', '--cache-dir', cache]);
    assert.equal(second.out, first.out);
    const plain = await mlops(['ref.csv', 'cur.csv', '--json']);
    assert.equal(plain.out, first.out);
  });
});
