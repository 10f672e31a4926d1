/**
 * Messages between the extension host and its webviews. Both sides `safeParse` everything they
 * receive with these schemas: a webview is a separate, less trusted context, and a message that
 * does not match is logged and dropped, never acted on.
 *
 * Protocol: the webview posts `ready` once its script runs; only then does the host post `init`
 * (so nothing is lost while the page loads). `update` replaces the data later. The webview keeps
 * its data in `vscode.setState` so a restored panel can render before the host answers.
 * Written with `zod/mini` (functional API): the webview bundles this file, and the classic API costs
 * ~150 KB more there.
 */
// zod/mini: the same validation with a tree-shakable API, so the webview bundles stay small.
import * as z from 'zod/mini';
import { driftDashboardSchema, latencyDashboardSchema, latencyPatchSchema, windowChoiceSchema } from './dashboards';

export const WEBVIEW_KINDS = ['comparison', 'drift', 'latency', 'pipeline'] as const;
/**
 * One script serves every panel (webviews/src/panels/main.ts picks the page from `data-kind` on
 * <main>), so chart.js and the controls are bundled once: the extension's bundle budget is 1 MB.
 */
export const WEBVIEW_BUNDLE = 'panels.js';
export const webviewKindEnum = z.enum(WEBVIEW_KINDS);
export type WebviewKind = z.infer<typeof webviewKindEnum>;

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const nonEmpty = z.string().check(z.minLength(1));

/** One compared item: a run, or a model version standing in for one. */
export const comparedItemSchema = z.object({
  id: nonEmpty,
  label: z.string(),
  detail: z._default(z.string(), ''),
  /** A run id the host can reveal when the user clicks the column header. */
  run_id: z._default(z.nullable(z.string()), null),
});
export type ComparedItem = z.infer<typeof comparedItemSchema>;

/** One metric curve of one item: parallel arrays of steps and values (null = NaN / missing). */
export const seriesSchema = z.object({
  item: z.string(),
  key: z.string(),
  steps: z.array(z.number()),
  values: z.array(z.nullable(z.number())),
});
export type Series = z.infer<typeof seriesSchema>;

/** Whether a higher or a lower value of a metric is better. */
export const metricDirectionSchema = z.enum(['higher', 'lower']);
export type MetricDirection = z.infer<typeof metricDirectionSchema>;

/** A metric's final value per item, its delta against the first item, and which items are best. */
export const metricRowSchema = z.object({
  key: z.string(),
  values: z.array(z.nullable(z.number())),
  deltas: z._default(z.array(z.nullable(z.number())), []),
  /** null when the metric's name does not say (and no setting does). */
  direction: z._default(z.nullable(metricDirectionSchema), null),
  /** Indexes of the best items: empty when the direction is unknown or all values tie. */
  best: z._default(z.array(z.int()), []),
});

export const comparisonDataSchema = z.object({
  title: z.string(),
  items: z.array(comparedItemSchema).check(z.minLength(1)),
  params: z.array(z.object({ key: z.string(), values: z.array(z.optional(scalar)), differs: z.boolean() })),
  metrics: z.array(metricRowSchema),
  series: z.array(seriesSchema),
});
export type ComparisonData = z.infer<typeof comparisonDataSchema>;

/** What to ask the host for again after a restart: run ids, or versions of one model. */
export const comparisonSourceSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('runs'), ids: z.array(nonEmpty).check(z.minLength(2)) }),
  z.object({
    type: z.literal('versions'),
    model: nonEmpty,
    versions: z.array(z.int().check(z.positive())).check(z.minLength(1)),
  }),
]);
export type ComparisonSource = z.infer<typeof comparisonSourceSchema>;

/** What a drift dashboard shows, to ask again after a reload: two dataset versions, or a deployment's window. */
export const driftSourceSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('dataset'), dataset: nonEmpty, version: z.optional(z.int().check(z.positive())), reference: z.optional(nonEmpty) }),
  z.object({ type: z.literal('deployment'), deployment: nonEmpty, window: windowChoiceSchema, feature: z.optional(nonEmpty) }),
]);
export type DriftSource = z.infer<typeof driftSourceSchema>;

