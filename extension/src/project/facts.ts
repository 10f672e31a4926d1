/**
 * What views show from mlops.yaml, read through the project's one config loader and kept current
 * by the workbench when the file changes. No `vscode` import.
 */
import { type MlopsConfig } from '../../../schemas/src/mlops-yaml';

export interface ProjectFacts {
  /** Metrics a model's rows prefer to show: the one the promotion gate compares first. */
  preferredMetrics(model: string): string[];
}

export function projectFacts(cfg: MlopsConfig | undefined): ProjectFacts {
  return {
    preferredMetrics: (model) => {
      const gate = cfg?.models[model]?.gates?.holdout?.metric;
      return gate ? [gate] : [];
    },
  };
}
