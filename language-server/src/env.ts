/** The environment analysers get from the server: file checks, the project file, rule settings. */
import { statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AnalysisEnv } from './core';
import { type ConfigLocator } from './config-locator';
import { type PythonRuleConfig } from './python';

/** Host state every analysis run reads: rule settings and where `mlops.yaml` files are. */
export interface ServerState {
  rules: PythonRuleConfig;
  locator: ConfigLocator;
}

/** Dependency paths resolve against the folder holding the document; stats are cached per run. */
export function envFor(uri: string, state?: ServerState): AnalysisEnv {
  const python: AnalysisEnv = state ? { pythonRules: state.rules, locateConfig: (u) => state.locator.locate(u) } : {};
  let root: string;
  try {
    if (!uri.startsWith('file:')) return python;
    root = dirname(fileURLToPath(uri));
  } catch {
    return python;
  }
  const seen = new Map<string, boolean>();
  return {
    ...python,
    fileExists: (rel) => {
      let hit = seen.get(rel);
      if (hit === undefined) {
        try {
          statSync(isAbsolute(rel) ? rel : resolve(root, rel));
          hit = true;
        } catch {
          hit = false;
        }
        seen.set(rel, hit);
      }
      return hit;
    },
  };
}

