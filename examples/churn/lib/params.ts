/**
 * Training hyper-parameters. `MLOPS_PARAMS` (set by `mlops run`/`mlops exec`) names a JSON file holding the
 * resolved `params` section; without it the `params` section of ./mlops.yaml is read. Missing keys take the
 * defaults below; a present key of the wrong type is an error naming the key.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { type TrainParams } from './logistic';

export const DEFAULT_PARAMS: TrainParams = { learning_rate: 0.1, epochs: 300, l2: 0.001, seed: 7 };

export interface LoadedParams {
  params: TrainParams;
  source: string;
}

export function loadTrainParams(env: NodeJS.ProcessEnv = process.env, configPath = 'mlops.yaml'): LoadedParams {
  let section: unknown;
  let source: string;
  const fromEnv = env.MLOPS_PARAMS;
  if (fromEnv) {
    source = `MLOPS_PARAMS (${fromEnv})`;
    try {
      section = JSON.parse(readFileSync(fromEnv, 'utf8'));
    } catch (e) {
      throw new Error(`${fromEnv}: cannot read the params JSON named by MLOPS_PARAMS: ${(e as Error).message}`);
    }
  } else if (existsSync(configPath)) {
    source = configPath;
    const doc = parse(readFileSync(configPath, 'utf8')) as { params?: unknown } | null;
    section = doc?.params ?? {};
  } else {
    return { params: { ...DEFAULT_PARAMS }, source: 'defaults (no MLOPS_PARAMS, no mlops.yaml)' };
  }
  return { params: resolve(section, source), source };
}

/** Looks a dotted key up nested (`{train: {epochs}}`) or flat (`{"train.epochs": ...}`). */
function lookup(section: unknown, key: string): unknown {
  if (section === null || typeof section !== 'object') return undefined;
  const rec = section as Record<string, unknown>;
  if (key in rec) return rec[key];
  let cur: unknown = section;
  for (const part of key.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function resolve(section: unknown, source: string): TrainParams {
  const num = (key: keyof TrainParams, check: (v: number) => boolean, want: string): number => {
    const v = lookup(section, `train.${key}`);
    if (v === undefined) return DEFAULT_PARAMS[key];
    if (typeof v !== 'number' || !check(v)) throw new Error(`${source}: params.train.${key} must be ${want}, got ${JSON.stringify(v)}`);
    return v;
  };
  return {
    learning_rate: num('learning_rate', (v) => v > 0 && Number.isFinite(v), 'a positive number'),
    epochs: num('epochs', (v) => Number.isInteger(v) && v >= 1 && v <= 100_000, 'an integer from 1 to 100000'),
    l2: num('l2', (v) => v >= 0 && Number.isFinite(v), 'a number >= 0'),
    seed: num('seed', (v) => Number.isInteger(v), 'an integer'),
  };
}
