/** Handlers of the monitoring endpoints (declared in schemas/src/endpoints/monitoring.ts). Thin: Monitoring does the work. */
import {
  ackAlert,
  getMonitor,
  getPrediction,
  listAlerts,
  monitoringDistribution,
  monitoringSeries,
  monitoringWindows,
  postFeedback,
  silenceDeployment,
} from '../../../schemas/src/endpoints/monitoring';
import { serve, type Route } from '../http/router';
import { type Monitoring } from './monitoring';

export function monitoringRoutes(m: Monitoring): Route[] {
  return [
    serve(listAlerts, ({ query }) => m.alerts.list(query)),
    serve(ackAlert, ({ params, body, actor }) => m.alerts.ack(params.id, actor, body.reason)),
    serve(silenceDeployment, ({ params, body, actor }) => m.alerts.silence(params.name, body.for, actor, body.reason)),
    serve(getMonitor, ({ params }) => m.monitor(params.name)),
    serve(getPrediction, ({ params, query }) => m.prediction(params.request_id, query.deployment)),
    serve(postFeedback, ({ params, body, actor }) => m.feedbackSynced(params.name, body, actor)),
    serve(monitoringSeries, ({ params, query }) => m.series(params.name, query)),
    serve(monitoringWindows, ({ params, query }) => m.windows(params.name, query)),
    serve(monitoringDistribution, ({ params, query }) => m.distribution(params.name, params.window, query.feature)),
  ];
}
