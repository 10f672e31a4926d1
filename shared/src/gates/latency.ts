/**
 * The latency gate's measurements: p95 of single-instance predictions of the candidate and of
 * Production, always interleaved in the same run so machine noise hits both. `in_process` times
 * onnxruntime sessions in this process; `endpoint` times HTTP `POST /predict` against temporary
 * serving processes (endpoint.ts), i.e. what a client of a deployment sees. `via: both` (the
 * default) does both and passes only when each passes.
 */
import { type LatencyMeasurement } from '../../../schemas/src/gates';
import { type ModelGates } from '../../../schemas/src/mlops-yaml';
import { type FeatureValue, type ServingModelSpec } from '../../../schemas/src/serving';
import { type LoadedModel } from '../serving/model';
import { GateCannotRun } from './data';
import { endpointP95, type EndpointInfo } from './endpoint';
import { fmt, latencyRule, percentile } from './rules';

type LatencyCfg = NonNullable<ModelGates['latency']>;

export interface LatencyInput {
  g: LatencyCfg;
  rows: FeatureValue[][];
  /** The in-process sessions (loaded on first use). */
  models(): Promise<{ candidate: LoadedModel; production: LoadedModel | null }>;
  candidate: ServingModelSpec;
  production: ServingModelSpec | null;
  /** The serving entry temporary endpoints run; without it the endpoint measurement cannot run. */
  endpoints?: { script: string; onStart?(e: EndpointInfo): void };
  onProgress?(text: string): void;
}

/**
 * Candidate and Production alternate request by request (and which goes first alternates too), so
 * whatever else the machine is doing slows both alike and the ratio stays meaningful.
 */
async function inProcessP95(a: LoadedModel, b: LoadedModel | null, rows: FeatureValue[][], n: number, progress?: (done: number) => void): Promise<{ candidate: number; production: number | null }> {
  const ta: number[] = [];
  const tb: number[] = [];
  const time = async (m: LoadedModel, row: FeatureValue[], into: number[]): Promise<void> => {
    const t0 = performance.now();
    await m.run([row]);
    into.push(performance.now() - t0);
  };
  for (let i = 0; i < 10; i++) {
    await a.run([rows[i % rows.length] as FeatureValue[]]);
    if (b) await b.run([rows[i % rows.length] as FeatureValue[]]);
  }
  const every = Math.max(1, Math.ceil(n / 10));
  for (let i = 0; i < n; i++) {
    const row = rows[i % rows.length] as FeatureValue[];
    if (b && i % 2 === 1) await time(b, row, tb);
    await time(a, row, ta);
    if (b && i % 2 === 0) await time(b, row, tb);
    if ((i + 1) % every === 0) progress?.(i + 1);
  }
  return { candidate: percentile(ta, 95), production: b ? percentile(tb, 95) : null };
}

const measured = (g: LatencyCfg, via: LatencyMeasurement['via'], p: { candidate: number; production: number | null }): LatencyMeasurement => ({
  via,
  candidate: p.candidate,
  production: p.production,
  passed: latencyRule(g, p.candidate, p.production).passed,
});

export async function measureLatency(input: LatencyInput): Promise<LatencyMeasurement[]> {
  const { g, rows } = input;
  const out: LatencyMeasurement[] = [];
  if (g.via !== 'endpoint') {
    const { candidate, production } = await input.models();
    const p = await inProcessP95(candidate, production, rows, g.requests, (i) => input.onProgress?.(`in-process ${i}/${g.requests}`));
    out.push(measured(g, 'in_process', p));
  }
  if (g.via !== 'in_process') {
    if (!input.endpoints) throw new GateCannotRun('no serving entry to start temporary endpoints from; set `via: in_process` to measure in-process only');
    input.onProgress?.(`starting ${input.production ? 'two temporary endpoints' : 'a temporary endpoint'}`);
    const p = await endpointP95({
      script: input.endpoints.script,
      candidate: input.candidate,
      production: input.production,
      rows,
      requests: g.requests,
      ...(input.endpoints.onStart ? { onStart: input.endpoints.onStart } : {}),
      onProgress: (i, n) => input.onProgress?.(`endpoint ${i}/${n}`),
    });
    out.push(measured(g, 'endpoint', p));
  }
  return out;
}

const VIA_TEXT: Record<LatencyMeasurement['via'], string> = { in_process: 'in-process', endpoint: 'through temporary endpoints (HTTP POST /predict)' };

/** The gate's verdict over its measurements: passes when each does; reports the endpoint figures when there are some. */
export function latencyOutcome(g: LatencyCfg, ms: LatencyMeasurement[]): { passed: boolean; rule: string; candidate: number; production: number | null; detail: string } {
  const shown = ms.find((m) => m.via === 'endpoint') ?? (ms[0] as LatencyMeasurement);
  const rule = latencyRule(g, shown.candidate, shown.production).rule;
  const where = ms.length > 1 ? 'in-process and through an endpoint, each' : ms[0]?.via === 'endpoint' ? 'through an endpoint' : 'in-process';
  const each = ms.map((m) => {
    const prod = m.production === null ? '' : ` vs Production ${fmt(m.production)} ms`;
    return `${VIA_TEXT[m.via]}: candidate ${fmt(m.candidate)} ms${prod} (${m.passed ? 'pass' : 'FAIL'})`;
  });
  const figures = ms.length > 1 ? '; the numbers shown are the endpoint figures' : '';
  return {
    passed: ms.every((m) => m.passed),
    rule: `${rule} (${where})`,
    candidate: shown.candidate,
    production: shown.production,
    detail: `p95 ms of ${g.requests} single-instance predictions per model, interleaved; ${each.join('; ')}${figures}`,
  };
}
