/**
 * What the gates feed the models: holdout rows read from CSV (features in signature order plus the
 * label column), and the models' outputs turned into what a metric needs (labels, per-class
 * probabilities, regression values).
 */
import { type FeatureValue, type ServingFeature } from '../../../schemas/src/serving';
import { fromCsv } from '../serving/batch-score';
import { readCsvRows } from '../serving/csv-rows';
import { type LoadedModel, type RunOutputs } from '../serving/model';
import { valueProblem } from '../serving/validate';
import { sortedClasses, type Label, type Predictions } from './metrics';

/** A gate cannot run: a missing dataset, label column or file. The message names it and what to do. */
export class GateCannotRun extends Error {}

export interface Holdout {
  rows: FeatureValue[][];
  labels: Label[];
  files: string[];
}

/** A label as CSV text: a number when it reads as one (sklearn reads 0/1 columns as ints), else the text. */
export function labelOf(text: string): Label {
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) ? n : text;
}

export async function readHoldout(files: string[], features: ServingFeature[], label: string, what: string): Promise<Holdout> {
  const rows: FeatureValue[][] = [];
  const labels: Label[] = [];
  for (const file of files) {
    let columns: number[] | undefined;
    let labelCol = -1;
    let line = 0;
    await readCsvRows(file, (fields) => {
      line++;
      if (!columns) {
        labelCol = fields.indexOf(label);
        if (labelCol < 0) throw new GateCannotRun(`${what}: ${file} has no label column "${label}" (columns: ${fields.join(', ')})`);
        columns = features.map((f) => {
          const i = fields.indexOf(f.name);
          if (i < 0) throw new GateCannotRun(`${what}: ${file} has no column "${f.name}", a feature of the model`);
          return i;
        });
        return;
      }
      if (fields.length === 1 && fields[0] === '') return;
      const values = features.map((f, j) => {
        const v = fromCsv(f, fields[(columns as number[])[j] as number] ?? '');
        const problem = valueProblem(f, v);
        if (problem) throw new GateCannotRun(`${what}: ${file} line ${line}, feature "${f.name}": ${problem}`);
        return v as FeatureValue;
      });
      const y = fields[labelCol] ?? '';
      if (y === '') throw new GateCannotRun(`${what}: ${file} line ${line}: the label "${label}" is empty`);
      rows.push(values);
      labels.push(labelOf(y));
    });
  }
  if (!rows.length) throw new GateCannotRun(`${what}: no data rows in ${files.join(', ') || 'the dataset (no files)'}`);
  return { rows, labels, files };
}

const BATCH = 1024;

/** Runs the model over all rows in batches and keeps every output, row by row. */
export async function runAll(model: LoadedModel, rows: FeatureValue[][]): Promise<Map<string, unknown[]>> {
  const out = new Map<string, unknown[]>();
  for (let i = 0; i < rows.length; i += BATCH) {
    const r: RunOutputs = await model.run(rows.slice(i, i + BATCH));
    for (const [name, o] of r) {
      const acc = out.get(name) ?? [];
      for (const v of o.perRow) acc.push(v);
      out.set(name, acc);
    }
  }
  return out;
}

/** The output holding class labels and the one holding probabilities, by the names exporters use. */
export function outputRoles(model: LoadedModel): { label?: string; probability?: string; value?: string } {
  const names = model.outputs.map((o) => o.name);
  const label = names.find((n) => /label/i.test(n));
  const probability = names.find((n) => /prob/i.test(n));
  const value = model.outputs.find((o) => o.name !== label && o.name !== probability && /float/.test(o.type))?.name;
  return { ...(label ? { label } : {}), ...(probability ? { probability } : {}), ...(value ? { value } : {}) };
}

const first = (v: unknown): unknown => (Array.isArray(v) ? v[0] : v);

export function predictionsOf(model: LoadedModel, outputs: Map<string, unknown[]>, yTrue: Label[], task: 'classification' | 'regression'): Predictions {
  const roles = outputRoles(model);
  if (task === 'regression') {
    const name = roles.value ?? roles.label ?? model.outputs[0]?.name;
    const values = (outputs.get(name ?? '') ?? []).map((v) => Number(first(v)));
    return { values };
  }
  const p: Predictions = {};
  if (roles.label) p.labels = (outputs.get(roles.label) ?? []).map((v) => first(v) as Label);
  const probs = roles.probability ? outputs.get(roles.probability) : undefined;
  if (probs) {
    const rows = probs.map((v) => (Array.isArray(v) ? (v as number[]) : [v as number]));
    const width = rows[0]?.length ?? 0;
    const classes = sortedClasses([...yTrue, ...(p.labels ?? [])]);
    if (width === 1) {
      // One column: the probability of the positive (greater) class, as binary exporters write it.
      p.classes = classes.length === 2 ? classes : [0, 1];
      p.probabilities = rows.map((r) => [1 - (r[0] as number), r[0] as number]);
    } else {
      p.classes = classes.length === width ? classes : Array.from({ length: width }, (_, k) => k);
      p.probabilities = rows;
    }
  }
  return p;
}
