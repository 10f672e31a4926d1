/** Placeholder replaced below. */
import { type MlopsConfig } from '../../../schemas/src/mlops-yaml';
import { type DaemonClient } from '../client/client';
export interface ValidateOptions { root: string; config: MlopsConfig; dataset: string; logFile: string; client?: DaemonClient }
export function validateDataset(o: ValidateOptions): Promise<string> {
  return Promise.resolve(o.dataset);
}
