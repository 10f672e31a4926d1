/**
 * The `mlops.yaml` v1 contract. Every field carries a description: the language server's hover,
 * the generated JSON Schema (schemas/mlops.schema.json) and docs/CONFIG.md all read it from here.
 * Sections are strict: an unknown key anywhere is an error, so typos never pass silently.
 */
import * as z from 'zod';

/** Names used as registry keys, dataset names, stage names: safe in paths and URLs. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
export const nameSchema = z
  .string()
  .regex(NAME_PATTERN, 'expected a name of letters, digits, ".", "_" or "-" (at most 128, not starting with a symbol)');

/**
 * A file or glob inside the project: relative, without `..`. The daemon refuses anything else when it
 * snapshots, so the config is refused up front (and the language server underlines it).
 */
export const projectPathSchema = z
  .string()
  .min(1)
  .refine((p) => !/^(\/|~|[A-Za-z]:[\\/])/.test(p), { message: 'expected a path relative to the project root, not an absolute or home path' })
  .refine((p) => !p.replace(/\\/g, '/').split('/').includes('..'), { message: 'expected a path inside the project (".." is not allowed)' });

const featureType = z
  .enum(['float', 'double', 'int32', 'int64', 'bool', 'string'])
  .describe('Element type of the feature as the ONNX input declares it (float = float32).');

export const featureSchema = z
  .object({
    name: z.string().min(1).describe('Feature name, as in the training data column.'),
    type: featureType.default('float'),
    range: z
      .tuple([z.number(), z.number()])
      .refine(([lo, hi]) => lo <= hi, { message: 'expected [min, max] with min ≤ max' })
      .optional()
      .describe('Expected [min, max] of a numeric feature; values outside are flagged by monitoring.'),
    categories: z
      .array(z.union([z.string(), z.number()]))
      .min(1)
      .optional()
      .describe('Allowed values of a categorical feature.'),
    description: z.string().optional().describe('What the feature means, for people reading the config.'),
  })
  .strict()
  .describe('One input feature of the model signature.');

export const modelOutputSchema = z
  .object({
    name: z.string().min(1).describe('Output tensor name in the ONNX graph.'),
    type: featureType.default('float'),
    description: z.string().optional().describe('What the output holds.'),
  })
  .strict();

export const HOLDOUT_METRICS = ['accuracy', 'auc', 'f1', 'log_loss', 'rmse', 'mae', 'r2'] as const;
/** Metrics where a smaller value is better; the holdout rule flips its direction for them. */
export const LOWER_IS_BETTER: ReadonlySet<string> = new Set(['log_loss', 'rmse', 'mae']);

export const holdoutGateSchema = z
  .object({
    dataset: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}(@[1-9][0-9]*)?$/, 'expected a dataset name or "name@version"')
      .describe('Holdout dataset under `data` (a CSV), by name (its latest version, or its files on a CI runner) or "name@version".'),
    label: z.string().min(1).describe('Column of the holdout data holding the true label (or target value).'),
    metric: z.enum(HOLDOUT_METRICS).describe('Metric computed for the candidate and for Production on the same rows.'),
    min_delta: z
      .number()
      .optional()
      .describe('Rule "beats Production": the candidate must be better than Production by at least this much.'),
    tolerance: z
      .number()
      .nonnegative()
      .optional()
      .describe('Rule "not worse": the candidate may be worse than Production by at most this much.'),
    min: z
      .number()
      .optional()
      .describe('Absolute bound (a maximum for log_loss, rmse and mae) when there is no Production version to compare with.'),
  })
  .strict()
  .superRefine((g, ctx) => {
    if (g.min_delta !== undefined && g.tolerance !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['tolerance'], message: 'give either min_delta (beat Production) or tolerance (not worse), not both' });
    }
  })
  .describe('Does the candidate beat (or match) Production on a holdout set?');

