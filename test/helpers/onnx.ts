/** Real ONNX fixtures: small linear models written by the project's own ONNX writer. */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { buildLinearModelOnnx } from '../../daemon/src/onnx/model';

export interface FixtureOptions {
  /** Feature names (stored in the file's metadata) or just a count. */
  features: string[] | number;
  /** Varies the weights so each seed gives different bytes (a different sha256). */
  seed?: number;
  task?: 'classification' | 'regression';
  inputName?: string;
}

export function linearOnnx(opts: FixtureOptions): Uint8Array {
  const names = typeof opts.features === 'number' ? undefined : opts.features;
  const count = typeof opts.features === 'number' ? opts.features : opts.features.length;
  const seed = opts.seed ?? 1;
  const weights = Array.from({ length: count }, (_, i) => ((seed * 31 + i * 7) % 17) / 10 - 0.8);
  return buildLinearModelOnnx({
    task: opts.task ?? 'classification',
    weights,
    bias: seed / 1000,
    ...(names ? { featureNames: names } : {}),
    ...(opts.inputName ? { inputName: opts.inputName } : {}),
  });
}

/** Writes a linear model to `file` (absolute) and returns the path. */
export function writeLinearOnnx(file: string, opts: FixtureOptions): string {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, linearOnnx(opts));
  return file;
}
