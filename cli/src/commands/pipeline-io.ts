/** `mlops import dvc`: a DVC pipeline into mlops.yaml (see shared/src/pipelines/dvc-import.ts). */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { stringify } from 'yaml';
import * as endpoints from '../../../schemas/src/endpoints';
import { importDvcJson, pipelineExportJson, trainingDockerJson, type ImportDvcJson } from '../../../schemas/src/pipelines';
import { CONFIG_FILE, formatProblems, loadConfig } from '../../../shared/src/mlops-yaml';
import { importDvc } from '../../../shared/src/pipelines/dvc-import';
import { planPipeline, PlanError } from '../../../shared/src/pipelines/plan';
import { airflowDag, argoWorkflow, trainingDockerfile } from '../pipelines/export';
import { api, connect, requireRoot } from '../context';
import { type CliIo, type ParsedArgs } from '../framework';
import { CliError, str, type CommandSpec } from '../framework';
import { printJson } from '../output';

/** A file of the project, or undefined when absent or outside it (nothing outside is read). */
function projectFile(root: string, path: string): string | undefined {
  const abs = resolve(root, path);
  const rel = relative(root, abs);
  if (rel.startsWith('..') || isAbsolute(rel) || !existsSync(abs)) return undefined;
  return readFileSync(abs, 'utf8');
}

const importDvcCommand: CommandSpec = {
  words: ['import', 'dvc'],
  summary: 'Turn dvc.yaml (and params.yaml) into mlops.yaml pipeline stages and params, keeping what is there',
  options: {
    'dry-run': { type: 'boolean', short: 'n', description: 'report what would be added; write nothing' },
    file: { type: 'string', description: 'the DVC pipeline file (default dvc.yaml)', placeholder: 'path' },
  },
  json: true,
  examples: ['mlops import dvc --dry-run', 'mlops import dvc', 'mlops import dvc --file sub/dvc.yaml --json'],
  run: async (args, io) => {
    const root = requireRoot(io);
    const dvcFile = str(args, 'file') ?? 'dvc.yaml';
    const dvcYaml = projectFile(root, dvcFile);
    if (dvcYaml === undefined) throw new CliError(`${dvcFile}: no such file in the project`, 'run it in the DVC project folder, or pass --file');
    const cfgPath = join(root, CONFIG_FILE);
    const mlopsYaml = readFileSync(cfgPath, 'utf8');
    const paramsYaml = projectFile(root, 'params.yaml');
    const r = importDvc({ dvcYaml, dvcFile, ...(paramsYaml !== undefined ? { paramsYaml } : {}), mlopsYaml, readFile: (p) => projectFile(root, p) });
    const dryRun = args.options['dry-run'] === true;
    const written = !dryRun && r.text !== mlopsYaml;
    if (written) writeFileSync(cfgPath, r.text);
    const out: ImportDvcJson = { dry_run: dryRun, written, stages_added: r.stagesAdded, stages_kept: r.stagesKept, params_added: r.paramsAdded, params_kept: r.paramsKept, not_carried: r.notCarried };
    if (args.json) return printJson(io, importDvcJson.parse(out));
    const verb = dryRun ? 'would add' : 'added';
    io.out(`${verb} ${r.stagesAdded.length} stages (${r.stagesAdded.join(', ') || 'none'}) and ${r.paramsAdded.length} params to ${CONFIG_FILE}\n`);
    if (r.stagesKept.length) io.out(`kept as they are (already in ${CONFIG_FILE}): stages ${r.stagesKept.join(', ')}\n`);
    if (r.paramsKept.length) io.out(`kept the values in ${CONFIG_FILE} of: ${r.paramsKept.join(', ')}\n`);
    for (const n of r.notCarried) io.out(`${dvcFile}:${n.line}: ${n.path}: ${n.message}\n`);
    if (written) io.out(`next: mlops run --dry-run\n`);
  },
};

