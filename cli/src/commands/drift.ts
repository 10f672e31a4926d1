/**
 * `mlops drift <reference.csv> <current.csv>`: per-feature drift tests between two CSV files, with
 * the dataset verdict. Works without a daemon. Settings come from `monitoring.drift` in mlops.yaml
 * (of the project the cwd is in, when there is one), command-line flags winning.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CliError, pos, str, type CliIo, type CommandSpec, type ParsedArgs } from '../framework';
import { fmtNumber, printJson, table, type Cell } from '../output';
import { DRIFT_TESTS } from '../../../schemas/src/mlops-yaml';
import { formatProblems, loadConfig } from '../../../shared/src/mlops-yaml';
import { findProjectRoot } from '../../../shared/src/paths';
import { DRIFT_CORRECTIONS, type DriftCorrection, type DriftReport } from '../../../schemas/src/drift';
import {
  columnValueCount,
  compareWindow,
  CsvError,
  deserializeProfile,
  DriftInputError,
  prepareReference,
  profileValueCount,
  readCsv,
  serializeProfile,
  type DriftOptions,
  type DriftTestChoice,
  type ReferenceProfile,
} from '../../../shared/src/drift/index';
import { type KsAlternative } from '../../../shared/src/drift/ks';

const ALTERNATIVES = ['two-sided', 'less', 'greater'] as const;

function oneOf<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw new CliError(`--${flag} "${value}": expected one of ${allowed.join(', ')}`);
  return value as T;
}

/** monitoring.drift from the project's mlops.yaml (found like every command finds it), plus whether the threshold was written explicitly. */
function configFromYaml(cwd: string, env: NodeJS.ProcessEnv): DriftOptions {
  const root = findProjectRoot(cwd, env);
  if (!root) return {};
  const loaded = loadConfig(root);
  if (!loaded.ok && loaded.missing) return {};
  if (!loaded.ok) throw new CliError(formatProblems({ ...loaded, problems: loaded.problems.slice(0, 1) }), 'fix mlops.yaml or run from another directory');
  const drift = loaded.config.monitoring?.drift;
  if (!drift) return {};
  const rawDrift = (loaded.raw as { monitoring?: { drift?: { threshold?: unknown } } }).monitoring?.drift;
  // monitoring.drift.auto is read once the config schema declares it (max_distinct, distance_above).
  const auto = (drift as { auto?: { max_distinct?: number; distance_above?: number | null } }).auto;
  return {
    ...(auto ? { auto: { ...(auto.max_distinct !== undefined ? { maxDistinct: auto.max_distinct } : {}), ...(auto.distance_above !== undefined ? { distanceAbove: auto.distance_above } : {}) } } : {}),
    test: drift.test,
    features: drift.features,
    share: drift.share,
    correction: drift.correction,
    ...(rawDrift?.threshold !== undefined ? { threshold: drift.threshold } : {}),
  };
}

function count(value: string, flag: string, min: number): number {
  const v = Number(value);
  if (!Number.isInteger(v) || v < min) throw new CliError(`--${flag} "${value}": expected a whole number ≥ ${min}`);
  return v;
}

function autoFlags(maxDistinct: string | undefined, distanceAbove: string | undefined): NonNullable<DriftOptions['auto']> {
  const out: NonNullable<DriftOptions['auto']> = {};
  if (maxDistinct !== undefined) out.maxDistinct = count(maxDistinct, 'max-distinct', 0);
  if (distanceAbove !== undefined) out.distanceAbove = distanceAbove === 'never' ? null : count(distanceAbove, 'distance-above', 1);
  return out;
}

