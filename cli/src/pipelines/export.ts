/**
 * The pipeline for teams that outgrow one machine: an Argo Workflows `Workflow` (a DAG whose task
 * names are the stage instances, one template each, params as workflow arguments, outs passed as
 * artifacts), an Airflow DAG file (one task per instance, KubernetesPodOperator with an image or
 * BashOperator without, `>>` dependencies), and a training Dockerfile pinned from a run's recorded
 * environment. Pure: they take the plan and return text or objects.
 */
import { type MlopsConfig } from '../../../schemas/src/mlops-yaml';
import { type StageInstance } from '../../../shared/src/pipelines/plan';

/** Built-ins need the registry and daemon: in a container they run through the mlops CLI. */
function commandOf(inst: StageInstance): string {
  return inst.cmd ?? `mlops run ${inst.id} --force`;
}

/** Kubernetes/Argo names: lowercase letters, digits and "-", at most 63 characters. */
export function dnsName(text: string): string {
  const s = text.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63).replace(/-+$/, '');
  return s || 'x';
}

/** Param keys as identifiers (Argo parameters are referenced as `{{workflow.parameters.<name>}}`). */
function paramName(key: string): string {
  return key.replace(/[^A-Za-z0-9_-]/g, '-');
}

function paramText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Which instance writes each out (or metrics file), and under which artifact name. */
function producers(instances: StageInstance[]): Map<string, { inst: StageInstance; artifact: string }> {
  const out = new Map<string, { inst: StageInstance; artifact: string }>();
  for (const inst of instances) for (const [i, path] of [...inst.outs, ...inst.metrics].entries()) out.set(path, { inst, artifact: `out-${i}-${dnsName(path)}`.slice(0, 63) });
  return out;
}

export interface ArgoOptions {
  name: string;
  image: string;
  /** Where the project sits in the container: stage commands run from there. */
  workdir?: string;
}

/** The outs of other instances a stage reads: a dep that is an out, inside one, or a folder holding some. */
function inputsOf(inst: StageInstance, made: Map<string, { inst: StageInstance; artifact: string }>): { path: string; from: { inst: StageInstance; artifact: string } }[] {
  const out: { path: string; from: { inst: StageInstance; artifact: string } }[] = [];
  for (const [path, from] of made) {
    if (from.inst.id === inst.id) continue;
    if (inst.deps.some((d) => d === path || path.startsWith(`${d.replace(/\/$/, '')}/`) || d.startsWith(`${path}/`))) out.push({ path, from });
  }
  return out;
}

export function argoWorkflow(config: MlopsConfig, instances: StageInstance[], o: ArgoOptions): Record<string, unknown> {
  const workdir = o.workdir ?? '/project';
  const made = producers(instances);
  const templateOf = new Map(instances.map((i) => [i.id, dnsName(`stage-${i.id}`)]));
  const taskOf = (id: string) => dnsName(id);
  const tasks = instances.map((inst) => {
    const inputs = inputsOf(inst, made);
    const args: Record<string, unknown> = {};
    if (Object.keys(inst.params).length) args['parameters'] = Object.keys(inst.params).map((k) => ({ name: paramName(k), value: inst.matrix[k] !== undefined ? paramText(inst.matrix[k]) : `{{workflow.parameters.${paramName(k)}}}` }));
    if (inputs.length) args['artifacts'] = inputs.map((x, i) => ({ name: `in-${i}`, from: `{{tasks.${taskOf(x.from.inst.id)}.outputs.artifacts.${x.from.artifact}}}` }));
    return { name: taskOf(inst.id), template: templateOf.get(inst.id), ...(inst.needs.length ? { dependencies: inst.needs.map(taskOf) } : {}), ...(Object.keys(args).length ? { arguments: args } : {}) };
  });
  const templates = instances.map((inst) => {
    const inputs = inputsOf(inst, made);
    const outs = [...inst.outs, ...inst.metrics];
    const t: Record<string, unknown> = {
      name: templateOf.get(inst.id),
      container: { name: 'main', image: o.image, command: ['sh', '-c'], args: [commandOf(inst)], workingDir: workdir, env: [{ name: 'MLOPS_STAGE', value: inst.id }] },
    };
    const ins: Record<string, unknown> = {};
    if (Object.keys(inst.params).length) ins['parameters'] = Object.keys(inst.params).map((k) => ({ name: paramName(k) }));
    if (inputs.length) ins['artifacts'] = inputs.map((x, i) => ({ name: `in-${i}`, path: x.path.startsWith('/') ? x.path : `${workdir}/${x.path}` }));
    if (Object.keys(ins).length) t['inputs'] = ins;
    if (outs.length) t['outputs'] = { artifacts: outs.map((p) => ({ name: made.get(p)?.artifact, path: p.startsWith('/') ? p : `${workdir}/${p}` })) };
    return t;
  });
  const used = [...new Set(instances.flatMap((i) => Object.keys(i.params).filter((k) => i.matrix[k] === undefined)))];
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: { generateName: `${dnsName(o.name)}-`, labels: { 'mlops-workbench/project': dnsName(o.name) } },
    spec: {
      entrypoint: 'pipeline',
      ...(used.length ? { arguments: { parameters: used.map((k) => ({ name: paramName(k), value: paramText(paramAt(config.params, k)) })) } } : {}),
      templates: [{ name: 'pipeline', dag: { tasks } }, ...templates],
    },
  };
}