function planned(root: string) {
  const cfg = loadConfig(root);
  if (!cfg.ok) throw new CliError(`mlops.yaml is invalid:\n${formatProblems(cfg)}`, 'fix the file, then export again');
  try {
    return { config: cfg.config, instances: planPipeline(cfg.config, { fileExists: (p) => existsSync(resolve(root, p)) }).instances };
  } catch (e) {
    if (e instanceof PlanError) throw new CliError(`the pipeline cannot run:\n${e.problems.map((p) => `  ${p.message}`).join('\n')}`, 'fix mlops.yaml, then export again');
    throw e;
  }
}

function exportPipeline(kind: 'argo' | 'airflow'): CommandSpec {
  return {
    words: ['export', kind],
    summary: kind === 'argo' ? 'Write the pipeline as an Argo Workflows Workflow (DAG of the stages, params as arguments, outs as artifacts)' : 'Write the pipeline as an Airflow DAG file (KubernetesPodOperator with --image, else BashOperator)',
    options: {
      image: { type: 'string', description: kind === 'argo' ? 'container image holding the project and its tools (default python:3.12-slim)' : 'run each stage as a pod of this image (KubernetesPodOperator)', placeholder: 'image' },
      out: { type: 'string', description: `file to write (default export/${kind === 'argo' ? 'workflow.yaml' : 'pipeline_dag.py'})`, placeholder: 'file' },
    },
    json: true,
    examples: kind === 'argo' ? ['mlops export argo --image ghcr.io/acme/churn:1.4', 'mlops export argo --out workflow.yaml --json'] : ['mlops export airflow', 'mlops export airflow --image ghcr.io/acme/churn:1.4 --out dags/churn.py'],
    run: async (args, io) => {
      const root = requireRoot(io);
      const { config, instances } = planned(root);
      if (!instances.length) throw new CliError('mlops.yaml declares no pipeline stages', 'add stages under pipeline.stages (see docs/PIPELINES.md)');
      const image = str(args, 'image');
      const file = resolve(io.cwd, str(args, 'out') ?? join('export', kind === 'argo' ? 'workflow.yaml' : 'pipeline_dag.py'));
      const text = kind === 'argo' ? stringify(argoWorkflow(config, instances, { name: config.project.name, image: image ?? 'python:3.12-slim' })) : airflowDag(instances, { name: config.project.name, ...(image ? { image } : {}) });
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
      if (args.json) return printJson(io, pipelineExportJson.parse({ kind, file, tasks: instances.map((i) => i.id) }));
      io.out(`wrote ${kind === 'argo' ? 'an Argo Workflow' : 'an Airflow DAG'} of ${instances.length} stages to ${file}\n`);
    },
  };
}

/** `mlops export docker --training [--run ID]` (the serving export shares the words, see serving.ts). */
export async function exportTrainingDocker(args: ParsedArgs, io: CliIo): Promise<void> {
  const root = requireRoot(io);
  const client = await connect(io, root);
  let runId = str(args, 'run');
  if (!runId) {
    const runs = await api(() => client.request(endpoints.listRuns, { query: { experiment: 'pipeline', limit: 1 } }));
    runId = runs.runs[0]?.id;
    if (!runId) throw new CliError('no pipeline run yet to take the environment from', 'pass --run <id> (see `mlops runs list`), or run the pipeline first');
  }
  const id = runId;
  const run = await api(() => client.request(endpoints.getRun, { params: { id } }));
  let files: { dockerfile: string; requirements: string };
  try {
    files = trainingDockerfile(run.environment, run.id);
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e), 'pick a run with a recorded Python environment: `mlops runs show <id>`');
  }
  const out = resolve(io.cwd, str(args, 'out') ?? join('export', `docker-training-${run.id}`));
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'Dockerfile'), files.dockerfile);
  writeFileSync(join(out, 'requirements.txt'), files.requirements);
  const count = files.requirements.split('\n').filter(Boolean).length;
  if (args.json) return printJson(io, trainingDockerJson.parse({ kind: 'docker-training', run_id: run.id, python_version: run.environment.python_version, packages: count, files: [join(out, 'Dockerfile'), join(out, 'requirements.txt')] }));
  io.out(`wrote ${out}/Dockerfile (Python ${run.environment.python_version ?? '?'}, ${count} pinned packages from run ${run.id})\n`);
}

export const pipelineIoCommands: CommandSpec[] = [importDvcCommand, exportPipeline('argo'), exportPipeline('airflow')];
