/** HTTP routes of the model registry: `/api/v1/models/...`. */
import {
  aliasParam,
  aliasResponse,
  getModelResponse,
  listModelsResponse,
  modelNameParam,
  modelVersionSchema,
  pageQuery,
  registerVersionRequest,
  registerVersionResponse,
  rollbackRequest,
  rollbackResponse,
  setAliasRequest,
  setStageRequest,
  stageChangeResponse,
  versionParam,
} from '../../../schemas/src/api';
import { z } from 'zod';
import { route, type Route } from '../http/router';
import { type Registry } from './registry';
import { type ArtifactIntake } from './intake';

export function registryRoutes(registry: Registry, intake: ArtifactIntake): Route[] {
  return [...readRoutes(registry), ...writeRoutes(registry, intake)];
}

function readRoutes(registry: Registry): Route[] {
  return [
    route({
      method: 'GET',
      path: '/models',
      query: pageQuery,
      response: listModelsResponse,
      handler: ({ query }) => {
        const page = registry.listModels(query.limit, query.cursor);
        return { models: page.items, next_cursor: page.nextCursor };
      },
    }),
    route({
      method: 'GET',
      path: '/models/:name',
      params: modelNameParam,
      query: pageQuery,
      response: getModelResponse,
      handler: ({ params, query }) => {
        const r = registry.getModel(params.name, query.limit, query.cursor);
        return { model: r.model, versions: r.items, next_cursor: r.nextCursor };
      },
    }),
    route({
      method: 'GET',
      path: '/models/:name/versions/:version',
      params: versionParam,
      response: modelVersionSchema,
      handler: ({ params }) => registry.getVersion(params.name, params.version),
    }),
  ];
}

function writeRoutes(registry: Registry, intake: ArtifactIntake): Route[] {
  return [
    route({
      method: 'POST',
      path: '/models/:name/versions',
      params: modelNameParam,
      body: registerVersionRequest,
      response: registerVersionResponse,
      status: 201,
      handler: async ({ params, body, actor }) => {
        const prepared = await intake.prepare(params.name, body);
        const r = registry.register(params.name, prepared.version, prepared.keepVersions, actor);
        return { version: r.version, removed_versions: r.removed };
      },
    }),
    route({
      method: 'POST',
      path: '/models/:name/versions/:version/stage',
      params: versionParam,
      body: setStageRequest,
      response: stageChangeResponse,
      handler: ({ params, body, actor }) => registry.setStage(params.name, params.version, body.stage, body.reason, actor),
    }),
    route({
      method: 'PUT',
      path: '/models/:name/aliases/:alias',
      params: aliasParam,
      body: setAliasRequest,
      response: aliasResponse,
      handler: ({ params, body, actor }) => {
        const r = registry.setAlias(params.name, params.alias, body.version, body.reason, actor);
        return { model: params.name, alias: params.alias, version: body.version, previous_version: r.previous };
      },
    }),
    route({
      method: 'DELETE',
      path: '/models/:name/aliases/:alias',
      params: aliasParam,
      query: z.object({ reason: z.string().max(2000).default('') }).strict(),
      response: aliasResponse,
      handler: ({ params, query, actor }) => {
        const r = registry.removeAlias(params.name, params.alias, query.reason, actor);
        return { model: params.name, alias: params.alias, version: null, previous_version: r.previous };
      },
    }),
    route({
      method: 'POST',
      path: '/models/:name/rollback',
      params: modelNameParam,
      body: rollbackRequest,
      response: rollbackResponse,
      handler: ({ params, body, actor }) => {
        const r = registry.rollback(params.name, body.reason, actor);
        return { model: params.name, from_version: r.from, to_version: r.to };
      },
    }),
  ];
}