export const canonicalGateSchema = z
  .object({
    file: projectPathSchema.describe(
      'JSON file of examples: [{ "inputs": {feature: value, …}, "expected": value | {output: value} } or "label": class, …].',
    ),
    tolerance: z.number().nonnegative().default(1e-4).describe('Largest allowed absolute difference of a numeric output.'),
  })
  .strict()
  .describe('Does the candidate produce the expected outputs for canonical inputs?');

/** Where the latency gate measures (docs/GATES.md). */
export const LATENCY_VIA = ['in_process', 'endpoint', 'both'] as const;

export const latencyGateSchema = z
  .object({
    max_ratio: z
      .number()
      .positive()
      .default(1.2)
      .describe("Candidate p95 over Production's p95, measured interleaved in the same run, at most this."),
    p95_ms: z.number().positive().optional().describe("Absolute SLA: the candidate's p95 of single-instance predictions, at most this."),
    requests: z.number().int().min(20).max(100_000).default(500).describe('Single-instance predictions per model (per measurement).'),
    via: z
      .enum(LATENCY_VIA)
      .default('both')
      .describe(
        'Where latency is measured: `in_process` (onnxruntime in the checking process), `endpoint` (HTTP `POST /predict` to two temporary loopback serving processes, the code deployments run), or `both` (each must pass; the endpoint figures are reported).',
      ),
  })
  .strict()
  .describe('Does inference meet the SLA?');

export const shadowGateSchema = z
  .object({
    min_agreement: z.number().min(0).max(1).describe('Share of shadowed requests where candidate and Production agree, at least this.'),
    min_requests: z.number().int().positive().default(100).describe('Shadowed requests needed before the gate can decide.'),
  })
  .strict()
  .describe('Did a shadow run agree with Production?');

export const modelGatesSchema = z
  .object({
    holdout: holdoutGateSchema.optional(),
    canonical: canonicalGateSchema.optional(),
    latency: latencyGateSchema.optional(),
    shadow: shadowGateSchema.optional(),
  })
  .strict()
  .describe('Checks a version must pass before it is promoted to Production (`mlops check`, docs/GATES.md).');

export const modelConfigSchema = z
  .object({
    format: z.literal('onnx').default('onnx').describe('Artifact format. Only ONNX is served in v1.'),
    task: z.enum(['classification', 'regression']).describe('What the model predicts.'),
    description: z.string().optional().describe('Shown in the registry.'),
    signature: z
      .object({
        inputs: z
          .array(featureSchema)
          .min(1)
          .describe(
            'Ordered input features. Registration checks the ONNX file against this: count, order and types must match.',
          ),
        input_mode: z
          .enum(['tensor', 'columns'])
          .default('tensor')
          .describe(
            '"tensor": one 2-D input whose columns are the features in order; "columns": one named ONNX input per feature.',
          ),
        outputs: z.array(modelOutputSchema).default([]).describe('Outputs the model produces.'),
      })
      .strict()
      .describe('The model signature: what goes in and what comes out.'),
    gates: modelGatesSchema.optional(),
  })
  .strict()
  .describe('A model that the registry manages.');

const scalar = z.union([z.string(), z.number(), z.boolean()]);

export const columnExpectationSchema = z
  .object({
    type: z.enum(['number', 'integer', 'string', 'boolean']).optional().describe('Every non-null value parses as this type.'),
    required: z.boolean().default(true).describe('The column must be present.'),
    max_null_fraction: z.number().min(0).max(1).optional().describe('At most this share of values may be empty (0 = none).'),
    min: z.number().optional().describe('Smallest allowed numeric value.'),
    max: z.number().optional().describe('Largest allowed numeric value.'),
    allowed: z.array(scalar).min(1).optional().describe('The only values allowed (compared as text).'),
    unique: z.boolean().optional().describe('No value appears twice.'),
    regex: z.string().optional().describe('Every non-null value matches this regular expression (whole value).'),
  })
  .strict()
  .describe('Expectations on one column.');

