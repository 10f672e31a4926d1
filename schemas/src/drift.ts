/**
 * The drift report: the `mlops drift --json` contract and the value the drift engine returns to the
 * monitoring feature. One object per feature plus the dataset-level verdict. Field names are
 * snake_case; numbers that do not apply to a test are null, never absent.
 */
import * as z from 'zod';
import { DRIFT_TESTS } from './mlops-yaml';

/** The concrete tests ("auto" resolves to one of these per feature). */
export const DRIFT_TEST_KINDS = ['ks', 'chi2', 'psi', 'wasserstein', 'jensenshannon'] as const;
export const driftTestKindSchema = z.enum(DRIFT_TEST_KINDS);
export type DriftTestKind = z.infer<typeof driftTestKindSchema>;

export const driftTestSchema = z.enum(DRIFT_TESTS);
export const DRIFT_CORRECTIONS = ['none', 'bonferroni', 'benjamini-hochberg'] as const;
export const driftCorrectionSchema = z.enum(DRIFT_CORRECTIONS);
export type DriftCorrection = z.infer<typeof driftCorrectionSchema>;

/**
 * Why a feature has no test result: `empty` — no valid value left in one sample (an empty sample;
 * a column with no value at all takes the other sample's type); `single_category`
 * — a categorical feature with fewer than two categories in the two samples together.
 */
export const DRIFT_STATUSES = ['ok', 'empty', 'single_category'] as const;

const droppedSchema = z
  .object({
    missing: z.number().int().nonnegative().describe('Empty cells.'),
    nan: z.number().int().nonnegative().describe('NaN values (numeric features).'),
    infinite: z.number().int().nonnegative().describe('+inf or -inf values (numeric features).'),
  })
  .strict();

export const driftFeatureSchema = z
  .object({
    feature: z.string().describe('Column name.'),
    type: z.enum(['numeric', 'categorical']),
    test: driftTestKindSchema,
    reason: z
      .string()
      .describe(
        'Why this test ran: "auto: numeric with 4 distinct values (≤ 5)", "global test \"psi\"", "set for this feature", or a global test that did not fit and fell back to auto.',
      ),
    method: z
      .string()
      .nullable()
      .describe('How the p-value was computed: "exact" or "asymp" (ks), "yates" or "pearson" (chi2); null for distances.'),
    statistic: z.number().nullable().describe('Test statistic: D for ks, χ² for chi2, the distance for distance tests.'),
    p_value: z.number().min(0).max(1).nullable().describe('Uncorrected p-value; null for distance tests.'),
    p_value_adjusted: z
      .number()
      .min(0)
      .max(1)
      .nullable()
      .describe('p-value after the multiple-testing correction (equal to p_value when none).'),
    distance: z.number().nullable().describe('Raw distance (psi, wasserstein, jensenshannon); null for p-value tests.'),
    normalized: z
      .number()
      .nullable()
      .describe('Distance compared with the threshold: Wasserstein ÷ reference std; PSI and JS as they are.'),
    dof: z.number().int().nullable().describe('Degrees of freedom (chi2).'),
    threshold: z.number().describe('p-value below which, or normalised distance at or above which, the feature drifted.'),
    drifted: z.boolean(),
    status: z.enum(DRIFT_STATUSES),
    note: z.string().nullable().describe('Plain-language reason when status is not "ok".'),
    reference_count: z.number().int().nonnegative().describe('Values used from the reference.'),
    current_count: z.number().int().nonnegative().describe('Values used from the current sample.'),
    dropped: z.object({ reference: droppedSchema, current: droppedSchema }).strict(),
  })
  .strict();
export type DriftFeatureResult = z.infer<typeof driftFeatureSchema>;

export const driftReportSchema = z
  .object({
    reference: z.string().describe('Reference label (file path for the CLI).'),
    current: z.string().describe('Current label (file path for the CLI).'),
    reference_rows: z.number().int().nonnegative(),
    current_rows: z.number().int().nonnegative(),
    correction: driftCorrectionSchema,
    features: z.array(driftFeatureSchema),
    dataset: z
      .object({
        drifted: z.boolean().describe('True when share ≥ share_threshold (and at least one feature was tested).'),
        drifted_features: z.number().int().nonnegative(),
        tested_features: z.number().int().nonnegative().describe('Features with status "ok".'),
        share: z.number().min(0).max(1).describe('drifted_features ÷ tested_features (0 when none was tested).'),
        share_threshold: z.number().min(0).max(1),
      })
      .strict(),
  })
  .strict();
export type DriftReport = z.infer<typeof driftReportSchema>;
