/**
 * How fast the registry reads an ONNX signature, against the reference of loading the same bytes into an
 * onnxruntime session (what serving does anyway). Run: npx tsx bench/onnx.bench.ts
 */
import * as ort from 'onnxruntime-node';
import { buildLinearModelOnnx, parseOnnxModel } from '../daemon/src/onnx/model';

async function timeIt(fn: () => unknown | Promise<unknown>, minMs = 300): Promise<number> {
  await fn(); // warm-up
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < minMs || n < 3) {
    await fn();
    n++;
  }
  return (performance.now() - start) / n;
}

function model(features: number): Uint8Array {
  const weights = Float64Array.from({ length: features }, (_, i) => Math.sin(i));
  const mean = new Float64Array(features);
  const std = new Float64Array(features).fill(1);
  return buildLinearModelOnnx({ task: 'classification', weights, bias: 0.1, standardize: { mean, std } });
}

async function main(): Promise<void> {
  const rows: string[] = [];
  for (const features of [20, 100_000, 2_000_000]) {
    const bytes = model(features);
    const build = await timeIt(() => model(features));
    const parse = await timeIt(() => parseOnnxModel(bytes));
    const session = await timeIt(async () => (await ort.InferenceSession.create(bytes)).release());
    const mb = (bytes.length / 1024 / 1024).toFixed(2);
    rows.push(
      `| ${features.toLocaleString('en')} | ${mb} | ${parse.toFixed(3)} | ${session.toFixed(2)} | ${(session / parse).toFixed(0)}x | ${build.toFixed(2)} |`,
    );
  }
  console.log('| features | model MiB | parseOnnxModel ms | ort session create ms (reference) | parse speed-up vs ort | buildLinearModelOnnx ms |');
  console.log('|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(r);
}

void main();
