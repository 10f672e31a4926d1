/** `mlops run`: the pipeline in `mlops.yaml`, run in this process (see docs/PIPELINES.md for why). */
import { reproJson, runPipelineJson, type ReproJson, type StageResult } from '../../../schemas/src/pipelines';
import { reproduce, ReproError } from '../pipelines/repro';
import { formatProblems, loadConfig } from '../../../shared/src/mlops-yaml';
import { statePaths } from '../../../shared/src/paths';
import { TrackingHost } from '../pipelines/host';
import { PlanError } from '../../../shared/src/pipelines/plan';
import { runPipeline } from '../../../shared/src/pipelines/runner';
import { ObjectStore } from '../../../shared/src/objects';
import { connect, requireRoot } from '../context';
import { CliError, pos, str, type CliIo, type CommandSpec, type ParsedArgs } from '../framework';
import { printJson, table } from '../output';

async function runCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const root = requireRoot(io);
  const cfg = loadConfig(root);
  if (!cfg.ok) throw new CliError(`mlops.yaml is invalid:\n${formatProblems(cfg)}`, 'fix the file, then run again');
  if (!cfg.config.pipeline || !Object.keys(cfg.config.pipeline.stages).length) {
    throw new CliError('mlops.yaml declares no pipeline stages', 'add stages under pipeline.stages (see docs/PIPELINES.md)');
  }
  const stages = (args.positionals['stage'] as string[] | undefined) ?? [];
  const dryRun = args.options['dry-run'] === true;
  const state = statePaths(root);
  const trigger = str(args, 'trigger') ?? 'manual';
  const host = new TrackingHost({
    root,
    stateDir: state.dir,
    config: cfg.config,
    env: io.env,
    trigger,
    command: ['mlops', 'run', ...stages],
    connect: () => connect(io, root),
    warn: (t) => io.err(t),
  });
  let results: StageResult[];
  try {
    ({ results } = await runPipeline({
      root,
      stateDir: state.dir,
      config: cfg.config,
      objects: new ObjectStore(state.objects),
      stages,
      force: args.options['force'] === true,
      dryRun,
      echo: (t) => io.err(t),
      host,
      onResult: (r) => {
        if (!args.json && r.status !== 'ran' && r.status !== 'failed') io.err(`[${r.name}] ${r.status}: ${r.reason}\n`);
      },
    }));
  } catch (e) {
    if (e instanceof PlanError) throw new CliError(`the pipeline cannot run:\n${e.problems.map((p) => `  ${cfg.file}: ${p.message}`).join('\n')}`, 'fix mlops.yaml, then run again');
    throw e;
  }
  if (args.json) printJson(io, runPipelineJson.parse({ stages: results }));
  else io.out(table(['stage', 'status', 'seconds', 'reason'], results.map((r) => [r.name, r.status, r.duration_ms / 1000, r.reason])));
  return results.some((r) => r.status === 'failed' || r.status === 'skipped') ? 1 : 0;
}

const run: CommandSpec = {
  words: ['run'],
  summary: 'Run the pipeline: only stages whose command, deps or params changed; the rest is cached',
  positionals: [{ name: 'stage', required: false, variadic: true, description: 'stages to run, with what they need (default: all)' }],
  options: {
    force: { type: 'boolean', short: 'f', description: 'run the selected stages even when cached' },
    'dry-run': { type: 'boolean', short: 'n', description: 'say what would run and why; run and write nothing' },
    trigger: { type: 'string', description: 'why the run started, recorded with it (the daemon sets it)', placeholder: 'why' },
  },
  json: true,
  examples: ['mlops run', 'mlops run train --dry-run', 'mlops run evaluate --force', 'mlops run --json'],
  run: runCommand,
};

const repro: CommandSpec = {
  words: ['repro'],
  summary: 'Re-run a recorded pipeline run in a clean git worktree and check its outs come out the same',
  positionals: [{ name: 'run-id', required: true, description: 'a pipeline run (or one of its stage runs)' }],
  options: { keep: { type: 'boolean', description: 'keep the worktree (.mlops/repro/<run>) for inspection' } },
  json: true,
  examples: ['mlops repro 1a2b3c4d5e6f', 'mlops repro 1a2b3c4d5e6f --keep --json'],
  run: async (args, io) => {
    const root = requireRoot(io);
    const client = await connect(io, root);
    let r: ReproJson;
    try {
      r = await reproduce(root, client, pos(args, 'run-id'), { keep: args.options['keep'] === true, echo: (t) => io.err(t) });
    } catch (e) {
      if (e instanceof ReproError) throw new CliError(e.message, 'list pipeline runs with `mlops runs list --experiment pipeline`');
      throw e;
    }
    if (args.json) printJson(io, reproJson.parse(r));
    else {
      io.out(table(['stage', 'out', 'match', 'recorded', 'reproduced'], r.outs.map((o) => [o.stage, o.path, o.match ? 'yes' : 'NO', o.recorded.slice(0, 12), o.reproduced?.slice(0, 12) ?? 'missing'])));
      io.out(r.all_match ? `run ${r.run_id} reproduced bit for bit at ${r.commit.slice(0, 12)}\n` : `run ${r.run_id} did NOT reproduce: see the outs marked NO\n`);
    }
    return r.all_match ? 0 : 1;
  },
};

export const pipelineCommands: CommandSpec[] = [run, repro];
