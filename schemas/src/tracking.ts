/**
 * Tracking and data-versioning contracts: experiments, runs (params, metrics, tags, artifacts,
 * git and environment), datasets and their content-hashed versions. Used by the daemon routes,
 * the CLI, the Node client, the Python module (by documentation) and the extension.
 */
import * as z from 'zod';
import { nameSchema } from './mlops-yaml';
import { isoTime, sha256Hex } from './api';
import { errorCodeEnum } from './errors';

export const RUN_STATUSES = ['running', 'finished', 'failed', 'killed'] as const;
export const runStatusEnum = z.enum(RUN_STATUSES);
export type RunStatus = z.infer<typeof runStatusEnum>;

export const runIdSchema = z.string().regex(/^[a-z0-9]{6,32}$/, 'expected a run id of lowercase letters and digits');
export const runIdParam = z.object({ id: runIdSchema });
const metricKey = z.string().min(1).max(250).regex(/^[\w.\-/: ]+$/, 'expected a metric key of letters, digits, _ . - / : or space');
const paramKey = z.string().min(1).max(250);
export const paramValue = z.union([z.string().max(6000), z.number(), z.boolean(), z.null()]);
const tagMap = z.record(z.string().min(1).max(250), z.string().max(5000));

export const gitInfoSchema = z.object({
  commit: z.string().nullable(),
  branch: z.string().nullable(),
  dirty: z.boolean(),
  diff_sha256: sha256Hex.nullable().describe('Object holding `git diff HEAD` when dirty'),
});
export type GitInfo = z.infer<typeof gitInfoSchema>;

export const environmentSchema = z.object({
  python_version: z.string().nullable().default(null),
  python_executable: z.string().nullable().default(null),
  packages: z.array(z.string()).default([]).describe('`name==version` lines of the interpreter used'),
  node_version: z.string().nullable().default(null),
  os: z.string().nullable().default(null),
});

export const datasetRefSchema = z.object({ dataset: nameSchema, version: z.number().int().positive() });

export const createRunRequest = z
  .object({
    experiment: nameSchema.default('default'),
    name: z.string().max(200).optional(),
    command: z.array(z.string()).max(1000).default([]),
    environment: environmentSchema.partial().default({}),
    tags: tagMap.default({}),
    datasets: z.array(datasetRefSchema).default([]),
    params: z.record(paramKey, paramValue).default({}),
    config: z.record(z.string(), z.unknown()).optional().describe('Resolved mlops.yaml params snapshot'),
  })
  .strict();

export const metricSummarySchema = z.object({
  key: z.string(),
  last: z.number(),
  step: z.number().int(),
  min: z.number(),
  max: z.number(),
  count: z.number().int(),
});

export const runSummarySchema = z.object({
  id: runIdSchema,
  experiment: z.string(),
  name: z.string(),
  status: runStatusEnum,
  start_time: isoTime,
  end_time: isoTime.nullable(),
  git_commit: z.string().nullable(),
  git_dirty: z.boolean(),
  metrics: z.record(z.string(), z.number()).describe('Last value of each metric'),
});
export type RunSummary = z.infer<typeof runSummarySchema>;

export const runDetailSchema = runSummarySchema.extend({
  command: z.array(z.string()),
  exit_code: z.number().int().nullable(),
  git: gitInfoSchema,
  config_sha256: z.string().nullable(),
  config: z.record(z.string(), z.unknown()).nullable(),
  environment: environmentSchema,
  params: z.record(z.string(), paramValue),
  tags: z.record(z.string(), z.string()),
  metric_summaries: z.array(metricSummarySchema),
  artifacts: z.array(z.object({ path: z.string(), sha256: sha256Hex, size: z.number().int() })),
  datasets: z.array(datasetRefSchema),
  models: z.array(z.object({ model: z.string(), version: z.number().int() })),
});
export type RunDetail = z.infer<typeof runDetailSchema>;

export const listRunsQuery = z
  .object({
    experiment: z.string().max(128).optional(),
    status: runStatusEnum.optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    cursor: z.string().max(100).optional(),
  })
  .strict();
export const listRunsResponse = z.object({ runs: z.array(runSummarySchema), next_cursor: z.string().nullable() });

export const updateRunRequest = z
  .object({
    status: runStatusEnum.exclude(['running']),
    exit_code: z.number().int().nullable().default(null),
  })
  .strict();

export const logParamsRequest = z.object({ params: z.record(paramKey, paramValue) }).strict();
export const logTagsRequest = z.object({ tags: tagMap }).strict();
export const okResponse = z.object({ ok: z.literal(true) });

/** Columnar batch: parallel arrays, validated once, written in one transaction. */
export const metricBatchRequest = z
  .object({
    keys: z.array(metricKey).max(1_000_000),
    steps: z.array(z.number().int().min(0)).max(1_000_000),
    timestamps: z.array(z.number().nonnegative()).max(1_000_000).describe('Unix epoch milliseconds'),
    values: z.array(z.number().nullable()).max(1_000_000).describe('null stands for NaN'),
  })
  .strict()
  .superRefine((b, ctx) => {
    const n = b.keys.length;
    for (const f of ['steps', 'timestamps', 'values'] as const) {
      if (b[f].length !== n) {
        ctx.addIssue({ code: 'custom', path: [f], message: `expected ${n} entries like "keys", got ${b[f].length}` });
      }
    }
  });
export const metricRowsRequest = z
  .object({
    metrics: z
      .array(
        z
          .object({
            key: metricKey,
            value: z.number().nullable(),
            step: z.number().int().min(0).default(0),
            timestamp: z.number().nonnegative().optional(),
          })
          .strict(),
      )
      .max(10_000),
  })
  .strict();
