/** Dashboards (issue 16): the drift dashboard of two dataset versions. Deployment dashboards read the monitoring endpoints. */
import * as z from 'zod';
import { driftDashboardSchema } from '../dashboards';
import { defineEndpoint } from '../endpoint';
import { datasetNameParam } from '../tracking';

export const datasetDriftQuery = z
  .object({
    version: z.coerce.number().int().positive().optional().describe('Current version (default: the latest)'),
    reference: z
      .string()
      .regex(/^[A-Za-z0-9][\w.-]{0,127}(@[1-9][0-9]{0,9})?$/, 'expected a dataset name or "name@version", e.g. "train@3"')
      .optional()
      .describe('Reference version (default: data.<name>.reference, else the version before the current one)'),
    bins: z.coerce.number().int().min(5).max(100).default(20).describe('Bins of the numeric histograms'),
  })
  .strict();

/** Drift report of a dataset version against a reference version, with distributions on shared bins: aggregates only. */
export const datasetDrift = defineEndpoint({
  method: 'GET',
  path: '/dashboards/drift/datasets/:name',
  params: datasetNameParam,
  query: datasetDriftQuery,
  response: z.object({ dashboard: driftDashboardSchema }),
  errors: ['not_found', 'invalid_config', 'object_missing', 'no_files'],
  timeoutMs: 120_000,
});
