/** The pipeline as the daemon sees it: stage states for the Pipelines view, and starting a run. */
import { defineEndpoint } from '../endpoint';
import { pipelineStatusResponse, startPipelineRequest, startPipelineResponse } from '../pipelines';

export const getPipeline = defineEndpoint({ method: 'GET', path: '/pipeline', response: pipelineStatusResponse, errors: ['invalid_config'] });

/** Runs `mlops run` in the daemon, one pipeline at a time (like triggers; repeats are coalesced). */
export const startPipeline = defineEndpoint({
  method: 'POST',
  path: '/pipeline/runs',
  body: startPipelineRequest,
  response: startPipelineResponse,
  status: 202,
  errors: ['invalid_config'],
});
