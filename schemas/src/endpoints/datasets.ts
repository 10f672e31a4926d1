/** Data versioning: datasets, snapshots (streamed NDJSON progress), diffs, checkout, and store gc. */
import {
  checkoutRequest,
  checkoutResponse,
  datasetDiffResponse,
  datasetManifestResponse,
  datasetNameParam,
  datasetVersionParam,
  datasetVersionsResponse,
  diffQuery,
  gcRequest,
  gcResponse,
  listDatasetsResponse,
  snapshotRequest,
  snapshotStreamLine,
} from '../tracking';
import { defineEndpoint, defineStreamEndpoint } from '../endpoint';

export const listDatasets = defineEndpoint({ method: 'GET', path: '/datasets', response: listDatasetsResponse });

/** Progress lines, then one result or error line. */
export const snapshotDataset = defineStreamEndpoint({
  method: 'POST',
  path: '/datasets/:name/snapshot',
  params: datasetNameParam,
  body: snapshotRequest,
  format: 'ndjson',
  item: snapshotStreamLine,
  errors: ['not_found', 'invalid_config', 'bad_pattern', 'no_files', 'changed_during_snapshot'],
  timeoutMs: 3_600_000,
});

export const listDatasetVersions = defineEndpoint({
  method: 'GET',
  path: '/datasets/:name/versions',
  params: datasetNameParam,
  response: datasetVersionsResponse,
  errors: ['not_found', 'invalid_config'],
});

export const getDatasetVersion = defineEndpoint({
  method: 'GET',
  path: '/datasets/:name/versions/:version',
  params: datasetVersionParam,
  response: datasetManifestResponse,
  errors: ['not_found', 'invalid_config'],
});

export const diffDataset = defineEndpoint({
  method: 'GET',
  path: '/datasets/:name/diff',
  params: datasetNameParam,
  query: diffQuery,
  response: datasetDiffResponse,
  errors: ['not_found', 'invalid_config'],
});

export const checkoutDataset = defineEndpoint({
  method: 'POST',
  path: '/datasets/:name/checkout',
  params: datasetNameParam,
  body: checkoutRequest,
  response: checkoutResponse,
  errors: ['not_found', 'invalid_config', 'bad_pattern', 'object_missing', 'changed_during_snapshot'],
  timeoutMs: 600_000,
});

export const collectGarbage = defineEndpoint({ method: 'POST', path: '/gc', body: gcRequest, response: gcResponse });