export const expectationsSchema = z
  .object({
    columns: z.record(z.string().min(1), columnExpectationSchema).default({}).describe('Per-column expectations, by column name.'),
    row_count: z
      .object({ min: z.number().int().nonnegative().optional(), max: z.number().int().nonnegative().optional() })
      .strict()
      .optional()
      .describe('Bounds on the number of data rows.'),
    distribution: z
      .object({
        reference: z.string().min(1).describe('Dataset version to compare with, "train@3" or "train" (its latest version).'),
        columns: z.array(z.string()).optional().describe('Columns to compare (default: every numeric column of the reference).'),
      })
      .strict()
      .optional()
      .describe('No drift against a reference version, by the drift engine and `monitoring.drift` settings.'),
  })
  .strict()
  .describe('What a `validate` stage checks about this dataset (named after Great Expectations\' most used ones).');

export const datasetConfigSchema = z
  .object({
    paths: z
      .array(projectPathSchema)
      .min(1)
      .describe(
        'Files, folders or globs, relative to the project root, that make up the dataset. A folder takes every file below it. Globs: `*` and `?` stay within one folder, `**` as a whole segment crosses folders, `{a,b}` and `{1..3}` expand, `[abc]` / `[!abc]` match one character, dotfiles match only when the pattern names the dot (`data/.*`), and `\\` escapes a glob character (`data/\\*.csv`). Use `/` between folders.',
      ),
    format: z.enum(['csv', 'parquet', 'json', 'binary']).default('csv').describe('File format of the data.'),
    reference: z
      .string()
      .optional()
      .describe('Dataset name or version ("train@3") used as the drift reference for this data.'),
    watch: z.boolean().default(true).describe('Snapshot automatically when the files change.'),
    expectations: expectationsSchema.optional(),
    description: z.string().optional().describe('What the dataset holds.'),
  })
  .strict()
  .describe('A versioned dataset: content-hashed snapshots of its files.');

export const TRIGGER_KINDS = ['manual', 'schedule', 'data_change', 'drift'] as const;
export const triggerSchema = z
  .object({
    kind: z.enum(TRIGGER_KINDS).describe('What starts the pipeline.'),
    cron: z.string().optional().describe('Cron expression, for kind "schedule" (e.g. "0 3 * * *").'),
    dataset: z.string().optional().describe('Dataset to watch, for kind "data_change".'),
    deployment: z.string().optional().describe('Deployment whose drift alerts start the pipeline, for kind "drift".'),
  })
  .strict();

export const STAGE_KINDS = ['command', 'validate', 'register', 'deploy'] as const;

/**
 * One pipeline stage. Deps are project files or globs, `data:<name>` for a dataset under `data`,
 * or absolute paths outside the project (hashed, never restored or written by the runner).
 * Cross-field rules (a command stage needs `cmd`, a validate stage a `dataset`, …) are checked by
 * `stageProblems` so the runner and the language server report them the same way.
 */
export const stageSchema = z
  .object({
    kind: z
      .enum(STAGE_KINDS)
      .default('command')
      .describe('"command" runs `cmd`; the built-ins "validate", "register" and "deploy" need no `cmd`.'),
    cmd: z.string().min(1).optional().describe('Command to run from the project root, through the shell. `${key}` is replaced by a matrix value.'),
    deps: z
      .array(z.string().min(1))
      .default([])
      .describe('What the stage reads: files, folders, globs, "data:<dataset>", or other stages\' outs. A change re-runs it.'),
    outs: z.array(z.string().min(1)).default([]).describe('Files or folders the stage writes: checked after it runs, cached by content.'),
    params: z
      .array(z.string().min(1))
      .default([])
      .describe('Dotted keys under `params` that the stage reads (e.g. "train.learning_rate"). A change re-runs it.'),
    metrics: z.array(z.string().min(1)).default([]).describe('JSON metric files the stage writes: outs that are also recorded as run metrics.'),
    after: z.array(z.string()).default([]).describe('Stages that must finish first, besides those implied by deps.'),
    matrix: z
      .record(z.string().min(1), z.array(z.union([z.string(), z.number(), z.boolean()])).min(1))
      .optional()
      .describe('Sweep: dotted param keys to lists of values; every combination is its own stage instance, run and cache entry.'),
    dataset: z.string().optional().describe('validate: the dataset under `data` to check against its `expectations`.'),
    model: z.string().optional().describe('register: the model under `models` to register a version of.'),
    artifact: z.string().optional().describe('register: the out (an ONNX file) to register.'),
    deployment: z.string().optional().describe('deploy: the deployment under `deployments` to point at the version the register stage created (it needs `after: [<register stage>]`).'),
    description: z.string().optional().describe('What the stage does, for people reading the config.'),
  })
  .strict()
  .describe('One pipeline stage.');