function paramAt(params: Record<string, unknown>, key: string): unknown {
  let node: unknown = params;
  for (const part of key.split('.')) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined;
  return node;
}

const py = (s: string) => JSON.stringify(s);
const pyIdent = (id: string) => `t_${id.replace(/[^A-Za-z0-9_]/g, '_')}`;

export interface AirflowOptions {
  name: string;
  image?: string;
  /** The project folder on the Airflow worker (BashOperator) or in the image (pod). */
  workdir?: string;
}

/** An Airflow 2 DAG file: one task per instance, `>>` for every edge. */
export function airflowDag(instances: StageInstance[], o: AirflowOptions): string {
  const workdir = o.workdir ?? '/project';
  const lines = [
    `"""Airflow DAG of the ${o.name} pipeline, written by \`mlops export airflow\` from mlops.yaml; do not edit, re-export."""`,
    'from datetime import datetime',
    '',
    'from airflow import DAG',
    o.image ? 'from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator' : 'from airflow.operators.bash import BashOperator',
    '',
    `with DAG(dag_id=${py(dnsName(o.name).replace(/-/g, '_'))}, start_date=datetime(2024, 1, 1), schedule=None, catchup=False, tags=["mlops"]) as dag:`,
  ];
  for (const inst of instances) {
    const cmd = commandOf(inst);
    const env = `{"MLOPS_STAGE": ${py(inst.id)}}`;
    if (o.image) {
      lines.push(`    ${pyIdent(inst.id)} = KubernetesPodOperator(task_id=${py(inst.id)}, name=${py(dnsName(`stage-${inst.id}`))}, image=${py(o.image)}, cmds=["sh", "-c"], arguments=[${py(`cd ${workdir} && ${cmd}`)}], env_vars=${env}, get_logs=True)`);
    } else {
      lines.push(`    ${pyIdent(inst.id)} = BashOperator(task_id=${py(inst.id)}, bash_command=${py(`cd ${workdir} && ${cmd}`)}, env=${env}, append_env=True)`);
    }
  }
  const edges = instances.flatMap((inst) => inst.needs.map((n) => `    ${pyIdent(n)} >> ${pyIdent(inst.id)}`));
  if (edges.length) lines.push('', ...edges);
  return lines.join('\n') + '\n';
}

export interface TrainingEnv {
  python_version: string | null;
  packages: string[];
}

/** A Dockerfile that rebuilds a run's Python environment: the same Python and every package pinned. */
export function trainingDockerfile(env: TrainingEnv, runId: string): { dockerfile: string; requirements: string } {
  const version = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(env.python_version ?? '');
  if (!version) throw new Error(`run ${runId} recorded no Python version; run training through \`mlops exec\` or \`mlops run\` with python.interpreter set`);
  const tag = version[3] ? `${version[1]}.${version[2]}.${version[3]}` : `${version[1]}.${version[2]}`;
  const pins = env.packages.filter((p) => /^[A-Za-z0-9_.-]+(\[[^\]]*\])?==\S+$/.test(p)).sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
  const dockerfile = [
    `# Training environment of run ${runId}, written by \`mlops export docker --training\`.`,
    `# Python ${tag} and the ${pins.length} packages that run recorded, each pinned.`,
    `FROM python:${tag}-slim`,
    'WORKDIR /project',
    'COPY requirements.txt /tmp/requirements.txt',
    'RUN pip install --no-cache-dir -r /tmp/requirements.txt',
    'COPY . /project',
    'ENV MLOPS_PYTHON=python',
    'CMD ["python", "--version"]',
    '',
  ].join('\n');
  return { dockerfile, requirements: pins.join('\n') + (pins.length ? '\n' : '') };
}
