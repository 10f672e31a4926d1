/**
 * Pipeline contracts: the `mlops.lock` file, the stage cache entries under `.mlops/pipelines/`,
 * the `mlops run --json` and `mlops repro --json` shapes, and the validation report.
 */
import * as z from 'zod';

const hash = z.string().regex(/^[0-9a-f]{64}$/);

/** One stage instance in `mlops.lock`: its key and every input that went into it. */
export const lockEntrySchema = z
  .object({
    key: hash.describe('sha256 of everything below except outs'),
    cmd: z.string().nullable(),
    spec: z.record(z.string(), z.unknown()).describe('The kind and the built-in fields (dataset, model, expectations, …)'),
    deps: z.record(z.string(), hash.nullable()).describe('Dep path → content hash (null: missing)'),
    params: z.record(z.string(), z.unknown()),
    upstream: z.record(z.string(), hash).describe('Needed instance → hash of its outs'),
    outs: z.record(z.string(), hash).describe('Out or metrics path → content hash'),
  })
  .strict();
export type LockEntry = z.infer<typeof lockEntrySchema>;

export const lockFileSchema = z
  .object({ note: z.string().optional(), version: z.literal(1), stages: z.record(z.string(), lockEntrySchema) })
  .strict();
export type LockFile = z.infer<typeof lockFileSchema>;

export const cachedFileSchema = z.object({ path: z.string(), size: z.number().int().nonnegative(), sha256: hash }).strict();

/** `.mlops/pipelines/cache/<key>.json`: the outs a run with that key produced, by object hash. */
export const cacheEntrySchema = z
  .object({
    key: hash,
    stage: z.string(),
    created_at: z.string(),
    outs: z.record(z.string(), z.object({ hash, files: z.array(cachedFileSchema) }).strict()),
  })
  .strict();
export type CacheEntry = z.infer<typeof cacheEntrySchema>;

export const STAGE_RUN_STATUSES = ['ran', 'cached', 'failed', 'skipped', 'would-run'] as const;
export const stageRunStatusSchema = z.enum(STAGE_RUN_STATUSES);
export type StageRunStatus = z.infer<typeof stageRunStatusSchema>;

export const stageResultSchema = z.object({
  name: z.string().describe('Stage name, or `stage@key=value,…` for a matrix instance'),
  status: stageRunStatusSchema,
  reason: z.string().describe('Why it ran, was cached, failed or was skipped'),
  duration_ms: z.number().int().nonnegative(),
});
export type StageResult = z.infer<typeof stageResultSchema>;

/** `mlops run --json`: stage output never goes here (it goes to the logs and stderr). */
export const runPipelineJson = z.object({ stages: z.array(stageResultSchema) });
export type RunPipelineJson = z.infer<typeof runPipelineJson>;

/** One failed expectation of a `validate` stage. */
export const expectationResultSchema = z.object({
  expectation: z.string().describe('e.g. "columns.age.range"'),
  column: z.string().nullable(),
  success: z.boolean(),
  message: z.string(),
  failed_count: z.number().int().nonnegative(),
  /** 1-based data row numbers (the header is not counted), at most 10. */
  example_rows: z.array(z.number().int().positive()),
});

/** The report a `validate` stage writes beside its log. */
export const validationReportSchema = z.object({
  dataset: z.string(),
  files: z.array(z.string()),
  rows: z.number().int().nonnegative(),
  success: z.boolean(),
  results: z.array(expectationResultSchema),
});
export type ValidationReport = z.infer<typeof validationReportSchema>;
export type ExpectationResult = z.infer<typeof expectationResultSchema>;

/** `mlops repro <run-id> --json`: whether each recorded out came out with the same content. */
export const reproJson = z.object({
  run_id: z.string(),
  commit: z.string(),
  worktree: z.string().describe('Where it ran (removed afterwards unless --keep)'),
  outs: z.array(
    z.object({
      stage: z.string(),
      path: z.string(),
      recorded: z.string().describe('sha256 recorded by the run'),
      reproduced: z.string().nullable().describe('sha256 now (null: not written)'),
      match: z.boolean(),
    }),
  ),
  stages: z.array(stageResultSchema),
  all_match: z.boolean(),
});
export type ReproJson = z.infer<typeof reproJson>;

/** Where a stage instance stands now, as the Pipelines view shows it. */
export const STAGE_STATES = ['cached', 'stale', 'running', 'failed'] as const;
export const stageStateSchema = z.enum(STAGE_STATES);
export type StageState = z.infer<typeof stageStateSchema>;

export const pipelineStageSchema = z.object({
  id: z.string().describe('Instance: the stage name, or `stage@key=value,…` for a matrix instance'),
  stage: z.string().describe('Stage name under pipeline.stages'),
  kind: z.enum(['command', 'validate', 'register', 'deploy']),
  state: stageStateSchema,
  reason: z.string().describe('Why it is stale (which dep, param or command changed), or why it failed'),
  needs: z.array(z.string()).describe('Instances that run before this one: the DAG edges'),
  log: z.string().nullable().describe('Its log file, relative to the project root; null until it ran'),
  run_id: z.string().nullable().describe('Its latest tracked run'),
});
export type PipelineStage = z.infer<typeof pipelineStageSchema>;

/** `GET /pipeline`: every instance's state, decided like `mlops run --dry-run` plus the tracked runs. */
export const pipelineStatusResponse = z.object({
  root: z.string().describe('The project root the log paths are relative to'),
  stages: z.array(pipelineStageSchema),
  running: z.boolean().describe('A pipeline started by the daemon (trigger or request) is running'),
  problems: z.array(z.string()).describe('Why the pipeline cannot run (cycles, unknown deps, …); stages is empty then'),
});
export type PipelineStatus = z.infer<typeof pipelineStatusResponse>;

export const startPipelineRequest = z
  .object({
    stages: z.array(z.string().min(1).max(300)).max(1000).default([]).describe('Stages (with what they need) to run; empty: all'),
    force: z.boolean().default(false).describe('Run the selected stages even when cached'),
    reason: z.string().max(500).default('manual').describe('Why it started, recorded as the run\'s mlops.trigger'),
  })
  .strict();
export const startPipelineResponse = z.object({
  queued: z.boolean().describe('True when it will run after the pipeline running now'),
  reason: z.string(),
});

/** `mlops import dvc --json`. */
export const importDvcJson = z.object({
  dry_run: z.boolean(),
  written: z.boolean().describe('mlops.yaml was changed'),
  stages_added: z.array(z.string()),
  stages_kept: z.array(z.string()).describe('Already in mlops.yaml: left as they are'),
  params_added: z.array(z.string()).describe('Dotted keys from params.yaml'),
  params_kept: z.array(z.string()).describe('Already in mlops.yaml (its value kept)'),
  not_carried: z.array(z.object({ line: z.number().int(), path: z.string(), message: z.string() })).describe('What could not be carried over, by dvc.yaml line'),
});
export type ImportDvcJson = z.infer<typeof importDvcJson>;

/** `mlops export argo|airflow --json`. */
export const pipelineExportJson = z.object({
  kind: z.enum(['argo', 'airflow']),
  file: z.string().describe('Where it was written'),
  tasks: z.array(z.string()).describe('Task names: the stage instances'),
});
/** `mlops export docker --training --json`. */
export const trainingDockerJson = z.object({
  kind: z.literal('docker-training'),
  run_id: z.string(),
  python_version: z.string(),
  packages: z.number().int().describe('Packages pinned in requirements.txt'),
  files: z.array(z.string()),
});