export const pipelineSchema = z
  .object({
    stages: z.record(nameSchema, stageSchema).describe('Stages by name.'),
    triggers: z.array(triggerSchema).default([]).describe('When the pipeline re-runs by itself.'),
  })
  .strict()
  .describe('The pipeline: data validation → features → training → evaluation → registration → deployment, run by `mlops run` (docs/PIPELINES.md).');

/** A duration: a whole number and a unit (s, m, h, d), e.g. "10s", "15m", "7d". */
export const DURATION_PATTERN = /^([1-9][0-9]{0,6})(s|m|h|d)$/;
export const durationSchema = z.string().regex(DURATION_PATTERN, 'expected a duration such as "30s", "15m", "24h" or "7d"');
const DURATION_UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;
/** Seconds of a duration that passed `durationSchema`. */
export function durationSeconds(d: string): number {
  const m = DURATION_PATTERN.exec(d);
  if (!m) throw new Error(`not a duration: "${d}"`);
  return Number(m[1]) * DURATION_UNIT_SECONDS[m[2] as keyof typeof DURATION_UNIT_SECONDS];
}

/** Alert kinds monitoring raises (per deployment); `on_alert` says what each does. */
export const ALERT_KINDS = ['latency', 'error_rate', 'drift', 'accuracy'] as const;

export const fallbackSchema = z
  .object({
    rules: z
      .array(z.string().min(1))
      .default([])
      .describe('Rules tried in order, each `condition -> answer` over the features, e.g. `support_calls > 5 and contract_type == 0 -> 1`; checked against the signature.'),
    default: z.union([z.number(), z.string(), z.boolean()]).describe('The answer when no rule holds.'),
    output: z.string().min(1).optional().describe("Output name the answer is given as; default the model's first output."),
  })
  .strict()
  .describe('Answers given while the circuit breaker is open or the deployment is disabled, marked `"fallback": true`.');

export const breakerSchema = z
  .object({
    window: z.number().int().min(5).max(100_000).default(50).describe('Recent requests over which the error rate and p95 latency are judged.'),
    min_requests: z.number().int().min(1).default(10).describe('Requests in the window before error rate or latency can open the breaker.'),
    cooldown_s: z.number().min(0.1).max(3600).default(5).describe('Seconds the breaker stays open before one request probes the model (half-open).'),
  })
  .strict()
  .describe('Circuit breaker: opens when the model fails to load, throws, or breaches `monitoring` error_rate.max or latency.p95_ms over the window.');

/** Request limits of a deployment; past them the serving process answers 413 naming the limit. */
export const SERVING_LIMIT_DEFAULTS = { max_body_bytes: 8 * 1024 * 1024, max_instances: 10_000 } as const;

