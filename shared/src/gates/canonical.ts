/**
 * The canonical gate's file: examples of inputs with the outputs (or labels) a model must give for
 * them, and the comparison of a model's outputs with them within a tolerance.
 */
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { type FeatureValue, type ServingFeature } from '../../../schemas/src/serving';
import { valueProblem } from '../serving/validate';
import { type LoadedModel } from '../serving/model';
import { GateCannotRun, outputRoles, runAll } from './data';

const value = z.union([z.number(), z.string(), z.boolean()]);
const expectedValue = z.union([value, z.array(value)]);
const exampleSchema = z
  .object({
    inputs: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]),
    expected: z.union([expectedValue, z.record(z.string(), expectedValue)]).optional(),
    label: value.optional(),
  })
  .strict()
  .refine((e) => e.expected !== undefined || e.label !== undefined, { message: 'needs "expected" (outputs) or "label"' });
const fileSchema = z.union([z.array(exampleSchema).min(1), z.object({ examples: z.array(exampleSchema).min(1) }).strict()]);
export type CanonicalExample = z.infer<typeof exampleSchema>;

export function readCanonical(file: string, shown: string, features: ServingFeature[]): { examples: CanonicalExample[]; rows: FeatureValue[][] } {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file; commit it with the project' : (e as Error).message;
    throw new GateCannotRun(`canonical file ${shown}: ${why}`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = (issue?.path ?? []).map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    throw new GateCannotRun(`canonical file ${shown}: ${where || 'top level'}: ${issue?.message ?? 'invalid'} (expected a list of {"inputs", "expected" or "label"})`);
  }
  const examples = Array.isArray(parsed.data) ? parsed.data : parsed.data.examples;
  const rows = examples.map((e, i) =>
    features.map((f, j) => {
      const v = Array.isArray(e.inputs) ? e.inputs[j] : e.inputs[f.name];
      const problem = valueProblem(f, v);
      if (problem) throw new GateCannotRun(`canonical file ${shown}: example ${i}, feature "${f.name}": ${problem}`);
      return v as FeatureValue;
    }),
  );
  return { examples, rows };
}

function close(got: unknown, want: unknown, tol: number): boolean {
  if (Array.isArray(want)) return Array.isArray(got) && got.length === want.length && want.every((w, k) => close(got[k], w, tol));
  if (Array.isArray(got) && got.length === 1) return close(got[0], want, tol);
  if (typeof want === 'number') return typeof got === 'number' && Math.abs(got - want) <= tol;
  return String(got) === String(want);
}

/** Share of examples the model reproduces, and the first difference (for the report). */
export async function canonicalAgreement(model: LoadedModel, examples: CanonicalExample[], rows: FeatureValue[][], tol: number): Promise<{ share: number; firstMiss: string | null }> {
  const outputs = await runAll(model, rows);
  const roles = outputRoles(model);
  let ok = 0;
  let firstMiss: string | null = null;
  examples.forEach((e, i) => {
    const checks: [string, unknown][] = [];
    if (e.label !== undefined) checks.push([roles.label ?? model.outputs[0]?.name ?? '', e.label]);
    if (e.expected !== undefined) {
      if (typeof e.expected === 'object' && !Array.isArray(e.expected)) checks.push(...Object.entries(e.expected));
      else checks.push([roles.probability ?? roles.value ?? model.outputs[0]?.name ?? '', e.expected]);
    }
    const miss = checks.find(([name, want]) => !close(outputs.get(name)?.[i], want, tol));
    if (!miss) ok++;
    else firstMiss ??= `example ${i}: ${miss[0]} = ${JSON.stringify(outputs.get(miss[0])?.[i] ?? null)}, expected ${JSON.stringify(miss[1])}`;
  });
  return { share: ok / examples.length, firstMiss };
}