function optionsFromFlags(args: ParsedArgs): DriftOptions {
  const out: DriftOptions = {};
  const test = str(args, 'test');
  if (test !== undefined) {
    out.test = oneOf(test, DRIFT_TESTS, 'test') as DriftTestChoice;
    out.features = {};
  }
  const threshold = str(args, 'threshold');
  if (threshold !== undefined) {
    const v = Number(threshold);
    if (!(v > 0) || !Number.isFinite(v)) throw new CliError(`--threshold "${threshold}": expected a positive number`);
    out.threshold = v;
  }
  const share = str(args, 'share');
  if (share !== undefined) {
    const v = Number(share);
    if (!(v >= 0 && v <= 1)) throw new CliError(`--share "${share}": expected a number from 0 to 1`);
    out.share = v;
  }
  const maxDistinct = str(args, 'max-distinct');
  const distanceAbove = str(args, 'distance-above');
  if (maxDistinct !== undefined || distanceAbove !== undefined) out.auto = autoFlags(maxDistinct, distanceAbove);
  const correction = str(args, 'correction');
  if (correction !== undefined) out.correction = oneOf(correction, DRIFT_CORRECTIONS, 'correction') as DriftCorrection;
  const alt = str(args, 'alternative');
  if (alt !== undefined) out.alternative = oneOf(alt, ALTERNATIVES, 'alternative') as KsAlternative;
  const features = str(args, 'features');
  if (features !== undefined) {
    const list = features.split(',').map((s) => s.trim()).filter(Boolean);
    if (!list.length) throw new CliError('--features: expected a comma-separated list of column names');
    out.only = list;
  }
  return out;
}

function readTable(file: string, columns: string[] | undefined): ReturnType<typeof readCsv> {
  try {
    return readCsv(file, columns ? { columns } : {});
  } catch (e) {
    if (e instanceof CsvError) throw new CliError(e.message.startsWith(file) ? e.message : `${file}: ${e.message}`);
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') throw new CliError(`${file}: is a directory, not a CSV file`);
    if (code === 'ENOENT') throw new CliError(`${file}: no such file`);
    if (code === 'EACCES') throw new CliError(`${file}: cannot read (permission denied)`);
    throw e;
  }
}

/** The reference profile, from the disk cache when --cache-dir is given and the file is unchanged. */
function loadReference(file: string, columns: string[] | undefined, cacheDir: string | undefined): ReferenceProfile {
  if (!cacheDir) return prepareReference(readTable(file, columns).columns, undefined);
  let st;
  try {
    st = statSync(file);
  } catch {
    throw new CliError(`${file}: cannot read: no such file`);
  }
  const key = createHash('sha256').update(JSON.stringify({ v: 1, file: resolve(file), size: st.size, mtime: st.mtimeMs, columns })).digest('hex');
  const path = join(cacheDir, `${key.slice(0, 32)}.drift`);
  if (existsSync(path)) {
    try {
      return deserializeProfile(readFileSync(path));
    } catch {
      // A damaged cache entry is rebuilt below.
    }
  }
  const table = readTable(file, columns);
  const profile = prepareReference(table.columns, table.rows);
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(`${path}.tmp`, serializeProfile(profile));
  renameSync(`${path}.tmp`, path);
  return profile;
}

function checkColumns(refFile: string, curFile: string, profile: ReferenceProfile, cur: ReturnType<typeof readCsv>): void {
  const byName = new Map(cur.columns.map((c) => [c.name, c]));
  for (const f of profile.features) {
    const c = byName.get(f.name);
    if (!c) throw new CliError(`${curFile}: no column "${f.name}" (it is in ${refFile})`);
    // A column with no value at all takes the other file's type (the engine reports an empty sample).
    if (c.kind !== f.kind && profileValueCount(f) > 0 && columnValueCount(c) > 0) {
      throw new CliError(
        `column "${f.name}" is ${f.kind} in ${refFile} but ${c.kind} in ${curFile}`,
        'a column is numeric when every non-empty value is a number; fix the odd values or the file',
      );
    }
  }
}

const fmt = (v: number | null): Cell => (v === null ? null : fmtNumber(v));

