/**
 * The demo's gates step (called by scripts/demo.ts): declares a holdout gate on the churn model in
 * mlops.yaml, shows `mlops check` passing for v2 against Production v1 and promotes it (the
 * registry runs the gates first), then registers a deliberately worse model (random weights) whose
 * promotion is refused with both numbers, and writes the JUnit report CI would upload.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildLinearModelOnnx } from '../daemon/src/onnx/linear';
import { applyYamlEdits, yamlEdits } from '../language-server/src/python/yaml-edit';
import { type DemoContext } from './demo-serving';

export interface GatesDemoContext extends DemoContext {
  /** Runs the CLI and returns its exit code and output, without throwing on a non-zero exit. */
  mlopsStatus(...args: string[]): { code: number | null; out: string };
  /** Commits the project's tracked changes with this message. */
  commit(message: string): void;
}

function declareGate(dir: string): void {
  const file = join(dir, 'mlops.yaml');
  const text = readFileSync(file, 'utf8');
  const gate = { holdout: { dataset: 'holdout', label: 'churned', metric: 'auc', min_delta: 0.001, min: 0.7 } };
  const edits = yamlEdits(text, [{ op: 'set', path: ['models', 'churn', 'gates'], value: gate }]);
  if (typeof edits === 'string') throw new Error(`cannot edit mlops.yaml: ${edits}`);
  writeFileSync(file, applyYamlEdits(text, edits));
  console.log('\x1b[36m# mlops.yaml: models.churn.gates.holdout = { dataset: holdout, label: churned, metric: auc, min_delta: 0.001, min: 0.7 }\x1b[0m');
}

/** Same signature as the trained model, weights drawn at random: it ranks customers badly. */
function writeWorseModel(dir: string): string {
  const header = (readFileSync(join(dir, 'data', 'holdout.csv'), 'utf8').split('\n')[0] ?? '').split(',');
  const features = header.filter((c) => c !== 'churned');
  let x = 12345;
  const weights = features.map(() => ((x = (48271 * x) % 2147483647) / 2147483647 - 0.5) * 0.02);
  const file = join(dir, 'artifacts', 'worse.onnx');
  mkdirSync(join(dir, 'artifacts'), { recursive: true });
  writeFileSync(file, buildLinearModelOnnx({ task: 'classification', weights, bias: 0, featureNames: features }));
  return 'artifacts/worse.onnx';
}

export function gatesStep(ctx: GatesDemoContext): void {
  declareGate(ctx.dir);
  ctx.commit('gates: a holdout gate on the churn model');
  const prod = ctx.mlopsJson<{ model: { production_version: number | null } }>('models', 'show', 'churn').model.production_version;
  if (prod !== 1) throw new Error(`expected v1 in Production before the gates step, found ${prod}`);
  ctx.step('v2 against Production v1: the gates pass, and promotion (which runs them again) goes through');
  const check = ctx.mlopsStatus('check', 'churn', '2');
  console.log(check.out);
  if (check.code !== 0) throw new Error(`mlops check churn 2 exited ${check.code}`);
  ctx.mlops('models', 'promote', 'churn', '2', '--to', 'Production', '--reason', 'passes the holdout gate');
  ctx.step('A deliberately worse model (random weights) is refused, naming the gate and both numbers');
  const worse = writeWorseModel(ctx.dir);
  const reg = ctx.mlopsJson<{ version: { version: number } }>('models', 'register', 'churn', worse, '--description', 'deliberately worse: random weights');
  const v = String(reg.version.version);
  const refused = ctx.mlopsStatus('models', 'promote', 'churn', v, '--to', 'Production');
  console.log(refused.out);
  if (refused.code !== 1 || !/refused: holdout failed/.test(refused.out)) throw new Error(`the worse model v${v} was not refused: exit ${refused.code}`);
  ctx.step('mlops check writes the JUnit report a CI job uploads');
  const junit = ctx.mlopsStatus('check', 'churn', v, '--junit', 'artifacts/gates.xml');
  console.log(junit.out);
  if (junit.code !== 1) throw new Error(`mlops check churn ${v} exited ${junit.code}, expected 1 (a gate failed)`);
  console.log(readFileSync(join(ctx.dir, 'artifacts', 'gates.xml'), 'utf8'));
  ctx.mlops('models', 'show', 'churn', '--limit', '3');
}
