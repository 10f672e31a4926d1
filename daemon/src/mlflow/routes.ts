/** The MLflow-compatible routes: each a declaration from schemas/src/endpoints/mlflow.ts plus a thin handler. */
import { createReadStream } from 'node:fs';
import { type IncomingMessage } from 'node:http';
import * as E from '../../../schemas/src/endpoints/mlflow';
import { type EventLog } from '../events/event-log';
import { serve, type Route } from '../http/router';
import { readBody, sendJson } from '../http/server';
import { type ArtifactIntake } from '../registry/intake';
import { type Registry } from '../registry/registry';
import { type Db } from '../store/db';
import { type ObjectStore } from '../../../shared/src/objects';
import { collectGitInfo } from '../tracking/git';
import { type Runs } from '../tracking/runs';
import { MlflowArtifacts } from './artifacts';
import { invalid } from './errors';
import { MlflowLoggedModels } from './logged-models';
import { MlflowModels } from './models';
import { MlflowStore } from './store';
import { MlflowTracking } from './tracking';

export interface MlflowDeps {
  db: Db;
  root: string;
  runs: Runs;
  registry: Registry;
  intake: ArtifactIntake;
  objects: ObjectStore;
  events: EventLog;
}

export function mlflowRoutes(d: MlflowDeps): Route[] {
  const tracking = new MlflowTracking(new MlflowStore(d.db), d.runs, d.events, () => collectGitInfo(d.root, d.objects));
  const models = new MlflowModels(d.db, d.registry, d.intake, d.objects, d.events);
  const artifacts = new MlflowArtifacts(d.db, d.objects);
  const logged = new MlflowLoggedModels(d.db, tracking);
  return [...experimentRoutes(tracking), ...runRoutes(tracking, artifacts), ...registryRoutes(models), ...loggedModelRoutes(logged), ...artifactRoutes(artifacts)];
}

function experimentRoutes(t: MlflowTracking): Route[] {
  return [
    serve(E.mlflowCreateExperiment, ({ body, actor }) => t.createExperiment(body, actor)),
    serve(E.mlflowGetExperiment, ({ query }) => ({ experiment: t.getExperiment(query.experiment_id) })),
    serve(E.mlflowGetExperimentByName, ({ query }) => ({ experiment: t.getExperimentByName(query.experiment_name) })),
    serve(E.mlflowSearchExperiments, ({ body }) => t.searchExperiments(body)),
    serve(E.mlflowUpdateExperiment, ({ body, actor }) => t.updateExperiment(body, actor)),
    serve(E.mlflowDeleteExperiment, ({ body, actor }) => t.setExperimentLifecycle(body.experiment_id, 'deleted', actor)),
    serve(E.mlflowRestoreExperiment, ({ body, actor }) => t.setExperimentLifecycle(body.experiment_id, 'active', actor)),
    serve(E.mlflowSetExperimentTag, ({ body }) => t.setExperimentTag(body)),
  ];
}

function runRoutes(t: MlflowTracking, artifacts: MlflowArtifacts): Route[] {
  return [
    serve(E.mlflowCreateRun, ({ body, actor }) => t.createRun(body, actor)),
    serve(E.mlflowGetRun, ({ query }) => t.getRun(t.runId(query))),
    serve(E.mlflowUpdateRun, ({ body, actor }) => t.updateRun(body, actor)),
    serve(E.mlflowDeleteRun, ({ body, actor }) => t.setRunLifecycle(t.runId(body), 'deleted', actor)),
    serve(E.mlflowRestoreRun, ({ body, actor }) => t.setRunLifecycle(t.runId(body), 'active', actor)),
    serve(E.mlflowSearchRuns, ({ body }) => t.searchRuns(body)),
    serve(E.mlflowLogMetric, ({ body }) =>
      t.logBatch({ run_id: t.runId(body), metrics: [{ key: body.key, value: body.value, timestamp: body.timestamp, step: body.step ?? 0 }] }),
    ),
    serve(E.mlflowLogParam, ({ body }) => t.logBatch({ run_id: t.runId(body), params: [{ key: body.key, value: body.value }] })),
    serve(E.mlflowLogBatch, ({ body }) => t.logBatch(body)),
    serve(E.mlflowSetTag, ({ body }) => t.logBatch({ run_id: t.runId(body), tags: [{ key: body.key, value: body.value }] })),
    serve(E.mlflowDeleteTag, ({ body }) => t.deleteTag(body)),
    serve(E.mlflowLogInputs, ({ body }) => t.logInputs(body)),
    serve(E.mlflowLogModel, ({ body }) => t.logModel(body)),
    serve(E.mlflowMetricHistory, ({ query }) => t.metricHistory(query)),
    serve(E.mlflowListArtifacts, ({ query }) => {
      const id = t.runId(query);
      t.requireRun(id);
      return artifacts.listRun(id, query.path);
    }),
  ];
}

