/** HTTP routes of data versioning: `/api/v1/datasets/...` and `/api/v1/gc`. */
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
  type SnapshotStreamLine,
} from '../../../schemas/src/tracking';
import { type MlopsConfig } from '../../../schemas/src/mlops-yaml';
import { route, streamRoute, type Route } from '../http/router';
import { type GarbageCollector } from '../store/gc';
import { DomainError } from '../util/errors';
import { DatasetQueries } from './queries';
import { type Datasets } from './datasets';

export function datasetRoutes(datasets: Datasets, gc: GarbageCollector, config: () => MlopsConfig | undefined): Route[] {
  return [
    route({
      method: 'GET',
      path: '/datasets',
      response: listDatasetsResponse,
      handler: () => ({ datasets: listDatasets(datasets, config()) }),
    }),
    streamRoute({
      method: 'POST',
      path: '/datasets/:name/snapshot',
      params: datasetNameParam,
      body: snapshotRequest,
      handler: async ({ params, body, actor }, res) => {
        datasets.declared(params.name);
        res.writeHead(200, { 'Content-Type': 'application/x-ndjson; charset=utf-8', 'Cache-Control': 'no-store' });
        const line = (l: SnapshotStreamLine): void => void res.write(JSON.stringify(l) + '\n');
        try {
          const r = await datasets.snapshot(params.name, body.reason, actor, (p) =>
            line({ type: 'progress', files_done: p.filesDone, files_total: p.filesTotal, bytes_done: p.bytesDone, bytes_total: p.bytesTotal }),
          );
          line({ type: 'result', created: r.created, version: r.version, hashed_files: r.hashedFiles, new_objects: r.newObjects });
        } catch (e) {
          const status = e instanceof DomainError ? e.status : 500;
          line({ type: 'error', status, message: e instanceof Error ? e.message : String(e) });
        }
        res.end();
      },
    }),
    route({
      method: 'GET',
      path: '/datasets/:name/versions',
      params: datasetNameParam,
      response: datasetVersionsResponse,
      handler: ({ params }) => ({ versions: datasets.versions(params.name) }),
    }),
    route({
      method: 'GET',
      path: '/datasets/:name/versions/:version',
      params: datasetVersionParam,
      response: datasetManifestResponse,
      handler: ({ params }) => datasets.manifest(params.name, params.version),
    }),
    route({
      method: 'GET',
      path: '/datasets/:name/diff',
      params: datasetNameParam,
      query: diffQuery,
      response: datasetDiffResponse,
      handler: ({ params, query }) => datasets.diff(params.name, query.from, query.to),
    }),
    route({
      method: 'POST',
      path: '/datasets/:name/checkout',
      params: datasetNameParam,
      body: checkoutRequest,
      response: checkoutResponse,
      handler: ({ params, body, actor }) => datasets.checkout(params.name, body.version, actor),
    }),
    route({
      method: 'POST',
      path: '/gc',
      body: gcRequest,
      response: gcResponse,
      handler: ({ body }) => gc.run(body.dry_run, body.grace_seconds),
    }),
  ];
}

function listDatasets(datasets: Datasets, cfg: MlopsConfig | undefined) {
  const names = [...new Set([...Object.keys(cfg?.data ?? {}), ...datasets.q.names()])].sort();
  return names.map((name) => {
    const decl = cfg?.data[name];
    const id = datasets.q.datasetId(name);
    const latest = id === undefined ? undefined : datasets.q.latest(id);
    return {
      name,
      paths: decl?.paths ?? [],
      format: decl?.format ?? 'unknown',
      configured: decl !== undefined,
      latest: latest ? DatasetQueries.toWire(name, latest) : null,
      version_count: id === undefined ? 0 : datasets.q.count(id),
    };
  });
}
