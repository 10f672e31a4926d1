/**
 * Real models and data for the gates: logistic regressions written by the exporter's ONNX writer
 * (daemon/src/onnx/sklearn.ts), a holdout CSV whose labels follow a known linear rule, canonical
 * examples every sensible model agrees on, and a deliberately slow graph (a chain of 384×384 MatMuls).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { buildModel, type GraphNode, type Initializer } from '../../daemon/src/onnx/graph';
import { buildSklearnOnnx } from '../../daemon/src/onnx/sklearn';

export const GATE_FEATURES = ['age', 'tenure', 'spend'];
/** The rule the holdout labels follow; a model closer to it ranks them better. */
export const TRUE_COEF = [1.5, -1, 0.5];

function rng(seed: number): () => number {
  let x = seed % 2147483647 || 1;
  return () => (x = (48271 * x) % 2147483647) / 2147483647;
}

function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r());
}

function write(file: string, bytes: Uint8Array | string): string {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, bytes);
  return file;
}

export function writeLogistic(file: string, coef: number[], intercept = 0): string {
  return write(
    file,
    buildSklearnOnnx(
      { steps: [], predictor: { kind: 'logistic_regression', coef: [coef], intercept: [intercept], classes: [0, 1], multi_class: 'ovr' } },
      { featureNames: GATE_FEATURES },
    ),
  );
}

/** `rows` customers, label 1 with probability σ(TRUE_COEF·x). */
export function writeHoldout(file: string, rows: number, seed = 5): string {
  const r = rng(seed);
  const lines = [`${GATE_FEATURES.join(',')},churned`];
  for (let i = 0; i < rows; i++) {
    const x = GATE_FEATURES.map(() => gauss(r));
    const s = x.reduce((a, v, k) => a + v * (TRUE_COEF[k] as number), 0);
    lines.push(`${x.map((v) => v.toFixed(5)).join(',')},${r() < 1 / (1 + Math.exp(-s)) ? 1 : 0}`);
  }
  return write(file, lines.join('\n') + '\n');
}

/** Far from the decision boundary, where every model with the right signs agrees. */
export function writeCanonical(file: string): string {
  const examples = [
    { inputs: { age: 4, tenure: -4, spend: 1 }, label: 1 },
    { inputs: { age: -4, tenure: 4, spend: -1 }, label: 0 },
    { inputs: [3, -3, 0], label: 1 },
  ];
  return write(file, JSON.stringify(examples, null, 2));
}

/**
 * Regression output `score` [N,1] after `depth` MatMuls of width `width` (one shared weight matrix,
 * so the file stays small): slow on purpose. The default is ~600 M multiply-adds per prediction,
 * tens of milliseconds, so it is many times slower than a fast model even through HTTP, where the
 * request's own cost (and the machine's noise) is added to both.
 */
export function writeSlowModel(file: string, depth = 600, width = 1024): string {
  const inits: Initializer[] = [
    { name: 'w0', type: 'float', dims: [GATE_FEATURES.length, width], values: new Float32Array(GATE_FEATURES.length * width).fill(0.01) },
    { name: 'w', type: 'float', dims: [width, width], values: new Float32Array(width * width).fill(1 / width) },
  ];
  const nodes: GraphNode[] = [{ op: 'MatMul', inputs: ['features', 'w0'], outputs: ['h0'] }];
  for (let k = 1; k <= depth; k++) nodes.push({ op: 'MatMul', inputs: [`h${k - 1}`, 'w'], outputs: [`h${k}`] });
  inits.push({ name: 'axes', type: 'int64', dims: [1], values: [1] });
  nodes.push({ op: 'ReduceSum', inputs: [`h${depth}`, 'axes'], outputs: ['score'], attrs: { keepdims: { t: 'int', v: 1 } } });
  return write(
    file,
    buildModel({
      graphName: 'slow',
      nodes,
      initializers: inits,
      inputs: [{ name: 'features', type: { tensor: 'float', dims: ['N', GATE_FEATURES.length] } }],
      outputs: [{ name: 'score', type: { tensor: 'float', dims: ['N', 1] } }],
      opsets: { '': 13 },
    }),
  );
}

