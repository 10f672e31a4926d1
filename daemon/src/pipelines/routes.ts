/** Handlers of the pipeline endpoints (declared in schemas/src/endpoints/pipelines.ts). */
import { getPipeline, startPipeline } from '../../../schemas/src/endpoints/pipelines';
import { type MlopsConfig } from '../../../schemas/src/mlops-yaml';
import { serve, type Route } from '../http/router';
import { badRequest, DomainError } from '../util/errors';
import { pipelineStatus, type StatusDeps } from './status';
import { type PipelineTriggers } from './triggers';

/** The config, or a 422 saying it is invalid (a pipeline is never decided from a broken file). */
function validConfig(deps: StatusDeps, problem: () => string | undefined): MlopsConfig | undefined {
  const p = problem();
  if (p) throw new DomainError(422, 'invalid_config', `mlops.yaml is invalid: ${p}`);
  return deps.config();
}

export function pipelineRoutes(deps: StatusDeps, triggers: PipelineTriggers, configProblem: () => string | undefined): Route[] {
  return [
    serve(getPipeline, () => {
      validConfig(deps, configProblem);
      return pipelineStatus(deps);
    }),
    serve(startPipeline, ({ body, actor }) => {
      const stages = validConfig(deps, configProblem)?.pipeline?.stages ?? {};
      if (!Object.keys(stages).length) throw badRequest('mlops.yaml declares no pipeline stages; add them under pipeline.stages');
      // Names only: each becomes a CLI argument, so nothing else may pass.
      for (const [i, s] of body.stages.entries()) {
        if (s.startsWith('-') || !Object.hasOwn(stages, s.split('@')[0] ?? '')) throw badRequest(`stages[${i}]: no stage named "${s}" under pipeline.stages`, [{ path: `stages[${i}]`, message: 'unknown stage' }]);
      }
      const reason = `${body.reason} (${actor})`;
      return { queued: triggers.fire(reason, { stages: body.stages, force: body.force }), reason };
    }),
  ];
}
