/**
 * Pipeline stage "evaluate": scores the holdout set with the trained ONNX model under onnxruntime
 * (the runtime that serves it) and writes the holdout metrics, so what is registered is measured on
 * the artifact itself, not on the trainer's in-memory copy.
 *
 *   npx tsx evaluate.ts [--data features] [--model artifacts/model.onnx] [--out artifacts/evaluation.json]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { parseFlags } from './lib/args';
import { LABEL } from './lib/churn-data';
import { readNumericCsv } from './lib/csv';
import { classificationMetrics } from './lib/logistic';

const USAGE = 'usage: evaluate.ts [--data features] [--model artifacts/model.onnx] [--out artifacts/evaluation.json]';

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), { data: 'features', model: 'artifacts/model.onnx', out: 'artifacts/evaluation.json' }, USAGE);
  const t = readNumericCsv(join(flags.data as string, 'holdout.csv'));
  const li = t.header.indexOf(LABEL);
  const f = t.header.length - 1;
  const x = new Float32Array(t.rows * f);
  const y = new Float64Array(t.rows);
  for (let i = 0; i < t.rows; i++) {
    let k = 0;
    for (let j = 0; j < t.header.length; j++) {
      const v = t.values[i * t.header.length + j] as number;
      if (j === li) y[i] = v;
      else x[i * f + k++] = v;
    }
  }
  const session = await ort.InferenceSession.create(readFileSync(flags.model as string));
  try {
    const out = await session.run({ [session.inputNames[0] as string]: new ort.Tensor('float32', x, [t.rows, f]) });
    const probs = out['probability']?.data as Float32Array;
    const m = classificationMetrics(y, Float64Array.from(probs));
    const metrics = { holdout_accuracy: m.accuracy, holdout_auc: m.auc, holdout_log_loss: m.log_loss };
    writeFileSync(flags.out as string, JSON.stringify(metrics, null, 2) + '\n');
    console.log(`holdout (${t.rows} rows, onnxruntime): accuracy ${m.accuracy.toFixed(4)}  auc ${m.auc.toFixed(4)}`);
  } finally {
    await session.release();
  }
}

main().catch((e: unknown) => {
  console.error(`evaluate: ${(e as Error).message}`);
  process.exitCode = 1;
});
