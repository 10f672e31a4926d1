/** Monitoring (issue 15): alerts, the current window, predictions, feedback, and the dashboards' queries over stored aggregates. */
import { defineEndpoint } from '../endpoint';
import {
  ackRequest,
  alertIdParam,
  alertSchema,
  alertsQuery,
  alertsResponse,
  distributionParams,
  distributionQuery,
  distributionResponse,
  feedbackRequest,
  feedbackResponse,
  monitorResponse,
  monitoringDeploymentParam,
  predictionParam,
  predictionQuery,
  predictionSchema,
  rangeQuery,
  seriesResponse,
  silenceRequest,
  silenceResponse,
  windowsResponse,
} from '../monitoring';

export const listAlerts = defineEndpoint({ method: 'GET', path: '/alerts', query: alertsQuery, response: alertsResponse });

export const ackAlert = defineEndpoint({
  method: 'POST',
  path: '/alerts/:id/ack',
  params: alertIdParam,
  body: ackRequest,
  response: alertSchema,
  errors: ['not_found'],
});

export const silenceDeployment = defineEndpoint({
  method: 'POST',
  path: '/deployments/:name/silence',
  params: monitoringDeploymentParam,
  body: silenceRequest,
  response: silenceResponse,
  errors: ['not_found'],
});

export const getMonitor = defineEndpoint({
  method: 'GET',
  path: '/deployments/:name/monitor',
  params: monitoringDeploymentParam,
  response: monitorResponse,
  errors: ['not_found', 'invalid_config'],
});

export const getPrediction = defineEndpoint({
  method: 'GET',
  path: '/predictions/:request_id',
  params: predictionParam,
  query: predictionQuery,
  response: predictionSchema,
  errors: ['not_found'],
});

export const postFeedback = defineEndpoint({
  method: 'POST',
  path: '/deployments/:name/feedback',
  params: monitoringDeploymentParam,
  body: feedbackRequest,
  response: feedbackResponse,
  errors: ['not_found'],
  maxBodyBytes: 16 * 1024 * 1024,
});

export const monitoringSeries = defineEndpoint({
  method: 'GET',
  path: '/deployments/:name/monitoring/series',
  params: monitoringDeploymentParam,
  query: rangeQuery,
  response: seriesResponse,
  errors: ['not_found'],
});

export const monitoringWindows = defineEndpoint({
  method: 'GET',
  path: '/deployments/:name/monitoring/windows',
  params: monitoringDeploymentParam,
  query: rangeQuery,
  response: windowsResponse,
  errors: ['not_found'],
});

export const monitoringDistribution = defineEndpoint({
  method: 'GET',
  path: '/deployments/:name/monitoring/windows/:window/distribution',
  params: distributionParams,
  query: distributionQuery,
  response: distributionResponse,
  errors: ['not_found'],
});
