/** The transport-free language core: analysers and their plain-data results. */
export * from './types';
export { MlopsYamlDocument, validateMlopsYaml, type AnalysisEnv } from './mlops-yaml';
export { analyserFor, analysers, isMlopsYamlUri, mlopsYamlAnalyser, pythonAnalyser, type Analyser, type DocumentSession, type DocumentInfo } from './analyser';
export { type CompletionEntry } from './complete';
export { type HoverResult, type SymbolEntry } from './outline';
export { LIMITS } from '../../../shared/src/yaml-guards';