export const deploymentSchema = z
  .object({
    model: nameSchema.describe('Name of a model under `models` (and in the registry).'),
    stage: z
      .enum(['Staging', 'Production'])
      .optional()
      .describe('Follow the version in this registry stage (default Production when neither alias nor version is given).'),
    alias: z.string().min(1).optional().describe('Follow the version that carries this alias instead of a stage.'),
    version: z.number().int().positive().optional().describe('Serve this fixed version; it never switches by itself.'),
    port: z.number().int().min(0).max(65535).default(0).describe('Loopback port; 0 picks a free one.'),
    threads: z
      .number()
      .int()
      .min(1)
      .max(64)
      .default(1)
      .describe('onnxruntime intra-op threads of the serving process.'),
    max_batch: z
      .number()
      .int()
      .min(1)
      .max(4096)
      .default(1)
      .describe('Micro-batching: up to this many instances of concurrent requests run as one batch; 1 = off.'),
    max_delay_ms: z
      .number()
      .min(0)
      .max(1000)
      .default(2)
      .describe('Micro-batching: how long a request may wait for others to join its batch.'),
    max_body_bytes: z
      .number()
      .int()
      .min(1024)
      .max(256 * 1024 * 1024)
      .default(SERVING_LIMIT_DEFAULTS.max_body_bytes)
      .describe('Largest request body accepted; larger ones get 413.'),
    max_instances: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .default(SERVING_LIMIT_DEFAULTS.max_instances)
      .describe('Most instances in one request; more get 413.'),
    enabled: z
      .boolean()
      .default(true)
      .describe('Feature flag: false keeps the deployment running but answers from `fallback` (or 503 without rules), with no rollback. `mlops deployments disable|enable` sets it.'),
    auth: z
      .enum(['none', 'token'])
      .default('none')
      .describe('"token": prediction routes require `Authorization: Bearer <serving token>` (see `mlops deployments show --json`).'),
    shadow: z
      .union([z.number().int().positive(), z.string().min(1)])
      .optional()
      .describe('A version that gets a copy of every request after the answer is sent, compared but never served: a stage (Staging, Production), an alias or a version number. See `mlops shadow report`.'),
    fallback: fallbackSchema.optional(),
    breaker: breakerSchema.default(() => breakerSchema.parse({})),
    on_alert: z
      .partialRecord(z.enum(ALERT_KINDS), z.enum(['rollback', 'notify']))
      .default({})
      .describe('What an alert of each kind does: "rollback" rolls Production back by itself (once per version, within `rollback_within` of its promotion); "notify" only tells.'),
    rollback_within: durationSchema
      .default('24h')
      .describe('How long after a promotion an alert may roll the version back by itself, e.g. "30m", "24h", "7d".'),
    monitoring: z.lazy(() => monitoringOverrideSchema).optional(),
  })
  .strict()
  .superRefine((d, ctx) => {
    const given = (['stage', 'alias', 'version'] as const).filter((k) => d[k] !== undefined);
    if (given.length > 1) {
      ctx.addIssue({
        code: 'custom',
        path: [given[1] as string],
        message: `a deployment follows one of stage, alias or version; ${given.join(' and ')} are both set`,
      });
    }
  })
  .describe('A model served on loopback HTTP, following a registry stage, an alias or a fixed version.');

export const DRIFT_TESTS = ['auto', 'ks', 'chi2', 'psi', 'wasserstein', 'jensenshannon'] as const;
export const driftConfigSchema = z
  .object({
    test: z.enum(DRIFT_TESTS).default('auto').describe('Test for every feature; "auto" chooses by type and size.'),
    features: z
      .record(z.string(), z.enum(DRIFT_TESTS))
      .default({})
      .describe('Per-feature test overrides, by feature name.'),
    threshold: z
      .number()
      .positive()
      .default(0.05)
      .describe('p-value below which (or distance above which) a feature counts as drifted.'),
    share: z
      .number()
      .min(0)
      .max(1)
      .default(0.5)
      .describe('Share of drifted features at which the dataset as a whole counts as drifted.'),
    auto: z
      .object({
        max_distinct: z
          .number()
          .int()
          .nonnegative()
          .default(5)
          .describe('auto: numeric features with at most this many distinct reference values get chi-square; 0 = off.'),
        distance_above: z
          .number()
          .int()
          .positive()
          .nullable()
          .default(null)
          .describe('auto: above this many reference values use Wasserstein / Jensen–Shannon; null = never (KS stays).'),
      })
      .strict()
      .optional()
      .describe('The size rule of the "auto" test choice.'),
    correction: z
      .enum(['none', 'bonferroni', 'benjamini-hochberg'])
      .default('none')
      .describe('Multiple-testing correction of the per-feature p-values.'),
  })
  .strict()
  .describe('How data drift is measured.');

