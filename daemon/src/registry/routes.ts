/** Handlers of the model registry's endpoints (declared in schemas/src/endpoints/registry.ts). */
import {
  getModel,
  getModelVersion,
  listModels,
  registerVersion,
  removeAlias,
  rollbackModel,
  setAlias,
  setStage,
} from '../../../schemas/src/endpoints/registry';
import { serve, type Route } from '../http/router';
import { type Registry } from './registry';
import { type ArtifactIntake } from './intake';

export function registryRoutes(registry: Registry, intake: ArtifactIntake): Route[] {
  return [...readRoutes(registry), ...writeRoutes(registry, intake)];
}

function readRoutes(registry: Registry): Route[] {
  return [
    serve(listModels, ({ query }) => {
      const page = registry.listModels(query.limit, query.cursor);
      return { models: page.items, next_cursor: page.nextCursor };
    }),
    serve(getModel, ({ params, query }) => {
      const r = registry.getModel(params.name, query.limit, query.cursor);
      return { model: r.model, versions: r.items, next_cursor: r.nextCursor };
    }),
    serve(getModelVersion, ({ params }) => registry.getVersion(params.name, params.version)),
  ];
}

function writeRoutes(registry: Registry, intake: ArtifactIntake): Route[] {
  return [
    serve(registerVersion, async ({ params, body, actor }) => {
      const prepared = await intake.prepare(params.name, body);
      const r = registry.register(params.name, prepared.version, prepared.keepVersions, actor);
      return { version: r.version, removed_versions: r.removed };
    }),
    serve(setStage, ({ params, body, actor }) => registry.setStage(params.name, params.version, body.stage, body.reason, actor, { force: body.force })),
    serve(setAlias, ({ params, body, actor }) => {
      const r = registry.setAlias(params.name, params.alias, body.version, body.reason, actor);
      return { model: params.name, alias: params.alias, version: body.version, previous_version: r.previous };
    }),
    serve(removeAlias, ({ params, query, actor }) => {
      const r = registry.removeAlias(params.name, params.alias, query.reason, actor);
      return { model: params.name, alias: params.alias, version: null, previous_version: r.previous };
    }),
    serve(rollbackModel, ({ params, body, actor }) => {
      const r = registry.rollback(params.name, body.reason, actor);
      return { model: params.name, from_version: r.from, to_version: r.to };
    }),
  ];
}
