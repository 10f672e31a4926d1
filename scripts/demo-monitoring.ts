/**
 * The demo's monitoring step (called by scripts/demo.ts): deploys `monitored` (the churn model with
 * drift measured against the training data), sends normal holdout traffic with its true labels, then
 * traffic where two features drifted and whose customers behave differently (labels flipped), and
 * shows the drift alert naming exactly the drifted features and the accuracy drop from feedback.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DemoContext } from './demo-serving';

interface Row {
  features: Record<string, number>;
  churned: number;
}

interface AlertList {
  alerts: { id: string; kind: string; evidence: { message: string; features?: { name: string }[]; values: Record<string, number | null> } }[];
}

function holdoutRows(dir: string, features: string[]): Row[] {
  const [header, ...lines] = readFileSync(join(dir, 'data', 'holdout.csv'), 'utf8').trim().split('\n');
  const cols = (header ?? '').split(',');
  return lines.map((l) => {
    const v = l.split(',').map(Number);
    const at = (name: string): number => v[cols.indexOf(name)] as number;
    return { features: Object.fromEntries(features.map((f) => [f, at(f)])), churned: at('churned') };
  });
}

/** Posts each row alone; returns the request ids the endpoint gave. */
async function send(url: string, rows: Row[]): Promise<string[]> {
  const ids: string[] = [];
  for (const r of rows) {
    const res = await fetch(`${url}/predict`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ instances: [r.features] }) });
    const body = (await res.json()) as { request_id?: string };
    if (res.status !== 200 || !body.request_id) throw new Error(`/predict answered ${res.status}: ${JSON.stringify(body)}`);
    ids.push(body.request_id);
  }
  return ids;
}

async function waitForAlert(ctx: DemoContext, kind: string): Promise<AlertList['alerts'][number]> {
  for (let i = 0; i < 150; i++) {
    const found = ctx.mlopsJson<AlertList>('alerts', '--deployment', 'monitored').alerts.find((a) => a.kind === kind);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no ${kind} alert opened within 30 s`);
}

function writeLabels(dir: string, file: string, ids: string[], labels: number[]): void {
  writeFileSync(join(dir, file), ['request_id,label', ...ids.map((id, i) => `${id},${labels[i]}`)].join('\n') + '\n');
}

export async function monitoringStep(ctx: DemoContext): Promise<void> {
  ctx.step('Deploy `monitored`: drift against data.train, accuracy from feedback');
  ctx.mlops('deploy', 'monitored');
  const dep = ctx.mlopsJson<{ url: string | null; spec: { features: { name: string }[] } | null }>('deployments', 'show', 'monitored');
  if (!dep.url) throw new Error('monitored is not serving');
  const rows = holdoutRows(ctx.dir, (dep.spec?.features ?? []).map((f) => f.name));

  ctx.step('Normal traffic: 200 holdout customers, then their true labels');
  const normal = rows.slice(0, 200);
  const normalIds = await send(dep.url, normal);
  writeLabels(ctx.dir, 'artifacts/labels-normal.csv', normalIds, normal.map((r) => r.churned));
  ctx.mlops('feedback', 'monitored', '--input', 'artifacts/labels-normal.csv');
  ctx.mlops('monitor', 'monitored');

  ctx.step('Drifted traffic: longer tenures and higher bills; these customers churn the other way');
  const drifted = rows.slice(200, 400).map((r) => ({
    features: { ...r.features, tenure_months: Math.min(72, (r.features['tenure_months'] ?? 0) + 40), monthly_charges: (r.features['monthly_charges'] ?? 0) * 1.6 },
    churned: 1 - r.churned,
  }));
  const driftedIds = await send(dep.url, drifted);
  writeLabels(ctx.dir, 'artifacts/labels-drifted.csv', driftedIds, drifted.map((r) => r.churned));
  ctx.mlops('feedback', 'monitored', '--input', 'artifacts/labels-drifted.csv');

  const drift = await waitForAlert(ctx, 'drift');
  const names = (drift.evidence.features ?? []).map((f) => f.name).sort();
  console.log(`  drift alert ${drift.id} names: ${names.join(', ')}`);
  if (names.join(',') !== 'monthly_charges,tenure_months') throw new Error(`the drift alert named ${names.join(', ')}, expected monthly_charges and tenure_months`);
  const accuracy = await waitForAlert(ctx, 'accuracy');
  console.log(`  accuracy alert ${accuracy.id}: ${accuracy.evidence.message}`);
  ctx.mlops('alerts');
  ctx.mlops('monitor', 'monitored');
}
