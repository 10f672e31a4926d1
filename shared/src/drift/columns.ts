/** Builders of engine columns from plain values, for callers that do not read CSV files. */
import { type CategoricalColumn, type NumericColumn } from './csv';

/** A numeric column; null and undefined count as missing, NaN and ±inf are kept (and dropped later). */
export function numericColumn(name: string, values: ArrayLike<number | null | undefined>): NumericColumn {
  const out = new Float64Array(values.length);
  let k = 0;
  let missing = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v == null) missing++;
    else out[k++] = v;
  }
  return { kind: 'numeric', name, values: out.slice(0, k), missing };
}

/** A categorical column; null, undefined and "" count as missing. */
export function categoricalColumn(name: string, values: ArrayLike<string | null | undefined>): CategoricalColumn {
  const dict = new Map<string, number>();
  const codes = new Int32Array(values.length);
  let k = 0;
  let missing = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v == null || v === '') {
      missing++;
      continue;
    }
    let c = dict.get(v);
    if (c === undefined) dict.set(v, (c = dict.size));
    codes[k++] = c;
  }
  return { kind: 'categorical', name, codes: codes.slice(0, k), categories: [...dict.keys()], missing };
}
