/**
 * Promotion gates (docs/GATES.md): the result of checking a candidate version against Production,
 * as `mlops check --json` prints it, the daemon's check endpoint answers it and the registry stores
 * it with the version.
 */
import * as z from 'zod';
import { isoTime } from './api';

export const GATE_NAMES = ['holdout', 'canonical', 'latency', 'shadow'] as const;
export const gateNameEnum = z.enum(GATE_NAMES);
export type GateName = z.infer<typeof gateNameEnum>;

/** pass / fail, or error: the gate could not run (missing dataset, label column, file, shadow data). */
export const GATE_STATUSES = ['pass', 'fail', 'error'] as const;

/** One latency measurement: p95 ms of single-instance predictions, and whether the rule held for it. */
export const latencyMeasurementSchema = z.object({
  via: z.enum(['in_process', 'endpoint']),
  candidate: z.number().nonnegative(),
  production: z.number().nonnegative().nullable(),
  passed: z.boolean(),
});
export type LatencyMeasurement = z.infer<typeof latencyMeasurementSchema>;

export const gateResultSchema = z.object({
  name: gateNameEnum.describe('The gate\'s key under models.<name>.gates'),
  passed: z.boolean(),
  status: z.enum(GATE_STATUSES),
  candidate: z.number().nullable().describe('The candidate\'s measured number; null when the gate could not run'),
  production: z.number().nullable().describe('Production\'s number on the same data; null when there is no Production version'),
  rule: z.string().describe('What had to hold, e.g. "auc ≥ Production + 0.01"'),
  detail: z.string().describe('How it was measured, or why the gate could not run'),
  measurements: z
    .array(latencyMeasurementSchema)
    .optional()
    .describe('The latency gate: each measurement it made (in-process, through temporary endpoints); `candidate`/`production` above are the endpoint figures when it measured them'),
});
export type GateResult = z.infer<typeof gateResultSchema>;

export const checkReportSchema = z.object({
  model: z.string(),
  candidate_version: z.number().int().nullable().describe('null when the candidate is a file (`mlops check --candidate`)'),
  production_version: z.number().int().nullable().describe('The Production version compared against; null when none (or a file)'),
  passed: z.boolean().describe('Every gate passed (true also when the model declares no gates)'),
  exit_code: z.union([z.literal(0), z.literal(1), z.literal(2)]).describe('0 all pass, 1 a gate failed, 2 a gate could not run'),
  evaluated_at: isoTime,
  seconds: z.number().nonnegative(),
  gates: z.array(gateResultSchema),
});
export type CheckReport = z.infer<typeof checkReportSchema>;

/** `mlops check --json` prints the report. */
export const checkJsonSchema = checkReportSchema;

/** What the registry keeps of the last evaluation of each version. */
export const storedGateRunSchema = checkReportSchema.extend({
  forced: z.boolean().describe('Promoted despite this result, with a reason (`--force`)'),
  reason: z.string(),
});
export type StoredGateRun = z.infer<typeof storedGateRunSchema>;

export const modelGateRunsResponse = z.object({
  model: z.string(),
  versions: z.array(z.object({ version: z.number().int(), last: storedGateRunSchema })).describe('Versions with a stored evaluation, newest first'),
});
export type ModelGateRuns = z.infer<typeof modelGateRunsResponse>;

export const checkVersionRequest = z
  .object({
    against: z.number().int().positive().optional().describe('Compare with this version instead of the current Production version'),
  })
  .strict();

/** `mlops ci init --json`. */
export const ciInitJsonSchema = z.object({
  provider: z.enum(['github', 'gitlab']),
  file: z.string().describe('The workflow written, relative to the project root'),
  model: z.string().nullable(),
});
export type CiInitJson = z.infer<typeof ciInitJsonSchema>;
