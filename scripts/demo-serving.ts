/**
 * The demo's serving step (called by scripts/demo.ts): deploys `production`, sends a burst through
 * each protocol, promotes v2 under load and shows the endpoint switching with no failed request,
 * rolls back the same way, and scores the holdout CSV in batch.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DemoContext {
  dir: string;
  mlops(...args: string[]): string;
  mlopsJson<T>(...args: string[]): T;
  step(title: string): void;
}

interface Deployment {
  url: string | null;
  version: number | null;
  state: string;
  spec: { features: { name: string }[] } | null;
}

function firstRows(dir: string, n: number): Record<string, number>[] {
  const [header, ...lines] = readFileSync(join(dir, 'data', 'holdout.csv'), 'utf8').trim().split('\n');
  const cols = (header ?? '').split(',');
  return lines.slice(0, n).map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i] as string, Number(v)])));
}

async function post(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

async function burst(name: string, n: number, send: () => Promise<{ status: number }>): Promise<void> {
  const t0 = performance.now();
  let ok = 0;
  for (let i = 0; i < n; i++) if ((await send()).status === 200) ok++;
  const ms = performance.now() - t0;
  if (ok < n) throw new Error(`${name}: ${n - ok} of ${n} requests failed`);
  console.log(`  ${name.padEnd(34)} ${ok}/${n} ok, ${(ms / n).toFixed(2)} ms per request`);
}

/** Clients posting /predict until `until` resolves; counts answers by served version and failures. */
async function underLoad(url: string, instance: Record<string, number>, until: (versions: Set<number>) => boolean): Promise<{ ok: number; failed: number; versions: number[] }> {
  const seen = new Set<number>();
  const order: number[] = [];
  let ok = 0;
  let failed = 0;
  const deadline = Date.now() + 30_000;
  const worker = async (): Promise<void> => {
    while (!until(seen) && Date.now() < deadline) {
      const r = await post(`${url}/predict`, { instances: [instance] }).catch(() => ({ status: 0, json: {} as Record<string, unknown> }));
      if (r.status !== 200) failed++;
      else {
        ok++;
        const v = Number(r.json['model_version']);
        if (!seen.has(v)) order.push(v);
        seen.add(v);
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return { ok, failed, versions: order };
}

async function switchUnderLoad(url: string, instance: Record<string, number>, from: number, to: number, change: () => void): Promise<void> {
  const loop = underLoad(url, instance, (v) => v.has(to));
  await new Promise((r) => setTimeout(r, 300));
  change();
  const r = await loop;
  console.log(`  served versions in order: ${r.versions.join(' → ')}; ${r.ok} requests answered, ${r.failed} failed`);
  if (r.failed) throw new Error(`${r.failed} requests failed during the switch from v${from} to v${to}`);
}

export async function servingStep(ctx: DemoContext): Promise<void> {
  ctx.step('Serve Production as a live endpoint');
  ctx.mlops('deploy', 'production');
  const dep = ctx.mlopsJson<Deployment>('deployments', 'show', 'production');
  if (!dep.url) throw new Error(`production is ${dep.state}`);
  const url = dep.url;
  const rows = firstRows(ctx.dir, 20);
  // The signature's features, in order; the CSV also holds the label, which the model does not take.
  const features = (dep.spec?.features ?? []).map((f) => f.name);
  const instance = Object.fromEntries(features.map((f) => [f, (rows[0] as Record<string, number>)[f] as number]));

  ctx.step('A burst through each protocol (same model, same checks)');
  await burst('POST /predict', 200, () => post(`${url}/predict`, { instances: [instance] }));
  await burst('POST /invocations (MLflow)', 200, () => post(`${url}/invocations`, { dataframe_split: { columns: features, data: [features.map((f) => instance[f])] } }));
  await burst('POST /v2/models/churn/infer (KServe)', 200, () =>
    post(`${url}/v2/models/churn/infer`, { inputs: [{ name: 'features', shape: [1, features.length], datatype: 'FP32', data: features.map((f) => instance[f]) }] }),
  );
  const bad = await post(`${url}/predict`, { instances: [{ ...instance, contract_type: 7 }] });
  console.log(`  a value outside the declared categories → ${bad.status}: ${JSON.stringify(bad.json['error'])}`);

  ctx.step('Promote v2 under load: the endpoint switches with no failed request');
  await switchUnderLoad(url, instance, 1, 2, () => ctx.mlops('models', 'promote', 'churn', '2', '--to', 'Production', '--reason', 'demo: serve v2'));
  ctx.step('Roll back under load');
  await switchUnderLoad(url, instance, 2, 1, () => ctx.mlops('models', 'rollback', 'churn', '--reason', 'demo: back to v1'));
  ctx.mlops('deployments', 'list');

  ctx.step('Score a CSV in batch, without an endpoint');
  ctx.mlops('predict', 'churn', '--input', 'data/holdout.csv', '--output', 'artifacts/holdout-scored.csv');
}
