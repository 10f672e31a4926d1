/**
 * Trains the churn model: logistic regression with L2 on <data>/train.csv, evaluated on <data>/holdout.csv.
 * Writes <out>/model.onnx (standardisation folded into the graph, so it takes raw feature values) and
 * <out>/metrics.json (holdout accuracy, auc, log_loss). Paths are relative to the current directory.
 *
 *   npx tsx train.ts [--data data] [--out artifacts]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildLinearModelOnnx } from '../../daemon/src/onnx/linear';
import { parseFlags } from './lib/args';
import { LABEL } from './lib/churn-data';
import { type NumericTable, readNumericCsv } from './lib/csv';
import { classificationMetrics, fitLogistic, predictProba } from './lib/logistic';
import { loadTrainParams } from './lib/params';

const USAGE = 'usage: train.ts [--data data] [--out artifacts]';

/** Splits a table into a row-major feature matrix and the 0/1 label column. */
function featuresAndLabel(t: NumericTable, path: string): { x: Float64Array; y: Float64Array; names: string[] } {
  const li = t.header.indexOf(LABEL);
  if (li < 0) throw new Error(`${path}: no "${LABEL}" column (the label); columns are ${t.header.join(', ')}`);
  const names = t.header.filter((_, j) => j !== li);
  const f = names.length;
  const x = new Float64Array(t.rows * f);
  const y = new Float64Array(t.rows);
  for (let i = 0; i < t.rows; i++) {
    let k = 0;
    for (let j = 0; j < t.header.length; j++) {
      const v = t.values[i * t.header.length + j] as number;
      if (j === li) {
        if (v !== 0 && v !== 1) throw new Error(`${path}:${i + 2}: column "${LABEL}": ${v} is not 0 or 1`);
        y[i] = v;
      } else x[i * f + k++] = v;
    }
  }
  return { x, y, names };
}

function main(): void {
  const flags = parseFlags(process.argv.slice(2), { data: 'data', out: 'artifacts' }, USAGE);
  const { params, source } = loadTrainParams();
  const trainPath = join(flags.data as string, 'train.csv');
  const holdoutPath = join(flags.data as string, 'holdout.csv');
  const train = featuresAndLabel(readNumericCsv(trainPath), trainPath);
  const holdout = featuresAndLabel(readNumericCsv(holdoutPath), holdoutPath);
  if (holdout.names.join(',') !== train.names.join(',')) {
    throw new Error(`${holdoutPath}: columns differ from ${trainPath}`);
  }
  const f = train.names.length;
  const nTrain = train.y.length;
  const nHoldout = holdout.y.length;
  const started = Date.now();
  const model = fitLogistic(train.x, train.y, nTrain, f, params);
  const metrics = classificationMetrics(holdout.y, predictProba(model, holdout.x, nHoldout, f));
  const trainMetrics = classificationMetrics(train.y, predictProba(model, train.x, nTrain, f));
  const onnx = buildLinearModelOnnx({
    task: 'classification',
    weights: model.weights,
    bias: model.bias,
    standardize: { mean: model.scaler.mean, std: model.scaler.std },
    featureNames: train.names,
    graphName: 'churn_logistic_regression',
    docString: 'Customer churn: L2 logistic regression trained by full-batch gradient descent (examples/churn).',
    metadata: {
      algorithm: 'logistic_regression_l2_gradient_descent',
      params: JSON.stringify(params),
      label: LABEL,
      train_rows: String(nTrain),
      holdout_rows: String(nHoldout),
      holdout_metrics: JSON.stringify(metrics),
    },
  });
  const out = flags.out as string;
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'model.onnx'), onnx);
  const allMetrics = { ...metrics, train_log_loss: trainMetrics.log_loss, train_accuracy: trainMetrics.accuracy };
  writeFileSync(join(out, 'metrics.json'), JSON.stringify(allMetrics, null, 2) + '\n');
  const ms = Date.now() - started;
  console.log(`params from ${source}: ${JSON.stringify(params)}`);
  console.log(`trained on ${nTrain} rows x ${f} features in ${ms} ms; final training loss ${model.losses.at(-1)?.toFixed(4)}`);
  console.log(`holdout (${nHoldout} rows): accuracy ${metrics.accuracy.toFixed(4)}  auc ${metrics.auc.toFixed(4)}  log_loss ${metrics.log_loss.toFixed(4)}`);
  console.log(`wrote ${join(out, 'model.onnx')} (${onnx.length} bytes) and ${join(out, 'metrics.json')}`);
}

try {
  main();
} catch (e) {
  console.error(`train: ${(e as Error).message}`);
  process.exitCode = 1;
}
