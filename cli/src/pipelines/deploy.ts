/**
 * The built-in `deploy` stage: points a deployment at the version the pipeline just registered,
 * through the registry's ordinary promotion (stage) or alias path, so whatever checks the registry
 * runs on a promotion (a model's gates) apply exactly as for `mlops models promote`. Then it starts
 * the deployment, or, when it already serves, lets it switch versions the zero-downtime way the
 * daemon does on any promotion, and waits until the new version serves or failed.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import * as endpoints from '../../../schemas/src/endpoints';
import { type DeploymentStatus } from '../../../schemas/src/serving';
import { type DaemonClient } from '../../../client/src/client';

export interface DeployStageInput {
  deployment: string;
  /** Version registered by this pipeline run, by model; otherwise the model's latest version. */
  registered: ReadonlyMap<string, number>;
  /** Recorded as the promotion's reason: "pipeline run <id> (stage deploy)". */
  reason: string;
  log(text: string): void;
  waitMs?: number;
}

const POLL_MS = 250;

/** Runs the stage; returns the note the stage result shows; throws with what went wrong. */
export async function deployStage(client: DaemonClient, o: DeployStageInput): Promise<string> {
  const before = await client.request(endpoints.getDeployment, { params: { name: o.deployment } });
  const model = before.model;
  const version = o.registered.get(model) ?? (await latestVersion(client, model));
  await pointAt(client, before, version, o.reason);
  o.log(`deployment ${o.deployment}: ${model} version ${version} now ${describeFollows(before)}\n`);
  const live = before.state === 'serving' || before.state === 'starting';
  const after = live ? await awaitSwitch(client, o.deployment, version, o.waitMs ?? 120_000) : await client.request(endpoints.deployDeployment, { params: { name: o.deployment }, query: { wait_ms: o.waitMs ?? 120_000 } });
  if (after.state !== 'serving' || after.version !== version) {
    const why = after.error ?? `state ${after.state}, serving version ${after.version ?? 'none'}`;
    throw new Error(`deployment ${o.deployment} did not come to serve ${model} version ${version}: ${why}; see .mlops/serving/${o.deployment}.log`);
  }
  o.log(`deployment ${o.deployment}: serving version ${version} at ${after.url ?? '?'}\n`);
  return `deployment ${o.deployment} serves ${model} version ${version}${live ? ` (switched from ${before.version ?? 'none'})` : ''}`;
}

async function latestVersion(client: DaemonClient, model: string): Promise<number> {
  const m = await client.request(endpoints.getModel, { params: { name: model }, query: { limit: 1 } });
  if (m.model.latest_version === null) throw new Error(`model ${model} has no version to deploy; put a register stage for it before the deploy stage`);
  return m.model.latest_version;
}

function describeFollows(d: DeploymentStatus): string {
  return d.follows.kind === 'stage' ? `in ${d.follows.value}` : d.follows.kind === 'alias' ? `@${d.follows.value}` : `(fixed version ${d.follows.value})`;
}

/** Moves the stage or alias the deployment follows; a fixed version cannot be moved by a pipeline. */
async function pointAt(client: DaemonClient, d: DeploymentStatus, version: number, reason: string): Promise<void> {
  const { kind, value } = d.follows;
  if (kind === 'stage') {
    const stage = value === 'Staging' ? 'Staging' : 'Production';
    await client.request(endpoints.setStage, { params: { name: d.model, version }, body: { stage, reason } });
  } else if (kind === 'alias') {
    await client.request(endpoints.setAlias, { params: { name: d.model, alias: value }, body: { version, reason } });
  } else if (Number(value) !== version) {
    throw new Error(`deployment ${d.name} is pinned to version ${value} (deployments.${d.name}.version); a deploy stage moves a stage or alias: set \`stage\` or \`alias\` instead`);
  }
}

/** A serving deployment follows the promotion by itself; wait until it serves the version or refused it. */
async function awaitSwitch(client: DaemonClient, name: string, version: number, waitMs: number): Promise<DeploymentStatus> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const s = await client.request(endpoints.getDeployment, { params: { name } });
    const refused = s.error !== null && s.error.includes(`version ${version} failed`);
    if ((s.state === 'serving' && s.version === version) || refused || s.state === 'failed' || s.state === 'stopped' || Date.now() > deadline) return s;
    await sleep(POLL_MS);
  }
}