export const latencySourceSchema = z.object({ deployment: nonEmpty, window: windowChoiceSchema });
export type LatencySource = z.infer<typeof latencySourceSchema>;
/** The pipeline DAG as the Pipelines webview draws it (states as in schemas/src/pipelines.ts). */
export const PIPELINE_NODE_STATES = ['cached', 'stale', 'running', 'failed'] as const;
export const pipelineNodeSchema = z.object({
  id: nonEmpty,
  kind: z.string(),
  state: z.enum(PIPELINE_NODE_STATES),
  reason: z.string(),
  needs: z.array(nonEmpty),
  has_log: z.boolean(),
});
export type PipelineNode = z.infer<typeof pipelineNodeSchema>;
export const pipelineGraphSchema = z.object({ nodes: z.array(pipelineNodeSchema), problems: z.array(z.string()), running: z.boolean() });
export type PipelineGraph = z.infer<typeof pipelineGraphSchema>;

// ---------- host → webview ----------

const full = <T extends 'init' | 'update'>(type: T) =>
  z.discriminatedUnion('kind', [
    z.object({ type: z.literal(type), kind: z.literal('comparison'), data: comparisonDataSchema, source: comparisonSourceSchema }),
    z.object({ type: z.literal(type), kind: z.literal('drift'), data: driftDashboardSchema, source: driftSourceSchema }),
    z.object({ type: z.literal(type), kind: z.literal('latency'), data: latencyDashboardSchema, source: latencySourceSchema }),
  ]);

/**
 * `init` answers `ready` with everything; `update` replaces it (a new source or a reload of data).
 * `patch` (host → latency webview only) appends the steps that arrived since and carries the shadow
 * agreement when it changed: live traffic never re-sends or re-renders the whole dashboard.
 */
export const hostMessageSchema = z.discriminatedUnion('type', [
  full('init'),
  full('update'),
  z.object({ type: z.literal('patch'), kind: z.literal('latency'), patch: latencyPatchSchema }),
  z.object({ type: z.literal('error'), message: z.string() }),
  z.object({ type: z.literal('pipeline'), kind: z.literal('pipeline'), graph: pipelineGraphSchema }),
]);
export type HostMessage = z.infer<typeof hostMessageSchema>;

// ---------- webview → host ----------

export const webviewMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), kind: webviewKindEnum }),
  /** Sent after each render, so the host (and the e2e suite through the log) knows what is shown. */
  z.object({
    type: z.literal('rendered'),
    charts: z.int().check(z.nonnegative()),
    rows: z.int().check(z.nonnegative()),
  }),
  z.object({ type: z.literal('revealRun'), run_id: nonEmpty }),
  /** Drift dashboard: show another reference version, window or feature (the host loads it and answers `update`). */
  z.object({ type: z.literal('driftSource'), source: driftSourceSchema }),
  /** Latency dashboard: another window. */
  z.object({ type: z.literal('latencySource'), source: latencySourceSchema }),
  /** "Export CSV" / "Save PNG": the host asks where to save (a webview cannot write files). */
  z.object({
    type: z.literal('export'),
    format: z.enum(['csv', 'png']),
    filename: z.string().check(z.regex(/^[\w.-]{1,120}\.(csv|png)$/)),
    /** CSV text, or a `data:image/png;base64,` URL of the canvas. */
    content: z.string().check(z.maxLength(20_000_000)),
  }),
  /** Pipelines webview: the stage clicked, whose log the host opens. */
  z.object({ type: z.literal('openLog'), stage: nonEmpty }),
  /** Pipelines webview: after each render, the stages drawn and the edges between them. */
  z.object({ type: z.literal('pipelineRendered'), stages: z.int().check(z.nonnegative()), edges: z.int().check(z.nonnegative()) }),
  z.object({ type: z.literal('log'), level: z.enum(['info', 'warn', 'error']), message: z.string().check(z.maxLength(4000)) }),
]);
export type WebviewMessage = z.infer<typeof webviewMessageSchema>;

/** What a webview persists with `setState`; also what `WebviewPanelSerializer` gets back after a restart. */
export const webviewStateSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('comparison'), source: comparisonSourceSchema, data: z.optional(comparisonDataSchema) }),
  z.object({
    kind: z.literal('drift'),
    source: driftSourceSchema,
    data: z.optional(driftDashboardSchema),
    /** Table sort and filter and the selected feature, restored with the panel. */
    view: z.optional(z.object({ sort: z.string(), descending: z.boolean(), filter: z.string(), selected: z.nullable(z.string()) })),
  }),
  z.object({ kind: z.literal('latency'), source: latencySourceSchema, data: z.optional(latencyDashboardSchema) }),
]);
export type WebviewState = z.infer<typeof webviewStateSchema>;

/** Zod issues as one line, naming the field path: for logs on either side. */
export function describeIssues(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  return error.issues.map((i) => `${i.path.length ? i.path.map(String).join('.') : '(message)'}: ${i.message}`).join('; ');
}
