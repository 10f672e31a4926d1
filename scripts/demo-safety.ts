/**
 * The demo's safety step (called by scripts/demo.ts, after the monitoring step): registers a release
 * of the churn model that fails at run time and promotes it to Production while `monitored` (which
 * follows Production, with a breaker, fallback rules and `on_alert: {error_rate: rollback}` in
 * mlops.yaml) is under traffic. The breaker opens and the rules answer (`"fallback": true`), the
 * error-rate alert opens, and Production goes back to the previous version by itself: no request
 * fails on the way.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { attr, buildModel } from '../daemon/src/onnx/graph';
import { DataType } from '../daemon/src/onnx/onnx-types';
import { type DemoContext } from './demo-serving';

/**
 * The trained model's inputs and outputs, but its first step looks each feature value up in a
 * three-entry table: any value above 2 (most tenures) is an out-of-bounds error inside onnxruntime.
 */
function writeFaultyModel(dir: string): { file: string; features: string[] } {
  const header = (readFileSync(join(dir, 'data', 'holdout.csv'), 'utf8').split('\n')[0] ?? '').split(',');
  const features = header.filter((c) => c !== 'churned');
  const f = features.length;
  const bytes = buildModel({
    graphName: 'churn_faulty',
    producerName: 'mlops-demo',
    nodes: [
      { op: 'Cast', inputs: ['features'], outputs: ['idx'], attrs: { to: attr.int(DataType.INT64) } },
      { op: 'Gather', inputs: ['table', 'idx'], outputs: ['looked_up'], attrs: { axis: attr.int(0) } },
      { op: 'MatMul', inputs: ['looked_up', 'weights'], outputs: ['logit'] },
      { op: 'Sigmoid', inputs: ['logit'], outputs: ['probability'] },
      { op: 'Greater', inputs: ['probability', 'threshold'], outputs: ['is_positive'] },
      { op: 'Cast', inputs: ['is_positive'], outputs: ['label'], attrs: { to: attr.int(DataType.INT64) } },
    ],
    initializers: [
      { name: 'table', type: 'float', dims: [3], values: [0.1, 0.2, 0.3] },
      { name: 'weights', type: 'float', dims: [f, 1], values: new Array<number>(f).fill(0.1) },
      { name: 'threshold', type: 'float', dims: [], values: [0.5] },
    ],
    inputs: [{ name: 'features', type: { tensor: 'float', dims: ['N', f] } }],
    outputs: [
      { name: 'probability', type: { tensor: 'float', dims: ['N', 1] } },
      { name: 'label', type: { tensor: 'int64', dims: ['N', 1] } },
    ],
    opsets: { '': 13 },
  });
  mkdirSync(join(dir, 'artifacts'), { recursive: true });
  writeFileSync(join(dir, 'artifacts', 'faulty.onnx'), bytes);
  return { file: 'artifacts/faulty.onnx', features };
}

/** Holdout rows as instances of the signature's features. */
function instances(dir: string, features: string[]): Record<string, number>[] {
  const [header, ...lines] = readFileSync(join(dir, 'data', 'holdout.csv'), 'utf8').trim().split('\n');
  const cols = (header ?? '').split(',');
  return lines.slice(0, 100).map((l) => {
    const v = l.split(',').map(Number);
    return Object.fromEntries(features.map((name) => [name, v[cols.indexOf(name)] as number]));
  });
}

interface Traffic {
  answered: number;
  failed: number;
  fallback: number;
  /** Answered by a model version, not the rules. */
  direct: number;
  /** Versions that answered (not the rules), in the order they first did. */
  versions: number[];
  stop(): Promise<void>;
}

/** Two clients posting holdout rows one at a time until stopped (bounded). */
function traffic(url: string, rows: Record<string, number>[]): Traffic {
  let running = true;
  const t: Traffic = { answered: 0, failed: 0, fallback: 0, direct: 0, versions: [], stop: async () => undefined };
  const client = async (offset: number): Promise<void> => {
    for (let i = offset; running && i < 100_000; i++) {
      const res = await fetch(`${url}/predict`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ instances: [rows[i % rows.length]] }) }).catch(() => null);
      const body = res?.status === 200 ? ((await res.json()) as { fallback?: boolean; model_version?: number }) : null;
      if (!body) {
        t.failed++;
        continue;
      }
      t.answered++;
      if (body.fallback) t.fallback++;
      else t.direct++;
      if (!body.fallback && body.model_version !== undefined && t.versions[t.versions.length - 1] !== body.model_version) t.versions.push(body.model_version);
    }
  };
  const clients = [client(0), client(50)];
  t.stop = async () => {
    running = false;
    await Promise.all(clients);
  };
  return t;
}

const productionOf = (ctx: DemoContext): number | null => ctx.mlopsJson<{ model: { production_version: number | null } }>('models', 'show', 'churn').model.production_version;

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not happen within 60 s`);
}

export async function safetyStep(ctx: DemoContext): Promise<void> {
  const before = productionOf(ctx);
  const dep = ctx.mlopsJson<{ url: string | null }>('deployments', 'show', 'monitored');
  if (before === null || !dep.url) throw new Error('monitored is not serving a Production version');
  const faulty = writeFaultyModel(ctx.dir);
  const reg = ctx.mlopsJson<{ version: { version: number } }>('models', 'register', 'churn', faulty.file, '--description', 'demo: a release that fails at run time');
  const v = reg.version.version;

  ctx.step(`Promote v${v}, which throws at run time, while monitored is under traffic`);
  const load = traffic(dep.url, instances(ctx.dir, faulty.features));
  ctx.mlops('models', 'promote', 'churn', String(v), '--to', 'Production', '--reason', 'demo: a faulty release');
  await until(`the rollback to v${before}`, () => productionOf(ctx) === before);
  // The rollback hands over to the earlier version; wait until it answers again, breaker closed.
  const directBefore = load.direct;
  await until(`v${before} answering again`, () => load.direct > directBefore + 20);
  await load.stop();
  console.log(`  ${load.answered} requests answered, ${load.failed} failed; ${load.fallback} answered by the fallback rules ("fallback": true)`);
  console.log(`  versions that answered, in order: ${load.versions.join(' → ')}`);
  if (load.failed > 0 || load.fallback === 0) throw new Error(`expected fallback answers and no failed request: ${load.fallback} fallback, ${load.failed} failed`);
  console.log(`Production rolled back by the rule from v${v} to v${before}`);

  ctx.step('The alerts and the audit trail: breaker, error-rate alert, automatic rollback');
  ctx.mlops('alerts', '--all', '--deployment', 'monitored');
  ctx.mlops('events', '--subject', 'deployment:monitored');
}
