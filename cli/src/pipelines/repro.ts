/**
 * `mlops repro <run-id>`: re-runs a recorded pipeline run in a clean git worktree (inside
 * `.mlops/repro/`) made from its commit plus its stored dirty diff (untracked files included), with
 * its dataset versions checked out from the object store, every stage forced; then compares each
 * out's hash with the one the run's `mlops.lock` recorded. Built-in register and deploy stages are
 * not repeated (they would change the registry).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { lockFileSchema, type LockFile, type ReproJson } from '../../../schemas/src/pipelines';
import { type RunDetail } from '../../../schemas/src/tracking';
import { type MlopsConfig } from '../../../schemas/src/mlops-yaml';
import * as endpoints from '../../../schemas/src/endpoints';
import { type DaemonClient } from '../../../client/src/client';
import { loadConfig, formatProblems } from '../../../shared/src/mlops-yaml';
import { statePaths } from '../../../shared/src/paths';
import { ObjectStore } from '../../../shared/src/objects';
import { withOverrides } from './host';
import { Lock, LOCK_FILE } from '../../../shared/src/pipelines/lock';
import { type StageInstance } from '../../../shared/src/pipelines/plan';
import { runPipeline, type StageHost } from '../../../shared/src/pipelines/runner';

export class ReproError extends Error {}

function git(cwd: string, args: string[], input?: string): string {
  try {
    return execFileSync('git', ['-C', cwd, ...args], { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], ...(input !== undefined ? { input } : {}) });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new ReproError(`git ${args.join(' ')} failed: ${(err.stderr ?? err.message).trim()}`);
  }
}

/** The pipeline run behind a run id (a stage run points to its pipeline run). */
async function pipelineRun(client: DaemonClient, id: string): Promise<RunDetail> {
  const run = await client.request(endpoints.getRun, { params: { id } });
  const parent = run.tags['mlops.pipeline_run'];
  if (run.tags['mlops.kind'] === 'stage' && parent) return client.request(endpoints.getRun, { params: { id: parent } });
  if (run.tags['mlops.kind'] !== 'pipeline') throw new ReproError(`run ${id} is not a pipeline run (started by \`mlops run\`); only those record the outs to compare`);
  return run;
}

/** Stages run with the instance's params file, as under `mlops run`; built-ins that change state are not repeated. */
function reproHost(worktree: string, config: MlopsConfig): StageHost {
  return {
    begin: () => Promise.resolve(),
    startStage: (inst: StageInstance) => {
      const file = join(worktree, '.mlops', 'tmp', `params-${inst.id.replace(/[^\w.-]/g, '_')}.json`);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(withOverrides(config.params, inst.matrix)));
      return Promise.resolve({ ...process.env, MLOPS_PARAMS: file, MLOPS_ROOT: worktree, MLOPS_STAGE: inst.id });
    },
    endStage: () => Promise.resolve(),
    builtin: async (inst, logFile) => {
      if (inst.config.kind === 'validate') {
        const { validateDataset } = await import('../../../shared/src/pipelines/validate');
        return validateDataset({ root: worktree, config, dataset: inst.config.dataset as string, logFile });
      }
      return `${inst.config.kind} not repeated by repro`;
    },
    end: () => Promise.resolve(),
  };
}

async function checkoutDatasets(client: DaemonClient, run: RunDetail, worktree: string, objects: ObjectStore): Promise<void> {
  for (const d of run.datasets) {
    const manifest = await client.request(endpoints.getDatasetVersion, { params: { name: d.dataset, version: d.version } });
    for (const f of manifest.files) {
      if (!objects.has(f.sha256)) throw new ReproError(`dataset ${d.dataset}@${d.version}: the content of ${f.path} is no longer in the store`);
      const dest = join(worktree, f.path);
      mkdirSync(dirname(dest), { recursive: true });
      copyFileSync(objects.pathOf(f.sha256), dest);
      chmodSync(dest, 0o644);
    }
  }
}

export async function reproduce(root: string, client: DaemonClient, runId: string, opts: { keep: boolean; echo(t: string): void }): Promise<ReproJson> {
  const run = await pipelineRun(client, runId);
  if (!run.git.commit) throw new ReproError(`run ${run.id} recorded no git commit (the project was not a git repository)`);
  const lockArtifact = run.artifacts.find((a) => a.path === LOCK_FILE);
  if (!lockArtifact) throw new ReproError(`run ${run.id} has no recorded ${LOCK_FILE}`);
  const state = statePaths(root);
  const objects = new ObjectStore(state.objects);
  const recorded: LockFile = lockFileSchema.parse(JSON.parse(readFileSync(objects.pathOf(lockArtifact.sha256), 'utf8')));
  const worktree = join(state.dir, 'repro', run.id);
  if (existsSync(worktree)) git(root, ['worktree', 'remove', '--force', worktree]);
  git(root, ['worktree', 'add', '--detach', worktree, run.git.commit]);
  try {
    if (run.git.diff_sha256) git(worktree, ['apply', '--whitespace=nowarn', '-'], readFileSync(objects.pathOf(run.git.diff_sha256), 'utf8'));
    await checkoutDatasets(client, run, worktree, objects);
    const cfg = loadConfig(worktree);
    if (!cfg.ok) throw new ReproError(`the recorded mlops.yaml is invalid:\n${formatProblems(cfg)}`);
    const outcome = await runPipeline({ root: worktree, stateDir: join(worktree, '.mlops'), config: cfg.config, objects, stages: [], force: true, dryRun: false, echo: opts.echo, host: reproHost(worktree, cfg.config) });
    const now = new Lock(worktree).data;
    const outs: ReproJson['outs'] = [];
    for (const [stage, entry] of Object.entries(recorded.stages)) {
      for (const [path, hash] of Object.entries(entry.outs)) {
        const reproduced = now.stages[stage]?.outs[path] ?? null;
        outs.push({ stage, path, recorded: hash, reproduced, match: reproduced === hash });
      }
    }
    return { run_id: run.id, commit: run.git.commit, worktree, outs, stages: outcome.results, all_match: outs.length > 0 && outs.every((o) => o.match) };
  } finally {
    if (!opts.keep) {
      git(root, ['worktree', 'remove', '--force', worktree]);
      rmSync(worktree, { recursive: true, force: true });
    }
  }
}
