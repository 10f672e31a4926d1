/**
 * Notebook → pipeline conversion (issue 18): the plan the converter proposes, the `mlops convert
 * --json` report, and the language server's custom request `mlops/convertNotebook`.
 *
 * Direction of `mlops/convertNotebook`: client (the VS Code extension) → server (the language
 * server). The client sends a notebook's file URI and options; with `dry_run` the server only
 * answers the proposed plan; without it the server also writes the stage scripts and merges the
 * stages into mlops.yaml, and answers what it wrote.
 */
import * as z from 'zod';

export const sectionBy = z.enum(['h1', 'h2', 'h3', 'tags']);
export type SectionBy = z.infer<typeof sectionBy>;

/** A place in the notebook: 1-based cell index (all cells counted, as Jupyter shows them) and line in the cell. */
export const cellPlace = z.object({ cell: z.number().int().positive(), line: z.number().int().positive() }).strict();
export type CellPlace = z.infer<typeof cellPlace>;

export const convertInput = z
  .object({
    name: z.string().describe('A value read by the stage'),
    from: z.string().describe('The stage whose output it is (the latest earlier section that assigns or mutates it)'),
  })
  .strict();

export const convertStage = z
  .object({
    name: z.string().describe('Stage name in pipeline.stages'),
    title: z.string().describe('The heading or tag the section came from'),
    cells: z.array(z.number().int().positive()).describe('1-based cells of the section'),
    script: z.string().describe('Project-relative path of the generated script'),
    inputs: z.array(convertInput),
    outputs: z.array(z.string()).describe('Values later stages read (assigned or mutated here)'),
    functions: z.array(z.string()).describe('Functions and classes copied in from earlier sections'),
    deps: z.array(z.string()),
    outs: z.array(z.string()),
    params: z.array(z.string()).describe('Dotted keys under params the script reads'),
  })
  .strict();
export type ConvertStage = z.infer<typeof convertStage>;

export const convertProblem = cellPlace.extend({ message: z.string() }).strict();
export type ConvertProblem = z.infer<typeof convertProblem>;

export const convertPlan = z
  .object({
    notebook: z.string().describe('Project-relative path of the notebook'),
    by: z.union([sectionBy, z.literal('none')]).describe('How sections were found (the level chosen when not given; none: one stage)'),
    out: z.string().describe('Project-relative folder of the scripts'),
    stages: z.array(convertStage),
    params: z.record(z.string(), z.union([z.number(), z.string()])).describe('Dotted key → lifted literal value'),
    notes: z.array(convertProblem).describe('Translations and reports: dropped magics, `!pip install`, single-stage fallback'),
    refusals: z.array(convertProblem).describe('Constructs that cannot be converted faithfully; nothing is written when any'),
    conflicts: z.array(z.string()).describe('Keys of mlops.yaml that already hold something else; those are not written'),
  })
  .strict();
export type ConvertPlan = z.infer<typeof convertPlan>;

export const verifyDifference = z
  .object({
    stage: z.string(),
    cell: z.number().int().positive().optional(),
    what: z.enum(['output', 'value', 'run']),
    message: z.string(),
  })
  .strict();

export const verifyReport = z
  .object({
    equal: z.boolean(),
    python: z.string().describe('The interpreter both ran with'),
    compared: z.object({ cells: z.number().int(), values: z.number().int() }).strict(),
    difference: verifyDifference.optional().describe('The first difference, when not equal'),
  })
  .strict();
export type VerifyReport = z.infer<typeof verifyReport>;

/** `mlops convert --json`. */
export const convertJson = z
  .object({
    plan: convertPlan,
    written: z.array(z.string()).describe('Files written or edited (empty with --dry-run or refusals)'),
    verify: verifyReport.optional(),
  })
  .strict();
export type ConvertJson = z.infer<typeof convertJson>;

/** `mlops/convertNotebook` request (client → server). */
export const convertNotebookParams = z
  .object({ uri: z.string(), by: sectionBy.optional(), out: z.string().optional(), dry_run: z.boolean() })
  .strict();
export type ConvertNotebookParams = z.infer<typeof convertNotebookParams>;

/** `mlops/convertNotebook` answer (server → client); `error` when the notebook could not be read. */
export const convertNotebookResult = z
  .object({ plan: convertPlan.optional(), written: z.array(z.string()), config: z.string().optional(), error: z.string().optional() })
  .strict();
export type ConvertNotebookResult = z.infer<typeof convertNotebookResult>;

export const CONVERT_NOTEBOOK_REQUEST = 'mlops/convertNotebook';

/** `POST /notebooks/conversions`: records a written conversion as the event `notebook.converted`. */
export const conversionRecord = z
  .object({
    notebook: z.string().min(1).max(1000).describe('Project-relative path of the notebook'),
    stages: z.array(z.string().max(200)).max(1000),
    written: z.array(z.string().max(1000)).max(10000),
    verified: z.boolean().optional().describe('Result of --verify, when it ran'),
  })
  .strict();