export const monitoringSchema = z
  .object({
    reference: z
      .string()
      .min(1)
      .optional()
      .describe('Dataset the live inputs are compared with for drift: a name under `data` (its latest version) or "name@version".'),
    drift: driftConfigSchema.default(() => driftConfigSchema.parse({})),
    latency: z
      .object({ p95_ms: z.number().positive().default(500).describe('Alert when p95 latency exceeds this.') })
      .strict()
      .default({ p95_ms: 500 }),
    error_rate: z
      .object({ max: z.number().min(0).max(1).default(0.01).describe('Alert when the error share exceeds this.') })
      .strict()
      .default({ max: 0.01 }),
    accuracy: z
      .object({
        min: z.number().min(0).max(1).optional().describe('Classification: alert when accuracy on labelled feedback falls below this.'),
        mae_max: z.number().nonnegative().optional().describe('Regression: alert when the mean absolute error on labelled feedback exceeds this.'),
        min_labels: z.number().int().positive().default(20).describe('Labelled predictions a window needs before its accuracy is judged.'),
      })
      .strict()
      .optional()
      .describe('Accuracy floor from feedback (`POST /feedback`, `mlops feedback`).'),
    window: z
      .union([z.number().int().positive(), durationSchema])
      .default(1000)
      .describe('A monitoring window: a count of predictions (e.g. 1000) or a duration (e.g. "5m"). Drift, accuracy and alerts are judged per window.'),
    slice: durationSchema
      .default('10s')
      .describe('Time slice of the stored latency histograms, status counts and throughput (the dashboards\' resolution).'),
    horizon: durationSchema.default('7d').describe('How long slices, predictions and window results are kept.'),
    max_predictions: z
      .number()
      .int()
      .min(100)
      .max(10_000_000)
      .default(100_000)
      .describe('Most predictions kept per deployment (request id, outputs, latency); older ones are pruned first.'),
    store_inputs: z
      .union([z.literal('sampled'), z.literal(false), z.array(z.string().min(1))])
      .default('sampled')
      .describe('Inputs kept for drift and `mlops predictions show`: "sampled" (a bounded sample per window), false (none), or a list of features to leave out.'),
    sample_size: z.number().int().min(10).max(100_000).default(2000).describe('Inputs sampled per window (a reservoir) for drift.'),
    evaluate_every: durationSchema.default('30s').describe('Alerts are also evaluated on this timer, so feedback that arrives after traffic stops still counts.'),
    notify: z
      .object({
        webhook: z
          .url({ protocol: /^https?$/ })
          .optional()
          .describe('URL that receives the alert JSON (POST) when an alert opens or resolves; retried with backoff.'),
      })
      .strict()
      .optional()
      .describe('Where alerts are sent besides the editor.'),
  })
  .strict()
  .describe('Monitoring of served models: live drift against a reference, latency, errors, accuracy from feedback, alerts. Per deployment overrides under `deployments.<name>.monitoring`.');

/** The same keys as `monitoring`, all optional and without defaults: a deployment's overrides. */
export const monitoringOverrideSchema = withoutDefaults(monitoringSchema).describe(
  'Overrides of the global `monitoring` section for this deployment (same keys; nested sections merge key by key).',
);

export const MLOPS_YAML_VERSION = 1;

