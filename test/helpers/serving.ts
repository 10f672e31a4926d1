/**
 * A serving test project: models (linear churn classifier, tree ensemble, columns model with a
 * categorical feature), deployments of them in mlops.yaml, versions registered and promoted through
 * the real daemon. Plus a keep-alive HTTP client for load loops.
 */
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { type DaemonClient } from '../../client/src/client';
import { type Stage } from '../../schemas/src/api';
import * as endpoints from '../../schemas/src/endpoints';
import { type DeploymentStatus } from '../../schemas/src/serving';
import { writeLinearOnnx } from './onnx';
import { columnsOnnx, randomTrees, treeEnsembleOnnx, writeBytes } from './onnx-graphs';

export const CHURN_FEATURES = ['age', 'tenure', 'spend'];
export const PLANS = ['basic', 'plus', 'pro'];

export function servingConfig(extraDeployments = ''): string {
  return `version: 1
project:
  name: serving-test
models:
  churn:
    task: classification
    signature:
      inputs:
        - name: age
        - name: tenure
        - name: spend
  forest:
    task: classification
    signature:
      inputs:
        - name: f0
        - name: f1
        - name: f2
        - name: f3
  pricing:
    task: regression
    signature:
      input_mode: columns
      inputs:
        - name: age
        - name: plan
          type: string
          categories: [${PLANS.join(', ')}]
deployments:
  prod:
    model: churn
  guarded:
    model: churn
    alias: champion
    auth: token
    max_instances: 5
    max_body_bytes: 2048
  forest:
    model: forest
  pricing:
    model: pricing
    version: 1
${extraDeployments}retention:
  keep_versions: 100
`;
}

/** Registers churn v1 (Production) and v2, forest v1 (Production), pricing v1; alias champion → churn v1. */
export async function seedRegistry(client: DaemonClient, root: string): Promise<void> {
  const c = registry(client);
  for (const seed of [1, 2]) {
    const file = writeLinearOnnx(join(root, 'models', `churn-${seed}.onnx`), { features: CHURN_FEATURES, seed });
    await c.register('churn', { artifact_path: file });
  }
  await c.setStage('churn', 1, 'Production');
  await c.setAlias('churn', 'champion', 1);
  const forest = writeBytes(join(root, 'models', 'forest.onnx'), treeEnsembleOnnx({ trees: randomTrees(20, 5, 4, 3), features: 4, classes: 3 }));
  await c.register('forest', { artifact_path: forest });
  await c.setStage('forest', 1, 'Production');
  await c.register('pricing', { artifact_path: writeBytes(join(root, 'models', 'pricing.onnx'), columnsOnnx(PLANS)) });
}

export function deploy(c: DaemonClient, name: string): Promise<DeploymentStatus> {
  return c.request(endpoints.deployDeployment, { params: { name }, query: {} });
}

export function stopDeployment(c: DaemonClient, name: string): Promise<DeploymentStatus> {
  return c.request(endpoints.stopDeployment, { params: { name } });
}

export function showDeployment(c: DaemonClient, name: string) {
  return c.request(endpoints.getDeployment, { params: { name } });
}

/** The registry calls serving tests make, through the declared endpoints. */
export function registry(c: DaemonClient) {
  return {
    register: (name: string, body: { artifact_path: string }) => c.register(name, body),
    setStage: (name: string, version: number, stage: Stage, reason = '') => c.request(endpoints.setStage, { params: { name, version }, body: { stage, reason } }),
    setAlias: (name: string, alias: string, version: number) => c.request(endpoints.setAlias, { params: { name, alias }, body: { version, reason: '' } }),
    rollback: (name: string, reason = '') => c.request(endpoints.rollbackModel, { params: { name }, body: { reason } }),
    getModel: (name: string) => c.request(endpoints.getModel, { params: { name }, query: {} }),
    getVersion: (name: string, version: number) => c.request(endpoints.getModelVersion, { params: { name, version } }),
    events: (after: number, limit: number, subject: string) => c.request(endpoints.listEvents, { query: { after, limit, subject } }),
  };
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** POST JSON over a keep-alive pool; resolves with status and parsed body (never rejects on HTTP status). */
export function postJson(port: number, path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: unknown }> {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers }, timeout: 20_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const t = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(t);
          } catch {
            json = t;
          }
          resolve({ status: res.statusCode ?? 0, json });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`POST ${path}: no answer in time`)));
    req.on('error', reject);
    req.end(text);
  });
}

export function portOf(st: DeploymentStatus): number {
  if (!st.url) throw new Error(`deployment ${st.name} has no URL (state ${st.state}, error ${st.error ?? 'none'})`);
  return Number(new URL(st.url).port);
}
