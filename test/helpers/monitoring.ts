/**
 * A monitoring test project: the churn classifier (age, tenure, spend), a reference dataset drawn
 * from known distributions, deterministic traffic generators (normal or drifted on chosen features)
 * and the monitoring calls through the declared endpoints.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DaemonClient } from '../../client/src/client';
import * as endpoints from '../../schemas/src/endpoints';

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
