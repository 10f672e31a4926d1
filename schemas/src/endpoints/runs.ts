/** Experiment tracking: experiments, runs, their params, tags, metrics and artifacts. */
import {
  artifactResponse,
  compareRunsQuery,
  compareRunsResponse,
  createRunRequest,
  listExperimentsResponse,
  listRunsQuery,
  listRunsResponse,
  logArtifactRequest,
  logParamsRequest,
  logTagsRequest,
  metricBatchRequest,
  metricRowsRequest,
  metricSeriesQuery,
  metricSeriesResponse,
  metricsWrittenResponse,
  okResponse,
  runDetailSchema,
  runIdParam,
  updateRunRequest,
} from '../tracking';
import { defineEndpoint } from '../endpoint';

export const listExperiments = defineEndpoint({ method: 'GET', path: '/experiments', response: listExperimentsResponse });

export const listRuns = defineEndpoint({ method: 'GET', path: '/runs', query: listRunsQuery, response: listRunsResponse });

export const compareRuns = defineEndpoint({
  method: 'GET',
  path: '/runs/compare',
  query: compareRunsQuery,
  response: compareRunsResponse,
  errors: ['not_found'],
});

export const getRun = defineEndpoint({ method: 'GET', path: '/runs/:id', params: runIdParam, response: runDetailSchema, errors: ['not_found'] });

/** The daemon reads git state (and stores `git diff`) while creating a run, hence the long timeout. */
export const createRun = defineEndpoint({
  method: 'POST',
  path: '/runs',
  body: createRunRequest,
  response: runDetailSchema,
  status: 201,
  timeoutMs: 120_000,
});

export const setRunStatus = defineEndpoint({
  method: 'POST',
  path: '/runs/:id/status',
  params: runIdParam,
  body: updateRunRequest,
  response: runDetailSchema,
  errors: ['not_found', 'conflict'],
});

export const logParams = defineEndpoint({
  method: 'POST',
  path: '/runs/:id/params',
  params: runIdParam,
  body: logParamsRequest,
  response: okResponse,
  errors: ['not_found', 'conflict'],
});

export const logTags = defineEndpoint({
  method: 'POST',
  path: '/runs/:id/tags',
  params: runIdParam,
  body: logTagsRequest,
  response: okResponse,
  errors: ['not_found'],
});

export const logArtifact = defineEndpoint({
  method: 'POST',
  path: '/runs/:id/artifacts',
  params: runIdParam,
  body: logArtifactRequest,
  response: artifactResponse,
  status: 201,
  errors: ['not_found'],
  timeoutMs: 300_000,
});

/** Columnar metric batches; large ones (64 MiB) for a backlog sent at once. */
export const logMetricBatch = defineEndpoint({
  method: 'POST',
  path: '/runs/:id/metrics/batch',
  params: runIdParam,
  body: metricBatchRequest,
  response: metricsWrittenResponse,
  errors: ['not_found', 'conflict'],
  maxBodyBytes: 64 * 1024 * 1024,
  timeoutMs: 120_000,
});

export const logMetricRows = defineEndpoint({
  method: 'POST',
  path: '/runs/:id/metrics',
  params: runIdParam,
  body: metricRowsRequest,
  response: metricsWrittenResponse,
  errors: ['not_found', 'conflict'],
});

export const getMetricSeries = defineEndpoint({
  method: 'GET',
  path: '/runs/:id/metrics',
  params: runIdParam,
  query: metricSeriesQuery,
  response: metricSeriesResponse,
  errors: ['not_found'],
});