function render(report: DriftReport): string {
  const rows: Cell[][] = report.features.map((f) => [
    f.feature,
    f.type,
    f.test + (f.method ? ` (${f.method})` : ''),
    fmt(f.statistic),
    f.status !== 'ok' ? f.status : f.p_value !== null ? `p=${fmtNumber(report.correction === 'none' ? f.p_value : (f.p_value_adjusted ?? f.p_value))}` : `d=${fmtNumber(f.normalized ?? 0)}`,
    fmt(f.threshold),
    f.drifted ? 'DRIFT' : 'no',
  ]);
  const lines = [table(['feature', 'type', 'test', 'statistic', 'p-value / distance', 'threshold', 'drifted'], rows)];
  for (const f of report.features) {
    if (f.note) lines.push(`note: ${f.feature}: ${f.note}\n`);
    if (f.reason.includes('fell back') || (f.type === 'numeric' && f.test === 'chi2')) lines.push(`test: ${f.feature}: ${f.test} — ${f.reason}\n`);
    const d = f.dropped;
    const n = (x: typeof d.reference): number => x.missing + x.nan + x.infinite;
    if (n(d.reference) + n(d.current) > 0) {
      lines.push(`dropped: ${f.feature}: reference ${n(d.reference)} (missing ${d.reference.missing}, NaN ${d.reference.nan}, inf ${d.reference.infinite}), current ${n(d.current)} (missing ${d.current.missing}, NaN ${d.current.nan}, inf ${d.current.infinite})\n`);
    }
  }
  const ds = report.dataset;
  const corr = report.correction === 'none' ? '' : `, p-values corrected by ${report.correction}`;
  lines.push(
    `\nDataset drift: ${ds.drifted ? 'YES' : 'no'} — ${ds.drifted_features} of ${ds.tested_features} tested features drifted (${(ds.share * 100).toFixed(1)}%; verdict at ≥ ${(ds.share_threshold * 100).toFixed(1)}%${corr})\n`,
  );
  return lines.join('');
}

async function runDrift(args: ParsedArgs, io: CliIo): Promise<number> {
  const refFile = resolve(io.cwd, pos(args, 'reference'));
  const curFile = resolve(io.cwd, pos(args, 'current'));
  const options: DriftOptions = { ...configFromYaml(io.cwd, io.env) };
  const flags = optionsFromFlags(args);
  const auto = { ...options.auto, ...flags.auto };
  Object.assign(options, flags, { auto });
  const cacheOpt = str(args, 'cache-dir') ?? io.env['MLOPS_DRIFT_CACHE'];
  const cacheDir = cacheOpt ? resolve(io.cwd, cacheOpt) : undefined;
  const profile = loadReference(refFile, options.only, cacheDir);
  const current = readTable(curFile, options.only);
  checkColumns(pos(args, 'reference'), pos(args, 'current'), profile, current);
  let report: DriftReport;
  try {
    report = compareWindow(profile, current.columns, { ...options, only: undefined, referenceLabel: pos(args, 'reference'), currentLabel: pos(args, 'current') }, current.rows);
  } catch (e) {
    if (e instanceof DriftInputError) throw new CliError(e.message);
    throw e;
  }
  if (args.json) printJson(io, report);
  else io.out(render(report));
  return 0;
}

export const driftCommands: CommandSpec[] = [
  {
    words: ['drift'],
    summary: 'Compare two CSV files feature by feature for data drift (KS, chi-square, PSI, Wasserstein, Jensen–Shannon)',
    positionals: [
      { name: 'reference', required: true, description: 'reference CSV (header row; e.g. the training data)' },
      { name: 'current', required: true, description: 'current CSV with the same columns' },
    ],
    options: {
      features: { type: 'string', description: 'only these columns, comma-separated', placeholder: 'a,b' },
      test: { type: 'string', description: `test for every feature: ${DRIFT_TESTS.join(', ')} (default auto)`, placeholder: 'name' },
      threshold: { type: 'string', description: 'p-value below which / distance at or above which a feature drifted', placeholder: 'x' },
      correction: { type: 'string', description: `multiple-testing correction: ${DRIFT_CORRECTIONS.join(', ')}`, placeholder: 'name' },
      share: { type: 'string', description: 'share of drifted features for the dataset verdict (default 0.5)', placeholder: 'x' },
      'max-distinct': { type: 'string', description: 'auto: numeric columns with at most n distinct reference values get chi-square (default 5, 0 = off)', placeholder: 'n' },
      'distance-above': { type: 'string', description: 'auto: Wasserstein / Jensen–Shannon when the reference has more than n values (default never)', placeholder: 'n' },
      alternative: { type: 'string', description: 'KS alternative: two-sided (default), less, greater', placeholder: 'name' },
      'cache-dir': { type: 'string', description: 'cache the reference profile here (also MLOPS_DRIFT_CACHE)', placeholder: 'dir' },
    },
    examples: [
      'mlops drift data/train.csv data/today.csv',
      'mlops drift train.csv today.csv --features age,income --json',
      'mlops drift train.csv today.csv --test psi --threshold 0.2',
      'mlops drift train.csv today.csv --correction benjamini-hochberg',
    ],
    json: true,
    run: runDrift,
  },
];
