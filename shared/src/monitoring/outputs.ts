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

/**
 * Each instance's prediction and confidence as two numbers, into `out` from 0 (NaN where there is
 * none): what monitoring's window and log read of the outputs, made where the outputs are objects
 * already (the serving loop) so that monitoring's thread never parses the answer's JSON back.
 * False, with nothing usable written, when a prediction is not a number (a text or boolean label,
 * NaN): the recorder then reads the answer's JSON.
 */
export function writeScores(outputs: ReadonlyMap<string, { perRow: readonly unknown[] }>, roles: OutputRoles, n: number, out: Float64Array): boolean {
  const pred = roles.prediction ? outputs.get(roles.prediction)?.perRow : undefined;
  const prob = roles.probability ? outputs.get(roles.probability)?.perRow : undefined;
  for (let i = 0; i < n; i++) {
    const p = pred ? scalarOf(pred[i]) : undefined;
    if (p !== undefined && (typeof p !== 'number' || Number.isNaN(p))) return false;
    out[2 * i] = p ?? NaN;
    out[2 * i + 1] = (prob ? confidenceOf(prob[i]) : undefined) ?? NaN;
  }
  return true;
}

/**
 * writeScores for one request after another on the serving loop: the roles are chosen again only
 * when the outputs' names or the task change (the fallback rules answer with their own outputs), and
 * the pairs go into one reused array, so nothing is allocated per request.
 */
export class RowScorer {
  private names: string[] = [];
  private task: 'classification' | 'regression' | null | undefined;
  private roles: OutputRoles = { prediction: undefined, probability: undefined };
  /** The pairs written by the last `score` that returned true. */
  scores = new Float64Array(64);

  /** Scores `n` instances into `scores`; false when a prediction is not a number (see writeScores). */
  score(outputs: ReadonlyMap<string, { perRow: readonly unknown[] }>, n: number, task: 'classification' | 'regression' | null): boolean {
    if (this.scores.length < 2 * n) this.scores = new Float64Array(2 * n);
    let same = this.task === task && this.names.length === outputs.size;
    if (same) {
      let i = 0;
      for (const name of outputs.keys()) if (this.names[i++] !== name) same = false;
    }
    if (!same) {
      this.names = [...outputs.keys()];
      this.task = task;
      this.roles = outputRoles(this.names, task);
    }
    return writeScores(outputs, this.roles, n, this.scores);
  }
}
