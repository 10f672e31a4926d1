/**
 * `mlops predict`: scores a CSV file in batches in-process, without an endpoint, through the same
 * signature check and model wrapper as the serving process. Rows that fail the check are refused by
 * row number with the reason; the others are written with their predictions.
 */
import { createWriteStream, statSync } from 'node:fs';
import { type FeatureValue, type PredictJson, type ServingFeature, type ServingModelSpec } from '../../../schemas/src/serving';
import { csvField, readCsvRows } from './csv-rows';
import { LoadedModel } from './model';
import { valueProblem } from './validate';

export interface ScoreOptions {
  spec: ServingModelSpec;
  input: string;
  output: string;
  batchSize?: number;
  threads?: number;
  onProgress?(bytes: number, total: number): void;
}

const MAX_REFUSED_LISTED = 1000;

/** CSV text to the feature's JSON type; what cannot convert stays a string so the check names it. */
export function fromCsv(f: ServingFeature, text: string): unknown {
  if (text === '') return null;
  if (f.type === 'string') return text;
  if (f.type === 'bool') return text === 'true' || text === '1' ? true : text === 'false' || text === '0' ? false : text;
  if (/^nan$/i.test(text)) return NaN;
  const n = Number(text);
  return text.trim() !== '' && !Number.isNaN(n) ? n : text;
}

export class CsvInputError extends Error {}

export async function scoreCsv(opts: ScoreOptions): Promise<Omit<PredictJson, 'model' | 'version' | 'input' | 'output'>> {
  const t0 = performance.now();
  const model = await LoadedModel.load(opts.spec, opts.threads ?? 1);
  const total = statSync(opts.input).size;
  const out = createWriteStream(opts.output);
  const batchSize = opts.batchSize ?? 1024;
  const features = model.features;
  let header: string[] | undefined;
  let columnOf: number[] = [];
  let rowNo = 0;
  let scored = 0;
  let refusedCount = 0;
  const refused: { row: number; reason: string }[] = [];
  let batch: { row: number; fields: string[]; values: FeatureValue[] }[] = [];
  const writes: Promise<void>[] = [];
  const flush = async (): Promise<void> => {
    if (!batch.length) return;
    const b = batch;
    batch = [];
    const outputs = await model.run(b.map((x) => x.values));
    const lines = b.map((x, i) => [x.row, ...x.fields, ...[...outputs.values()].map((o) => o.perRow[i])].map(csvField).join(','));
    out.write(lines.join('\n') + '\n');
    scored += b.length;
  };
  try {
    await readCsvRows(
      opts.input,
      (fields) => {
        if (!header) {
          header = fields;
          columnOf = features.map((f) => {
            const i = fields.indexOf(f.name);
            if (i < 0) throw new CsvInputError(`${opts.input}: no column "${f.name}" (the model takes ${features.map((x) => x.name).join(', ')}; the file has ${fields.join(', ')})`);
            return i;
          });
          out.write([csvField('row'), ...fields.map(csvField), ...model.outputs.map((o) => csvField(o.name))].join(',') + '\n');
          return;
        }
        rowNo++;
        if (fields.length !== header.length) return refuse(rowNo, `has ${fields.length} fields, the header has ${header.length}`);
        const values: FeatureValue[] = [];
        for (let j = 0; j < features.length; j++) {
          const f = features[j] as ServingFeature;
          const v = fromCsv(f, fields[columnOf[j] as number] as string);
          const problem = valueProblem(f, v);
          if (problem) return refuse(rowNo, `feature "${f.name}": ${problem}`);
          values.push(v as FeatureValue);
        }
        batch.push({ row: rowNo, fields, values });
        if (batch.length >= batchSize) writes.push(flush());
      },
      (bytes) => opts.onProgress?.(bytes, total),
    );
    writes.push(flush());
    await Promise.all(writes);
  } finally {
    await new Promise<void>((resolve) => out.end(() => resolve()));
    await model.release();
  }
  if (!header) throw new CsvInputError(`${opts.input}: empty file, expected a header row`);
  const seconds = (performance.now() - t0) / 1000;
  return { rows: rowNo, scored, refused: refusedCount, refused_rows: refused, seconds, rows_per_second: seconds > 0 ? rowNo / seconds : 0 };

  function refuse(row: number, reason: string): void {
    refusedCount++;
    if (refused.length < MAX_REFUSED_LISTED) refused.push({ row, reason });
  }
}