/** A fast regression graph with the slow one's signature: one MatMul. */
export function writeFastModel(file: string): string {
  return write(
    file,
    buildModel({
      graphName: 'fast',
      nodes: [{ op: 'MatMul', inputs: ['features', 'w'], outputs: ['score'] }],
      initializers: [{ name: 'w', type: 'float', dims: [GATE_FEATURES.length, 1], values: [0.5, 0.25, 0.125] }],
      inputs: [{ name: 'features', type: { tensor: 'float', dims: ['N', GATE_FEATURES.length] } }],
      outputs: [{ name: 'score', type: { tensor: 'float', dims: ['N', 1] } }],
      opsets: { '': 13 },
    }),
  );
}

export function gatesConfig(opts: { latencyRequests?: number } = {}): string {
  const inputs = GATE_FEATURES.map((f) => `        - name: ${f}`).join('\n');
  return `version: 1
project:
  name: gates-test
data:
  holdout:
    paths: [data/holdout.csv]
models:
  churn:
    task: classification
    signature:
      inputs:
${inputs}
    gates:
      holdout: {dataset: holdout, label: churned, metric: auc, min_delta: 0.01}
      canonical: {file: canonical.json, tolerance: 0.0001}
  scorer:
    task: regression
    signature:
      inputs:
${inputs}
    gates:
      latency: {max_ratio: 3, requests: ${opts.latencyRequests ?? 20}}
  shadowed:
    task: classification
    signature:
      inputs:
${inputs}
    gates:
      shadow: {min_agreement: 0.95, min_requests: 100}
pipeline:
  stages:
    register:
      kind: register
      model: churn
      artifact: models/candidate.onnx
      deps: [models/candidate.onnx]
retention:
  keep_versions: 100
`;
}

/**
 * Models gated on latency only: `scorer` both ways with enough requests that two equally fast
 * models never differ threefold, `edge` through the endpoint only, `long` through the endpoint
 * with so many requests that a test can interrupt it midway.
 */
export function latencyConfig(): string {
  const inputs = GATE_FEATURES.map((f) => `        - name: ${f}`).join('\n');
  const model = (name: string, gate: string): string => `  ${name}:\n    task: regression\n    signature:\n      inputs:\n${inputs}\n    gates:\n      latency: ${gate}\n`;
  return `version: 1
project:
  name: gates-latency-test
models:
${model('scorer', '{max_ratio: 3, requests: 200}')}${model('edge', '{max_ratio: 3, requests: 20, via: endpoint}')}${model('long', '{max_ratio: 3, requests: 100000, via: endpoint}')}retention:
  keep_versions: 100
`;
}

/** True once `pid` has exited (gone from /proc, or a zombie its parent has not reaped yet). */
export function exited(pid: number): boolean {
  try {
    return /\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** Live `serving.js` processes (pid, stat line, environment reader), skipping any that end while we look. */
function* servingProcesses(): Generator<{ pid: number; stat: string; environ(): string[] }> {
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || exited(pid)) continue;
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('serving.js')) continue;
      yield { pid, stat: readFileSync(`/proc/${pid}/stat`, 'utf8'), environ: () => readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0') };
    } catch {
      // It ended while we looked.
    }
  }
}

/**
 * Live serving processes whose environment carries `MLOPS_TEST_MARK=<mark>`: what a CLI run with
 * that variable started, even after the CLI is gone.
 */
export function servingProcessesMarked(mark: string): number[] {
  const out: number[] = [];
  for (const p of servingProcesses()) {
    try {
      if (p.environ().includes(`MLOPS_TEST_MARK=${mark}`)) out.push(p.pid);
    } catch {
      // It ended while we looked.
    }
  }
  return out;
}

/** Live `serving.js` children of `ppid`. */
export function servingChildrenOf(ppid: number): number[] {
  const parentOf = (stat: string): number => Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  return [...servingProcesses()].filter((p) => parentOf(p.stat) === ppid).map((p) => p.pid);
}
