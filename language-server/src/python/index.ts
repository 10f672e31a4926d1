/** Python files and notebooks: hardcoded configuration, with a quick fix into mlops.yaml. */
export { initPython, pythonReady, maskIpython, IncrementalParser } from './parser';
export { PythonDocument, NotebookSession, MAX_PYTHON_CHARS, MAX_NOTEBOOK_JSON_CHARS } from './document';
export { PythonAnalysis, keyedFindings, isTestFile, type KeyedFinding } from './analysis';
export { parseRuleConfig, severityOf, type PythonRuleConfig, type PythonEnv, type RuleSetting } from './config';
export { PYTHON_RULES, type PythonRule, type Finding } from './rules';
export { cellsSource, ipynbSource, plainSource, isNotebookUri, type CellText, type MappedText } from './source';
export { moveFix, moveFixes, importOffset } from './fix';
export { canImportMlops, projectPython } from './importable';
export { editYaml, indexProject } from './project';
