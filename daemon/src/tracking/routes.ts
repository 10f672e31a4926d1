/** Handlers of the tracking endpoints (declared in schemas/src/endpoints/runs.ts). */
import { promises as fsp } from 'node:fs';
import { basename, isAbsolute } from 'node:path';
import { runIdSchema } from '../../../schemas/src/tracking';
import {
  compareRuns,
  createRun,
  getMetricSeries,
  getRun,
  listExperiments,
  listRuns,
  logArtifact,
  logMetricBatch,
  logMetricRows,
  logParams,
  logTags,
  setRunStatus,
} from '../../../schemas/src/endpoints/runs';
import { serve, type Route } from '../http/router';
import { type ObjectStore } from '../store/objects';
import { badRequest } from '../util/errors';
import { collectGitInfo } from './git';
import { type Runs } from './runs';

/** What a run records when its client did not say: the project's params and current dataset versions. */
export interface RunDefaults {
  config(): Record<string, unknown> | undefined;
  datasets(): { dataset: string; version: number }[];
}

export function trackingRoutes(runs: Runs, objects: ObjectStore, root: string, defaults: RunDefaults): Route[] {
  return [...runReadRoutes(runs), ...runWriteRoutes(runs, objects, root, defaults), ...metricRoutes(runs)];
}

function runReadRoutes(runs: Runs): Route[] {
  return [
    serve(listExperiments, () => ({ experiments: runs.experiments() })),
    serve(listRuns, ({ query }) => {
      const r = runs.list(query);
      return { runs: r.runs, next_cursor: r.nextCursor };
    }),
    serve(compareRuns, ({ query }) => {
      const ids = query.ids.split(',').map((s) => s.trim()).filter(Boolean);
      if (ids.length < 2) throw badRequest('query.ids: expected at least two run ids separated by commas');
      ids.forEach((id, i) => {
        if (!runIdSchema.safeParse(id).success) throw badRequest(`query.ids.${i}: "${id}" is not a run id`);
      });
      return runs.compare(ids);
    }),
    serve(getRun, ({ params }) => runs.detail(params.id)),
  ];
}

function runWriteRoutes(runs: Runs, objects: ObjectStore, root: string, defaults: RunDefaults): Route[] {
  return [
    serve(createRun, async ({ body, actor }) => {
      // Runs from a script or notebook (not `mlops exec`) still record the config and data they ran against.
      const config = body.config ?? defaults.config();
      const datasets = body.datasets.length ? body.datasets : defaults.datasets();
      return runs.create({ ...body, datasets, ...(config ? { config } : {}) }, await collectGitInfo(root, objects), actor);
    }),
    serve(setRunStatus, ({ params, body, actor }) => runs.setStatus(params.id, body.status, body.exit_code, actor)),
    serve(logParams, ({ params, body }) => {
      runs.logParams(params.id, body.params);
      return { ok: true as const };
    }),
    serve(logTags, ({ params, body }) => {
      runs.logTags(params.id, body.tags);
      return { ok: true as const };
    }),
    serve(logArtifact, async ({ params, body }) => {
      runs.require(params.id);
      if (!isAbsolute(body.path)) throw badRequest('body.path: expected an absolute path');
      const st = await fsp.stat(body.path).catch(() => undefined);
      if (!st?.isFile()) throw badRequest(`body.path: no file at ${body.path}`);
      const stored = await objects.putFile(body.path);
      const name = body.name ?? basename(body.path);
      runs.addArtifact(params.id, name, stored);
      return { path: name, sha256: stored.sha256, size: stored.size };
    }),
  ];
}

function metricRoutes(runs: Runs): Route[] {
  return [
    serve(logMetricBatch, ({ params, body }) => ({ written: runs.logMetricBatch(params.id, body) })),
    serve(logMetricRows, ({ params, body }) => {
      const now = Date.now();
      const m = body.metrics;
      return {
        written: runs.logMetricBatch(params.id, {
          keys: m.map((x) => x.key),
          steps: m.map((x) => x.step),
          timestamps: m.map((x) => x.timestamp ?? now),
          values: m.map((x) => x.value),
        }),
      };
    }),
    serve(getMetricSeries, ({ params, query }) => ({ series: runs.series(params.id, query.key ?? null) })),
  ];
}
