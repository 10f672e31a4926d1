/**
 * Checks instances against a version's signature before anything reaches onnxruntime, so a client
 * gets a 400 naming the instance index and the feature instead of a native error (or, worse, a
 * prediction computed from a misplaced column). An instance is an object keyed by feature name or
 * a row of values in signature order.
 */
import { type FeatureValue, type ServingFeature } from '../../../schemas/src/serving';
import { invalidInput } from './errors';

/** Validated rows, each holding one value per feature in signature order. */
export type Rows = FeatureValue[][];

const INT_LIMITS = { int32: 2 ** 31, int64: 2 ** 63 } as const;

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** Why `v` is not a valid value of `f`, or undefined when it is. */
export function valueProblem(f: ServingFeature, v: unknown): string | undefined {
  if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)) || v === 'NaN') {
    return 'is NaN or null; this model takes no missing values (impute them before sending)';
  }
  switch (f.type) {
    case 'float':
    case 'double':
      if (typeof v !== 'number') return `expected a number, got ${describe(v)}`;
      if (!Number.isFinite(v)) return `expected a finite number, got ${v}`;
      break;
    case 'int32':
    case 'int64':
      if (typeof v !== 'number' || !Number.isInteger(v)) return `expected an integer, got ${describe(v)}`;
      if (Math.abs(v) >= INT_LIMITS[f.type]) return `${v} is outside the ${f.type} range`;
      break;
    case 'bool':
      if (typeof v !== 'boolean') return `expected true or false, got ${describe(v)}`;
      break;
    case 'string':
      if (typeof v !== 'string') return `expected a string, got ${describe(v)}`;
      break;
  }
  if (f.categories && !f.categories.some((c) => c === v)) {
    const shown = f.categories.slice(0, 10).map((c) => JSON.stringify(c)).join(', ');
    return `${JSON.stringify(v)} is not one of the declared categories (${shown}${f.categories.length > 10 ? ', …' : ''})`;
  }
  return undefined;
}

function fromObject(inst: Record<string, unknown>, i: number, features: ServingFeature[], index: Map<string, number>): FeatureValue[] {
  for (const key of Object.keys(inst)) {
    if (!index.has(key)) {
      const names = features.map((f) => f.name);
      throw invalidInput(`instance ${i}: unknown feature "${key}" (the model takes ${names.join(', ')})`, { instance: i, feature: key });
    }
  }
  return features.map((f) => {
    if (!(f.name in inst)) throw invalidInput(`instance ${i}, feature "${f.name}": missing`, { instance: i, feature: f.name });
    return checked(f, inst[f.name], i);
  });
}

function fromArray(inst: unknown[], i: number, features: ServingFeature[]): FeatureValue[] {
  if (inst.length !== features.length) {
    throw invalidInput(
      `instance ${i}: row has ${inst.length} values, expected ${features.length} (${features.map((f) => f.name).join(', ')})`,
      { instance: i },
    );
  }
  return features.map((f, j) => checked(f, inst[j], i));
}

function checked(f: ServingFeature, v: unknown, i: number): FeatureValue {
  const problem = valueProblem(f, v);
  if (problem) throw invalidInput(`instance ${i}, feature "${f.name}": ${problem}`, { instance: i, feature: f.name });
  return v as FeatureValue;
}

/** Validates every instance; throws a 400 ServingError at the first problem. */
export function validateInstances(instances: readonly unknown[], features: ServingFeature[]): Rows {
  const index = new Map(features.map((f, j) => [f.name, j]));
  return instances.map((inst, i) => {
    if (Array.isArray(inst)) return fromArray(inst, i, features);
    if (inst !== null && typeof inst === 'object') return fromObject(inst as Record<string, unknown>, i, features, index);
    throw invalidInput(`instance ${i}: expected an object of features or an array of values, got ${describe(inst)}`, { instance: i });
  });
}

/** A value that passes validation for every feature: warm-up input. */
export function neutralRow(features: ServingFeature[]): FeatureValue[] {
  return features.map((f) => {
    if (f.categories?.length) return f.categories[0] as FeatureValue;
    if (f.type === 'bool') return false;
    if (f.type === 'string') return '';
    return 0;
  });
}
