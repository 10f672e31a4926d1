/**
 * Exporting fitted scikit-learn estimators to ONNX without skl2onnx: the Python module (`mlops.log_model`) sends
 * the fitted parameters as JSON, the daemon's ONNX writer builds the graph and registers it as a model version.
 * The endpoint is declared in endpoints/export.ts.
 *
 * Arrays are the estimator's own attributes, unchanged: `coef_`, `intercept_`, `classes_`, `mean_`, `scale_`, and
 * per tree `tree_.feature/threshold/children_left/children_right/value` (value as [node][output-or-class]).
 */
import * as z from 'zod';
import { metricsMapSchema, tagsSchema } from './api';

/** Largest body the sklearn export route reads: a forest of a few hundred deep trees fits. */
export const MAX_SKLEARN_BODY_BYTES = 256 * 1024 * 1024;

const num = z.number();
const classLabel = z.union([z.number().int(), z.string().min(1)]);

export const sklearnTreeSchema = z
  .object({
    feature: z.array(z.number().int()),
    threshold: z.array(num),
    children_left: z.array(z.number().int()),
    children_right: z.array(z.number().int()),
    value: z.array(z.array(num)).describe('tree_.value[:, 0, :] for classifiers (class counts or fractions), tree_.value[:, :, 0] for regressors'),
  })
  .strict();

const scalerSchema = z
  .object({ kind: z.literal('standard_scaler'), mean: z.array(num).nullable(), scale: z.array(num).nullable() })
  .strict()
  .describe('StandardScaler: mean_/scale_, null when with_mean/with_std is off');

const linearRegressionSchema = z
  .object({ kind: z.literal('linear_regression'), coef: z.array(num), intercept: num })
  .strict()
  .describe('LinearRegression, Ridge, Lasso, ElasticNet (one target)');

const logisticSchema = z
  .object({
    kind: z.literal('logistic_regression'),
    coef: z.array(z.array(num)).min(1).describe('coef_: one row for two classes, one per class otherwise'),
    intercept: z.array(num).min(1),
    classes: z.array(classLabel).min(2),
    multi_class: z.enum(['multinomial', 'ovr']).describe('How predict_proba turns scores into probabilities'),
  })
  .strict();

const treeClassifierSchema = z
  .object({ kind: z.literal('tree_ensemble_classifier'), trees: z.array(sklearnTreeSchema).min(1), classes: z.array(classLabel).min(2) })
  .strict()
  .describe('DecisionTreeClassifier (one tree), RandomForestClassifier, ExtraTreesClassifier: leaf class distributions averaged');

const treeRegressorSchema = z
  .object({ kind: z.literal('tree_ensemble_regressor'), trees: z.array(sklearnTreeSchema).min(1) })
  .strict()
  .describe('DecisionTreeRegressor, RandomForestRegressor, ExtraTreesRegressor: leaf values averaged');

const gbClassifierSchema = z
  .object({
    kind: z.literal('gradient_boosting_classifier'),
    learning_rate: num,
    init: z.array(num).min(1).describe('Raw score before the first stage: one value (two classes) or one per class'),
    stages: z.array(z.array(sklearnTreeSchema).min(1)).min(1).describe('estimators_: stages × (1 or one per class)'),
    classes: z.array(classLabel).min(2),
  })
  .strict();

const gbRegressorSchema = z
  .object({
    kind: z.literal('gradient_boosting_regressor'),
    learning_rate: num,
    init: num,
    stages: z.array(sklearnTreeSchema).min(1),
  })
  .strict();

export const sklearnPredictorSchema = z.discriminatedUnion('kind', [
  linearRegressionSchema,
  logisticSchema,
  treeClassifierSchema,
  treeRegressorSchema,
  gbClassifierSchema,
  gbRegressorSchema,
]);
export type SklearnPredictor = z.infer<typeof sklearnPredictorSchema>;
export type SklearnTree = z.infer<typeof sklearnTreeSchema>;
export type SklearnScaler = z.infer<typeof scalerSchema>;

export const sklearnEstimatorSchema = z
  .object({
    steps: z.array(scalerSchema).max(8).default([]).describe('Pipeline steps before the predictor, in order'),
    predictor: sklearnPredictorSchema,
  })
  .strict();
export type SklearnEstimator = z.infer<typeof sklearnEstimatorSchema>;

export const exportSklearnRequest = z
  .object({
    estimator: sklearnEstimatorSchema,
    feature_names: z.array(z.string().min(1)).min(1).describe('Column names in the order the estimator was fitted on'),
    estimator_class: z.string().max(200).default('').describe('e.g. "sklearn.pipeline.Pipeline(StandardScaler, LogisticRegression)"'),
    sklearn_version: z.string().max(50).default(''),
    description: z.string().max(10000).default(''),
    tags: tagsSchema.default({}),
    metrics: metricsMapSchema.default({}),
    run_id: z.string().max(64).optional().describe('Source run; its dataset versions become the lineage'),
  })
  .strict();
export type ExportSklearnRequest = z.infer<typeof exportSklearnRequest>;
