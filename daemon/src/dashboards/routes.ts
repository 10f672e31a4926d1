/** Handlers of the dashboards' endpoints (declared in schemas/src/endpoints/dashboards.ts). */
import { datasetDrift } from '../../../schemas/src/endpoints/dashboards';
import { serve, type Route } from '../http/router';
import { type DatasetDrift } from './dataset-drift';

export function dashboardRoutes(drift: DatasetDrift): Route[] {
  return [serve(datasetDrift, ({ params, query }) => ({ dashboard: drift.dashboard(params.name, query) }))];
}
