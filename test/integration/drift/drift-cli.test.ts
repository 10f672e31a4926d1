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
import { allCommands } from '../../../daemon/src/cli/commands/index';
import { driftCommands } from '../../../daemon/src/cli/commands/drift';
import { runCli } from '../../../daemon/src/cli/main';
import { CliError, parseCommandArgs, type CliIo } from '../../../daemon/src/cli/framework';
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
    assert.match(r.err, /mlops\.yaml: monitoring\.drift\.test:/);
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
    const wrong = await mlops(['ref.csv', 'cur.csv', '--test', 'ks']);
    assert.match(wrong.err, /feature "color" is categorical; test "ks" needs numbers/);
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