export const metricsWrittenResponse = z.object({ written: z.number().int() });

export const metricSeriesQuery = z.object({ key: metricKey.optional() }).strict();
export const metricSeriesResponse = z.object({
  series: z.array(
    z.object({
      key: z.string(),
      steps: z.array(z.number()),
      timestamps: z.array(z.number()),
      values: z.array(z.number().nullable()),
    }),
  ),
});

export const logArtifactRequest = z
  .object({
    sha256: sha256Hex.describe('Hash of content uploaded with POST /objects (the daemon never reads a path a client names)'),
    name: z
      .string()
      .min(1)
      .max(500)
      .regex(/^(?!\/)(?!.*(?:^|\/)\.\.(?:\/|$))[^\0\\]+$/, 'expected a relative name without "..", a leading "/" or backslashes')
      .describe('Name inside the run (clients default it to the file name)'),
  })
  .strict();
export const artifactResponse = z.object({ path: z.string(), sha256: sha256Hex, size: z.number().int() });

export const compareRunsQuery = z
  .object({ ids: z.string().max(2000).describe('Comma-separated run ids (2 or more)') })
  .strict();
export const compareRunsResponse = z.object({
  runs: z.array(runSummarySchema),
  params: z.array(z.object({ key: z.string(), values: z.array(paramValue.optional()), differs: z.boolean() })),
  metrics: z.array(z.object({ key: z.string(), values: z.array(z.number().nullable()) })),
});
export type RunComparison = z.infer<typeof compareRunsResponse>;

export const experimentSchema = z.object({
  name: z.string(),
  run_count: z.number().int(),
  last_run_time: isoTime.nullable(),
  created_at: isoTime,
});
export const listExperimentsResponse = z.object({ experiments: z.array(experimentSchema) });

// ---------- Datasets ----------

export const datasetNameParam = z.object({ name: nameSchema });
export const datasetVersionParam = z.object({ name: nameSchema, version: z.coerce.number().int().positive() });

export const manifestFileSchema = z.object({ path: z.string(), size: z.number().int(), sha256: sha256Hex });

export const datasetVersionSchema = z.object({
  dataset: z.string(),
  version: z.number().int().positive(),
  parent_version: z.number().int().nullable(),
  file_count: z.number().int(),
  total_bytes: z.number().int(),
  reason: z.string().describe('Why it was made: cli, watch, exec, checkout'),
  created_at: isoTime,
});
export type DatasetVersion = z.infer<typeof datasetVersionSchema>;

export const datasetSummarySchema = z.object({
  name: z.string(),
  paths: z.array(z.string()),
  format: z.string(),
  configured: z.boolean().describe('Still declared in mlops.yaml'),
  latest: datasetVersionSchema.nullable(),
  version_count: z.number().int(),
});
export type DatasetSummary = z.infer<typeof datasetSummarySchema>;
export const listDatasetsResponse = z.object({ datasets: z.array(datasetSummarySchema) });
export const datasetVersionsResponse = z.object({ versions: z.array(datasetVersionSchema) });
export const datasetManifestResponse = datasetVersionSchema.extend({ files: z.array(manifestFileSchema) });

export const snapshotRequest = z.object({ reason: z.string().max(200).default('cli') }).strict();
/** The snapshot route streams NDJSON: progress lines, then one result (or error) line. */
export const snapshotStreamLine = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), files_done: z.number().int(), files_total: z.number().int(), bytes_done: z.number(), bytes_total: z.number() }),
  z.object({
    type: z.literal('result'),
    created: z.boolean().describe('False when nothing changed since the latest version'),
    version: datasetVersionSchema,
    hashed_files: z.number().int().describe('Files actually read (the rest came from the stat cache)'),
    new_objects: z.number().int(),
  }),
  z.object({ type: z.literal('error'), status: z.number().int(), code: errorCodeEnum, message: z.string() }),
]);
export type SnapshotStreamLine = z.infer<typeof snapshotStreamLine>;

export const diffQuery = z
  .object({ from: z.coerce.number().int().positive(), to: z.coerce.number().int().positive() })
  .strict();
export const datasetDiffResponse = z.object({
  dataset: z.string(),
  from: z.number().int(),
  to: z.number().int(),
  added: z.array(manifestFileSchema),
  removed: z.array(manifestFileSchema),
  changed: z.array(z.object({ path: z.string(), from_size: z.number().int(), to_size: z.number().int(), from_sha256: sha256Hex, to_sha256: sha256Hex })),
  unchanged: z.number().int(),
});
export type DatasetDiff = z.infer<typeof datasetDiffResponse>;

export const checkoutRequest = z.object({ version: z.number().int().positive() }).strict();
export const checkoutResponse = z.object({
  dataset: z.string(),
  version: z.number().int(),
  written: z.array(z.string()),
  removed: z.array(z.string()),
  unchanged: z.number().int(),
  saved_as: z.number().int().nullable().describe('Version that recorded the files as they were before checkout'),
});

export const gcRequest = z
  .object({
    dry_run: z.boolean().default(false),
    grace_seconds: z
      .number()
      .int()
      .min(0)
      .default(600)
      .describe('Unreferenced objects younger than this are kept: an upload may not have committed yet'),
  })
  .strict();
export const gcResponse = z.object({
  dry_run: z.boolean(),
  removed_objects: z.number().int(),
  bytes_freed: z.number().int(),
  kept_objects: z.number().int(),
});
