/**
 * The built-in `validate` stage: checks a dataset's files against `data.<name>.expectations`
 * (CSV streamed record by record, Parquet through hyparquet in row batches), compares its
 * distribution with a reference version through the drift engine, and writes the report as JSON
 * beside the stage log. A failed expectation fails the stage with the report's summary.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet';
import { type MlopsConfig } from '../../../schemas/src/mlops-yaml';
import { type ExpectationResult, type ValidationReport } from '../../../schemas/src/pipelines';
import { expandPatterns } from '../glob';
import { compareWindow, prepareReference, readCsv, type DriftOptions } from '../drift';
import { csvRecords } from './csv-stream';
import { ExpectationRunner, type Cell } from './expectations';

export interface ValidateOptions {
  root: string;
  config: MlopsConfig;
  dataset: string;
  logFile: string;
  /**
   * The files of a dataset version ("train@3", or "train" for its latest), for the distribution
   * check: the caller reads them from the dataset versions (the daemon), which this code does not reach.
   */
  referenceFiles?: (reference: string) => Promise<string[]>;
}

const PARQUET_BATCH = 65_536;

async function feedCsv(file: string, runner: ExpectationRunner): Promise<void> {
  let header = true;
  for await (const record of csvRecords(file)) {
    if (header) runner.header(record);
    else runner.row(record);
    header = false;
  }
}

async function feedParquet(file: string, runner: ExpectationRunner): Promise<void> {
  const buf = await asyncBufferFromFile(file);
  const metadata = await parquetMetadataAsync(buf);
  const names = parquetSchema(metadata).children.map((c) => c.element.name);
  runner.header(names);
  const total = Number(metadata.num_rows);
  for (let start = 0; start < total; start += PARQUET_BATCH) {
    const rows = await parquetReadObjects({ file: buf, metadata, rowStart: start, rowEnd: Math.min(total, start + PARQUET_BATCH) });
    for (const r of rows) runner.row(names.map((n) => (r as Record<string, Cell>)[n]));
  }
}

function driftOptions(config: MlopsConfig): DriftOptions {
  const d = config.monitoring?.drift;
  if (!d) return {};
  return { test: d.test, features: d.features, share: d.share, correction: d.correction, threshold: d.threshold };
}

async function distribution(o: ValidateOptions, files: string[]): Promise<ExpectationResult | undefined> {
  const spec = o.config.data[o.dataset]?.expectations?.distribution;
  if (!spec) return undefined;
  if (!o.referenceFiles) throw new Error('a distribution check needs the dataset versions (the daemon)');
  const refFiles = await o.referenceFiles(spec.reference);
  const columns = spec.columns ? { columns: spec.columns } : {};
  const ref = readCsv(refFiles[0] as string, columns);
  const cur = readCsv(files[0] as string, columns);
  const report = compareWindow(prepareReference(ref.columns, ref.rows), cur.columns, driftOptions(o.config), cur.rows);
  const drifted = report.features.filter((f) => f.drifted).map((f) => f.feature);
  const ok = !report.dataset.drifted;
  const message = `${report.dataset.drifted_features} of ${report.dataset.tested_features} columns drifted against ${spec.reference}${drifted.length ? ` (${drifted.join(', ')})` : ''}`;
  return { expectation: 'distribution', column: null, success: ok, message, failed_count: ok ? 0 : drifted.length, example_rows: [] };
}

/** Runs the checks, writes `<log>.validation.json`; throws with the failed expectations named. */
export async function validateDataset(o: ValidateOptions): Promise<string> {
  const cfg = o.config.data[o.dataset];
  if (!cfg) throw new Error(`no dataset data.${o.dataset} in mlops.yaml`);
  const exp = cfg.expectations ?? { columns: {} };
  const files = expandPatterns(o.root, cfg.paths);
  if (!files.length) throw new Error(`data.${o.dataset}.paths match no files`);
  const runner = new ExpectationRunner(exp);
  for (const f of files) {
    const abs = join(o.root, f);
    if (cfg.format === 'parquet') await feedParquet(abs, runner);
    else if (cfg.format === 'csv') await feedCsv(abs, runner);
    else throw new Error(`data.${o.dataset}: format "${cfg.format}" cannot be validated (csv and parquet can)`);
  }
  const results = runner.results();
  const dist = await distribution(o, files.map((f) => join(o.root, f)));
  if (dist) results.push(dist);
  const failed = results.filter((r) => !r.success);
  const report: ValidationReport = { dataset: o.dataset, files, rows: runner.rowCount, success: failed.length === 0, results };
  mkdirSync(dirname(o.logFile), { recursive: true });
  const reportFile = o.logFile.replace(/\.log$/, '.validation.json');
  writeFileSync(reportFile, JSON.stringify(report, null, 2));
  const lines = failed.map((r) => `${r.expectation}: ${r.message}${r.example_rows.length ? ` (rows ${r.example_rows.join(', ')})` : ''}`);
  writeFileSync(o.logFile, `validated ${files.join(', ')}: ${runner.rowCount} rows, ${results.length} expectations, ${failed.length} failed\n${lines.join('\n')}\n`);
  if (failed.length) throw new Error(`${failed.length} expectation${failed.length > 1 ? 's' : ''} failed: ${lines.join('; ')}; report: ${reportFile}`);
  return `${results.length} expectations met on ${runner.rowCount} rows`;
}