function registryRoutes(m: MlflowModels): Route[] {
  return [
    serve(E.mlflowCreateModel, ({ body, actor }) => m.create(body, actor)),
    serve(E.mlflowGetModel, ({ query }) => m.get(query.name)),
    serve(E.mlflowSearchModels, ({ query }) => m.search(query)),
    serve(E.mlflowUpdateModel, ({ body, actor }) => m.update(body, actor)),
    serve(E.mlflowRenameModel, ({ body, actor }) => m.rename(body, actor)),
    serve(E.mlflowDeleteModel, ({ body, actor }) => m.delete(body.name, actor)),
    serve(E.mlflowSetAlias, ({ body, actor }) => m.setAlias(body, actor)),
    serve(E.mlflowDeleteAlias, ({ body, actor }) => m.deleteAlias(body, actor)),
    serve(E.mlflowGetByAlias, ({ query }) => m.byAlias(query)),
    serve(E.mlflowLatestVersions, ({ body }) => m.latestVersions(body)),
    serve(E.mlflowCreateVersion, ({ body, actor }) => m.createVersion(body, actor)),
    serve(E.mlflowGetVersion, ({ query }) => m.getVersion(query)),
    serve(E.mlflowSearchVersions, ({ query }) => m.searchVersions(query)),
    serve(E.mlflowUpdateVersion, ({ body, actor }) => m.updateVersion(body, actor)),
    serve(E.mlflowDeleteVersion, ({ body, actor }) => m.deleteVersion(body, actor)),
    serve(E.mlflowTransitionStage, ({ body, actor }) => m.transition(body, actor)),
    serve(E.mlflowDownloadUri, ({ query }) => m.downloadUri(query)),
  ];
}

function loggedModelRoutes(l: MlflowLoggedModels): Route[] {
  return [
    serve(E.mlflowCreateLoggedModel, ({ body }) => l.create(body)),
    serve(E.mlflowSearchLoggedModels, ({ body }) => l.search(body)),
    serve(E.mlflowGetLoggedModel, ({ params }) => l.get(params.model_id)),
    serve(E.mlflowFinalizeLoggedModel, ({ params, body }) => l.finalize(params.model_id, body.status)),
    serve(E.mlflowSetLoggedModelTags, ({ params, body }) => l.setTags(params.model_id, body.tags ?? [])),
  ];
}

function artifactRoutes(a: MlflowArtifacts): Route[] {
  return [
    serve(E.mlflowUploadArtifact, async ({ params, req }, res) => {
      const body = await readUpload(req);
      await a.put(params.path, body);
      sendJson(res, 200, {});
    }),
    serve(E.mlflowDownloadArtifact, ({ params }, res) => {
      const { file, size } = a.locate(params.path);
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': size, 'Cache-Control': 'no-store' });
      createReadStream(file).pipe(res);
    }),
    serve(E.mlflowListProxyArtifacts, ({ query }) => a.list(query.path)),
  ];
}

/** Upload bodies are raw bytes of any content type, capped at the declared limit. */
async function readUpload(req: IncomingMessage): Promise<Buffer> {
  if (req.headers['transfer-encoding'] === undefined && req.headers['content-length'] === undefined) {
    throw invalid('an artifact upload needs a body (Content-Length or chunked)');
  }
  return readBody(req, E.MAX_MLFLOW_ARTIFACT_BYTES);
}