export const mlopsConfigSchema = z
  .object({
    version: z.literal(1).default(1).describe('Version of the mlops.yaml format.'),
    project: z
      .object({
        name: nameSchema.describe('Project name, shown in the editor and CLI.'),
        description: z.string().optional().describe('What the project is about.'),
      })
      .strict()
      .describe('The project.'),
    python: z
      .object({
        interpreter: z
          .string()
          .default('python3')
          .describe('Python interpreter that runs stages; default python3 on PATH. MLOPS_PYTHON overrides it.'),
      })
      .strict()
      .default({ interpreter: 'python3' })
      .describe('Python used by stages and by `mlops exec` environment capture.'),
    params: z
      .record(z.string(), z.unknown())
      .default({})
      .describe('Free nested parameters read by code through `mlops.params()`.'),
    data: z.record(nameSchema, datasetConfigSchema).default({}).describe('Datasets by name.'),
    models: z.record(nameSchema, modelConfigSchema).default({}).describe('Models by name.'),
    pipeline: pipelineSchema.optional(),
    deployments: z.record(nameSchema, deploymentSchema).default({}).describe('Deployments by name.'),
    monitoring: monitoringSchema.optional(),
    retention: z
      .object({
        keep_versions: z
          .number()
          .int()
          .min(1)
          .default(10)
          .describe('Versions kept per model; older ones not in a stage, alias or deployment are removed.'),
      })
      .strict()
      .default({ keep_versions: 10 })
      .describe('How many model versions are kept.'),
  })
  .strict()
  .describe('MLOps Workbench project configuration (mlops.yaml).');

export type MlopsConfig = z.infer<typeof mlopsConfigSchema>;
export type MonitoringConfig = z.infer<typeof monitoringSchema>;
/** What `monitoringOverrideSchema` parses to: the keys of `monitoring`, each optional, nested sections too. */
export type MonitoringOverride = { [K in keyof MonitoringConfig]?: MonitoringConfig[K] extends object ? (MonitoringConfig[K] extends unknown[] ? MonitoringConfig[K] : Partial<MonitoringConfig[K]>) : MonitoringConfig[K] };
export type MlopsConfigInput = z.input<typeof mlopsConfigSchema>;
export type ModelConfig = z.infer<typeof modelConfigSchema>;
export type DatasetConfig = z.infer<typeof datasetConfigSchema>;
export type StageConfig = z.infer<typeof stageSchema>;
export type Expectations = z.infer<typeof expectationsSchema>;
export type DriftConfig = z.infer<typeof driftConfigSchema>;
export type DeploymentConfig = z.infer<typeof deploymentSchema>;
export type ModelGates = z.infer<typeof modelGatesSchema>;
export type HoldoutMetric = (typeof HOLDOUT_METRICS)[number];

/** The generated JSON Schema; `npm run build` writes it to schemas/mlops.schema.json. */
export function mlopsJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(mlopsConfigSchema, { io: 'input', unrepresentable: 'any' });
  return { ...schema, $id: 'https://mlops-workbench.dev/schemas/mlops.schema.json', title: 'mlops.yaml' };
}

/**
 * An object schema with every key optional and no defaults (recursively for nested objects), so a
 * parsed override holds only what the user wrote and can be merged over the global section.
 */
function withoutDefaults<T extends z.ZodRawShape>(schema: z.ZodObject<T>): z.ZodObject<Record<keyof T, z.ZodOptional<z.ZodType>>> {
  const shape: Record<string, z.ZodOptional<z.ZodType>> = {};
  for (const [key, field] of Object.entries(schema.shape)) {
    let inner = field as z.ZodType;
    const description = inner.description;
    while (inner instanceof z.ZodDefault || inner instanceof z.ZodOptional) inner = inner.unwrap() as z.ZodType;
    if (inner instanceof z.ZodObject) inner = withoutDefaults(inner as z.ZodObject<z.ZodRawShape>);
    shape[key] = (description ? inner.describe(description) : inner).optional();
  }
  return z.object(shape).strict() as z.ZodObject<Record<keyof T, z.ZodOptional<z.ZodType>>>;
}
