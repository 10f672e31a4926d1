/**
 * Generates valid `mlops.yaml` documents of a given size, shaped like a large real project:
 * parameters, datasets, models with signatures, pipeline stages and deployments. Used by the
 * integration tests and by bench/lsp.bench.ts so both measure the same documents.
 */

function modelBlock(i: number, features: number): string[] {
  const lines = [`  model_${i}:`, '    task: classification', `    description: Model number ${i}`, '    signature:', '      inputs:'];
  for (let f = 0; f < features; f++) lines.push(`        - name: f${f}`, '          type: float', '          range: [0, 1]');
  lines.push('      outputs:', '        - name: label', '          type: int64');
  return lines;
}

function stageBlock(i: number): string[] {
  const prev = i === 0 ? 'data/raw.csv' : `out/stage_${i - 1}.bin`;
  return [
    `    stage_${i}:`,
    `      cmd: python src/stage_${i}.py`,
    '      kind: features',
    '      deps:',
    `        - ${prev}`,
    '      outs:',
    `        - out/stage_${i}.bin`,
    '      params:',
    `        - train.p${i % 10}`,
  ];
}

/** A valid document of roughly `lines` lines (never fewer than ~40). */
export function generateMlopsYaml(lines: number): string {
  const out: string[] = ['version: 1', 'project:', '  name: big-project', '  description: generated for benchmarks'];
  out.push('params:', '  train:');
  for (let p = 0; p < 10; p++) out.push(`    p${p}: ${p / 10}`);
  out.push('data:', '  raw:', '    paths: [data/raw.csv]', '    format: csv');
  const budget = Math.max(0, lines - out.length - 20);
  const modelCount = Math.max(1, Math.floor((budget * 0.45) / 20));
  out.push('models:');
  for (let i = 0; i < modelCount; i++) out.push(...modelBlock(i, 5));
  const stageCount = Math.max(1, Math.floor((lines - out.length - 12) / 9));
  out.push('pipeline:', '  stages:');
  for (let i = 0; i < stageCount; i++) out.push(...stageBlock(i));
  out.push('  triggers:', '    - kind: manual');
  out.push('deployments:', '  web:', '    model: model_0', '    port: 0');
  out.push('monitoring:', '  latency:', '    p95_ms: 500', '  window: 1000');
  return out.join('\n') + '\n';
}
