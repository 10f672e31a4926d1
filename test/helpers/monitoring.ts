/**
 * A monitoring test project: its mlops.yaml, the churn classifier (age, tenure, spend), a reference
 * dataset drawn from known distributions, a daemon with the project deployed for a test file,
 * deterministic traffic generators (normal or drifted on chosen features) and the monitoring calls
 * through the declared endpoints.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { type DaemonClient } from '../../client/src/client';
import * as endpoints from '../../schemas/src/endpoints';
import { type MlopsConfigInput } from '../../schemas/src/mlops-yaml';
import { writeLinearOnnx } from './onnx';
import { CHURN_FEATURES, deploy, portOf, postJson, registry } from './serving';
import { daemonSuite, type DaemonSuite, type SuiteOptions } from './suite';

type MonitoringInput = NonNullable<MlopsConfigInput['monitoring']>;

export interface MonitoredProject {
  /** `project.name`. */
  name: string;
  /** Predictions per window, and the drift sample size (the whole window is compared). */
  window: number;
  /** More of the global `monitoring` section: drift, accuracy, latency thresholds. */
  monitoring?: MonitoringInput;
  deployments: NonNullable<MlopsConfigInput['deployments']>;
}

/**
 * mlops.yaml of the monitored churn project: dataset `ref` (data/ref.csv, see writeReference), model
 * `churn` (age, tenure in [0, 60], spend), monitoring against `ref` with one-second slices and
 * evaluations (fast enough for tests) over windows of `window` predictions, and the given deployments.
 */
export function monitoredProjectYaml(p: MonitoredProject): string {
  const config: MlopsConfigInput = {
    version: 1,
    project: { name: p.name },
    data: { ref: { paths: ['data/ref.csv'], watch: false } },
    models: { churn: { task: 'classification', signature: { inputs: CHURN_FEATURES.map((name) => (name === 'tenure' ? { name, range: [0, 60] } : { name })) } } },
    monitoring: { reference: 'ref', window: p.window, slice: '1s', evaluate_every: '1s', sample_size: p.window, ...p.monitoring },
    deployments: p.deployments,
  };
  return stringify(config);
}

/** Mulberry32: a small seeded generator, so traffic (and the drift verdicts) are the same every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(rand: () => number, mean: number, sd: number): number {
  const u = Math.max(1e-12, rand());
  return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

export interface Shift {
  age?: number;
  spendFactor?: number;
}

/** One churn row: age ~ N(40, 10), tenure ~ U(0, 60), spend ~ N(100, 20); shifted as asked. */
export function churnRow(rand: () => number, shift: Shift = {}): [number, number, number] {
  const age = normal(rand, 40, 10) + (shift.age ?? 0);
  const tenure = rand() * 60;
  const spend = normal(rand, 100, 20) * (shift.spendFactor ?? 1);
  return [Math.round(age * 100) / 100, Math.round(tenure * 100) / 100, Math.round(spend * 100) / 100];
}

/** Writes `data/ref.csv` (age, tenure, spend, churned) with `rows` rows. */
export function writeReference(root: string, rows: number, seed = 1): string {
  const rand = seeded(seed);
  const lines = ['age,tenure,spend,churned'];
  for (let i = 0; i < rows; i++) lines.push([...churnRow(rand), rand() < 0.3 ? 1 : 0].join(','));
  mkdirSync(join(root, 'data'), { recursive: true });
  const file = join(root, 'data', 'ref.csv');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

export interface Predicted {
  id: string;
  label: number;
  /** The instance sent (age, tenure, spend). */
  row: [number, number, number];
}

/** Sends `n` churn rows, one request each; returns each request id with the label the model gave. */
export async function predictChurn(port: number, rand: () => number, n: number): Promise<Predicted[]> {
  const sent: Predicted[] = [];
  for (let i = 0; i < n; i++) {
    const row = churnRow(rand);
    const r = await postJson(port, '/predict', row);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const body = r.json as { request_id: string; predictions: { label: number }[] };
    sent.push({ id: body.request_id, label: Number(body.predictions[0]?.label), row });
  }
  return sent;
}

export function monitoringApi(c: DaemonClient) {
  return {
    alerts: (all = false, deployment?: string) => c.request(endpoints.listAlerts, { query: { all: all ? 'true' : 'false', ...(deployment ? { deployment } : {}) } }),
    ack: (id: string) => c.request(endpoints.ackAlert, { params: { id }, body: { reason: 'seen' } }),
    silence: (name: string, period: string) => c.request(endpoints.silenceDeployment, { params: { name }, body: { for: period, reason: 'maintenance' } }),
    monitor: (name: string) => c.request(endpoints.getMonitor, { params: { name } }),
    prediction: (id: string, deployment?: string) => c.request(endpoints.getPrediction, { params: { request_id: id }, query: deployment ? { deployment } : {} }),
    feedback: (name: string, items: { request_id: string; label: number | string }[]) => c.request(endpoints.postFeedback, { params: { name }, body: { feedback: items } }),
    series: (name: string) => c.request(endpoints.monitoringSeries, { params: { name }, query: {} }),
    windows: (name: string) => c.request(endpoints.monitoringWindows, { params: { name }, query: {} }),
    distribution: (name: string, window: number, feature: string) => c.request(endpoints.monitoringDistribution, { params: { name, window }, query: { feature } }),
  };
}

export interface MonitoredSuite extends DaemonSuite {
  /** The loopback port of each deployment deployed before the tests. */
  readonly ports: Record<string, number>;
}

export interface MonitoredSuiteOptions {
  /** The mlops.yaml (monitoredProjectYaml), or a function called in the before hook (see daemonSuite). */
  config: SuiteOptions['config'];
  prefix?: string;
  /** Rows of data/ref.csv, snapshotted as ref@1. */
  referenceRows: number;
  /** Registers more versions after churn v1 (the linear model, in Production). */
  register?: (s: DaemonSuite) => Promise<unknown>;
  /** Deployed in this order; each must be serving. */
  deploy: string[];
}

/** A test file's monitored churn project and daemon (see daemonSuite), deployed before the first test. */
export function monitoredSuite(opts: MonitoredSuiteOptions): MonitoredSuite {
  const ports: Record<string, number> = {};
  const suite = daemonSuite({
    config: opts.config,
    prefix: opts.prefix,
    prepare: (root) => writeReference(root, opts.referenceRows),
    setup: async (s) => {
      const c = s.daemon.client;
      await c.snapshot('ref', 'reference');
      await registry(c).register('churn', { artifact_path: writeLinearOnnx(join(s.project.root, 'models', 'churn.onnx'), { features: CHURN_FEATURES, seed: 1 }) });
      await registry(c).setStage('churn', 1, 'Production');
      await opts.register?.(s);
      for (const name of opts.deploy) {
        const st = await deploy(c, name);
        assert.equal(st.state, 'serving', st.error ?? '');
        ports[name] = portOf(st);
      }
    },
  });
  return Object.assign(suite, { ports });
}
