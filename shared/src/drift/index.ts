/**
 * Drift statistics: the programmatic API the CLI and the monitoring feature share.
 * prepareReference(columns) → ReferenceProfile (cache it per dataset version; serializeProfile for
 * disk), then compareWindow(profile, columns, options) → DriftReport for each window.
 */
export { readCsv, CsvError, type Column, type NumericColumn, type CategoricalColumn, type CsvTable } from './csv';
export {
  prepareReference,
  serializeProfile,
  deserializeProfile,
  ReferenceCache,
  type ReferenceProfile,
  type FeatureProfile,
} from './reference';
export {
  compareWindow,
  adjustPValues,
  resolveTest,
  profileValueCount,
  columnValueCount,
  DriftInputError,
  DEFAULT_THRESHOLDS,
  type DriftOptions,
  type DriftTestChoice,
} from './engine';
export { chooseTest, autoChoice, DEFAULT_AUTO_RULE, type AutoRule, type FeatureFacts, type TestChoice } from './choice';
export { ks2sampSorted, sortedCopy, KS_MAX_EXACT_N, type KsResult, type KsAlternative, type KsMethod } from './ks';
export { kolmognSf, smirnovSf } from './kolmogorov';
export { chi2Sf, gammaQ } from './special';
export { chi2Homogeneity, jensenShannon, psi, psiEdges, wasserstein, quantileSorted } from './distances';
export { numericColumn, categoricalColumn } from './columns';
