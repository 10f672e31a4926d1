/** Handlers of the data-versioning endpoints (declared in schemas/src/endpoints/datasets.ts). */
import { type SnapshotStreamLine } from '../../../schemas/src/tracking';
import {
  checkoutDataset,
  collectGarbage,
  diffDataset,
  getDatasetVersion,
  listDatasets,
  listDatasetVersions,
  snapshotDataset,
} from '../../../schemas/src/endpoints/datasets';
import { serve, type Route } from '../http/router';
import { type GarbageCollector } from '../store/gc';
import { DomainError } from '../util/errors';
import { type Datasets } from './datasets';

export function datasetRoutes(datasets: Datasets, gc: GarbageCollector): Route[] {
  return [
    serve(listDatasets, () => ({ datasets: datasets.summaries() })),
    serve(snapshotDataset, async ({ params, body, actor }, res) => {
      datasets.declared(params.name);
      res.writeHead(200, { 'Content-Type': 'application/x-ndjson; charset=utf-8', 'Cache-Control': 'no-store' });
      const line = (l: SnapshotStreamLine): void => void res.write(JSON.stringify(l) + '\n');
      try {
        const r = await datasets.snapshot(params.name, body.reason, actor, (p) =>
          line({ type: 'progress', files_done: p.filesDone, files_total: p.filesTotal, bytes_done: p.bytesDone, bytes_total: p.bytesTotal }),
        );
        line({ type: 'result', created: r.created, version: r.version, hashed_files: r.hashedFiles, new_objects: r.newObjects });
      } catch (e) {
        const { status, code } = e instanceof DomainError ? e : { status: 500, code: 'internal' as const };
        line({ type: 'error', status, code, message: e instanceof Error ? e.message : String(e) });
      }
      res.end();
    }),
    serve(listDatasetVersions, ({ params }) => ({ versions: datasets.versions(params.name) })),
    serve(getDatasetVersion, ({ params }) => datasets.manifest(params.name, params.version)),
    serve(diffDataset, ({ params, query }) => datasets.diff(params.name, query.from, query.to)),
    serve(checkoutDataset, ({ params, body, actor }) => datasets.checkout(params.name, body.version, actor)),
    serve(collectGarbage, ({ body }) => gc.run(body.dry_run, body.grace_seconds)),
  ];
}
