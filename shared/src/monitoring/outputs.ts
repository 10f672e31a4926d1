/**
 * Which output of a model is "the prediction" (compared with feedback labels, counted in the
 * prediction distribution) and which holds class probabilities (the confidence), chosen by name
 * once per version. Classifiers converted by skl2onnx name them `label`/`output_label` and
 * `probabilities`/`output_probability`; our own linear models `label` and `probability`.
 */
export interface OutputRoles {
  /** Output compared with labels; undefined when the model has none. */
  prediction: string | undefined;
  /** Output with the class probabilities (or the positive-class probability), if any. */
  probability: string | undefined;
}

export function outputRoles(names: readonly string[], task: 'classification' | 'regression' | null): OutputRoles {
  const lower = names.map((n) => n.toLowerCase());
  const probability = names[lower.findIndex((n) => n.includes('prob'))];
  if (task === 'regression') return { prediction: names.find((n) => !n.toLowerCase().includes('prob')) ?? names[0], probability: undefined };
  const label = names[lower.findIndex((n) => n === 'label' || n.endsWith('label') || n.endsWith('_labels'))];
  return { prediction: label ?? names.find((n) => n !== probability) ?? names[0], probability };
}

/** A scalar from an output value: one-element rows are unwrapped; longer rows have no scalar. */
export function scalarOf(v: unknown): number | string | boolean | undefined {
  const x = Array.isArray(v) && v.length === 1 ? (v[0] as unknown) : v;
  return typeof x === 'number' || typeof x === 'string' || typeof x === 'boolean' ? x : undefined;
}

/** The top class probability: max of a probability row, or max(p, 1 - p) for a single probability. */
export function confidenceOf(v: unknown): number | undefined {
  if (Array.isArray(v) && v.length > 1) {
    let best = -Infinity;
    for (const p of v) if (typeof p === 'number' && p > best) best = p;
    return Number.isFinite(best) ? best : undefined;
  }
  const p = scalarOf(v);
  return typeof p === 'number' && p >= 0 && p <= 1 ? Math.max(p, 1 - p) : undefined;
}

/** Whether feedback `label` matches `predicted` (numbers compared as numbers, so "1" matches 1). */
export function sameLabel(label: unknown, predicted: unknown): boolean {
  if (label === predicted) return true;
  const a = typeof label === 'boolean' ? Number(label) : label;
  const b = typeof predicted === 'boolean' ? Number(predicted) : predicted;
  if (typeof a === 'number' || typeof b === 'number') return Number(a) === Number(b) && String(a).trim() !== '' && String(b).trim() !== '';
  return String(a) === String(b);
}
