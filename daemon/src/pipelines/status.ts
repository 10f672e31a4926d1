/**
 * The pipeline's state for the Pipelines view: each instance decided exactly as `mlops run
 * --dry-run` decides it (same runner, nothing written), then the tracked stage runs laid over it:
 * an instance whose latest run is going is `running`, and one whose latest run failed and that
 * would still run is `failed`. Its log is the file the runner keeps.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { type MlopsConfig } from '../../../schemas/src/mlops-yaml';
import { type PipelineStage, type PipelineStatus, type StageResult } from '../../../schemas/src/pipelines';
import { type RunSummary } from '../../../schemas/src/tracking';
import { type ObjectStore } from '../../../shared/src/objects';
import { pipelineDirs, stageLogFile } from '../../../shared/src/pipelines/cache';
import { planPipeline, PlanError } from '../../../shared/src/pipelines/plan';
import { runPipeline } from '../../../shared/src/pipelines/runner';

export interface StatusDeps {
  root: string;
  stateDir: string;
  objects: ObjectStore;
  config(): MlopsConfig | undefined;
  /** The newest runs of the `pipeline` experiment, newest first. */
  recentRuns(): RunSummary[];
  running(): boolean;
}

function stateOf(decided: StageResult | undefined, run: RunSummary | undefined): Pick<PipelineStage, 'state' | 'reason'> {
  if (run?.status === 'running') return { state: 'running', reason: `running since ${run.start_time}` };
  const stale = decided?.status === 'would-run';
  if (stale && (run?.status === 'failed' || run?.status === 'killed')) return { state: 'failed', reason: `${run.status} in run ${run.id}; ${decided.reason}` };
  if (stale) return { state: 'stale', reason: decided.reason };
  return { state: 'cached', reason: decided?.reason ?? 'unchanged' };
}

export async function pipelineStatus(d: StatusDeps): Promise<PipelineStatus> {
  const config = d.config();
  const running = d.running();
  if (!config?.pipeline || !Object.keys(config.pipeline.stages).length) return { root: d.root, stages: [], running, problems: [] };
  const fileExists = (p: string) => existsSync(isAbsolute(p) ? p : join(d.root, p));
  let instances;
  try {
    instances = planPipeline(config, { fileExists }).instances;
  } catch (e) {
    if (e instanceof PlanError) return { root: d.root, stages: [], running, problems: e.problems.map((p) => p.message) };
    throw e;
  }
  const { results } = await runPipeline({ root: d.root, stateDir: d.stateDir, config, objects: d.objects, stages: [], force: false, dryRun: true, echo: () => undefined });
  const decided = new Map(results.map((r) => [r.name, r]));
  const latest = new Map<string, RunSummary>();
  for (const r of d.recentRuns()) if (!latest.has(r.name)) latest.set(r.name, r);
  const logs = pipelineDirs(d.stateDir).logs;
  const stages = instances.map((inst): PipelineStage => {
    const run = latest.get(inst.id);
    const log = stageLogFile(logs, inst.id);
    return {
      id: inst.id,
      stage: inst.stage,
      kind: inst.config.kind,
      ...stateOf(decided.get(inst.id), run),
      needs: inst.needs,
      log: existsSync(log) ? relative(d.root, log) : null,
      run_id: run?.id ?? null,
    };
  });
  return { root: d.root, stages, running, problems: [] };
}
