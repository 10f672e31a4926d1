/**
 * The latency gate's verdict over its measurements (in-process, endpoint) on plain numbers, the
 * `via` option in the config schema, how the report shows both figures, and the in-process-only
 * path on a real ONNX model (the endpoint path runs real processes: test/integration/gates/latency).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkReportSchema, type CheckReport } from '../../../schemas/src/gates';
import { latencyGateSchema } from '../../../schemas/src/mlops-yaml';
import { checkMarkdown, junitXml } from '../../../shared/src/gates/junit';
import { latencyOutcome } from '../../../shared/src/gates/latency';

const cfg = (over: object = {}) => latencyGateSchema.parse({ max_ratio: 1.2, requests: 100, ...over });

test('`via` defaults to both and accepts only in_process, endpoint or both', () => {
  assert.equal(cfg().via, 'both');
  assert.equal(cfg({ via: 'endpoint' }).via, 'endpoint');
  const bad = latencyGateSchema.safeParse({ via: 'http' });
  assert.equal(bad.success, false);
  assert.deepEqual(bad.error?.issues[0]?.path, ['via']);
});

test('both measurements: passes only when each passes, and reports the endpoint figures', () => {
  const g = cfg({ p95_ms: 50 });
  const both = latencyOutcome(g, [
    { via: 'in_process', candidate: 1.3, production: 1, passed: false },
    { via: 'endpoint', candidate: 2.2, production: 2, passed: true },
  ]);
  assert.equal(both.passed, false);
  assert.deepEqual([both.candidate, both.production], [2.2, 2]);
  assert.equal(both.rule, 'p95 ≤ 1.2 × Production and p95 ≤ 50 ms (in-process and through an endpoint, each)');
  assert.equal(
    both.detail,
    'p95 ms of 100 single-instance predictions per model, interleaved; in-process: candidate 1.3 ms vs Production 1 ms (FAIL); through temporary endpoints (HTTP POST /predict): candidate 2.2 ms vs Production 2 ms (pass); the numbers shown are the endpoint figures',
  );
  const ok = latencyOutcome(g, [
    { via: 'in_process', candidate: 1, production: 1, passed: true },
    { via: 'endpoint', candidate: 2, production: 2, passed: true },
  ]);
  assert.equal(ok.passed, true);
});

test('one measurement, and no Production: the rule names where it was measured', () => {
  const inProc = latencyOutcome(cfg({ via: 'in_process' }), [{ via: 'in_process', candidate: 0.5, production: null, passed: true }]);
  assert.equal(inProc.rule, 'no Production version and no `p95_ms`: nothing to meet (in-process)');
  assert.equal(inProc.production, null);
  assert.equal(inProc.detail, 'p95 ms of 100 single-instance predictions per model, interleaved; in-process: candidate 0.5 ms (pass)');
  const ep = latencyOutcome(cfg({ via: 'endpoint', p95_ms: 3 }), [{ via: 'endpoint', candidate: 4, production: null, passed: false }]);
  assert.deepEqual([ep.passed, ep.rule], [false, 'p95 ≤ 3 ms (through an endpoint)']);
});

const report = (measured: boolean): CheckReport =>
  checkReportSchema.parse({
    model: 'scorer',
    candidate_version: 3,
    production_version: 2,
    passed: true,
    exit_code: 0,
    evaluated_at: new Date(0).toISOString(),
    seconds: 1,
    gates: [
      {
        name: 'latency',
        passed: true,
        status: 'pass',
        candidate: 2,
        production: 2,
        rule: 'p95 ≤ 1.2 × Production (in-process and through an endpoint, each)',
        detail: 'p95 ms of 100 …; in-process: …; through temporary endpoints …',
        ...(measured ? { measurements: [{ via: 'in_process', candidate: 1, production: 1, passed: true }, { via: 'endpoint', candidate: 2, production: 2, passed: true }] } : {}),
      },
    ],
  });

test('the Markdown summary and the JUnit XML carry both measurements; a stored report from before them still parses', () => {
  const md = checkMarkdown(report(true));
  assert.match(md, /\| latency \| 2 \| 2 \| p95 ≤ 1\.2 × Production \(in-process and through an endpoint, each\) \| pass \|\n\n- latency: p95 ms of 100 …; in-process: …; through temporary endpoints …\n$/);
  assert.match(junitXml(report(true)), /<system-out>candidate 2, Production 2, rule: .*; p95 ms of 100 …; in-process: …; through temporary endpoints …<\/system-out>/);
  assert.doesNotMatch(checkMarkdown(report(false)), /\n- latency/);
  assert.equal(report(false).gates[0]?.measurements, undefined);
});

test('via in_process needs no serving entry; via endpoint without one cannot run (exit 2, naming why)', async () => {
  const { evaluateGates } = await import('../../../shared/src/gates/evaluate');
  const { writeFastModel, GATE_FEATURES } = await import('../../helpers/gates');
  const dir = mkdtempSync(join(tmpdir(), 'gates-latency-unit-'));
  try {
    const file = writeFastModel(join(dir, 'm.onnx'));
    const spec = { model: 'm', version: 1, artifact_path: file, artifact_sha256: '', task: 'regression' as const, input_mode: 'tensor' as const, features: GATE_FEATURES.map((name) => ({ name, type: 'float' as const })) };
    const run = (via: 'in_process' | 'endpoint') =>
      evaluateGates({
        model: 'm',
        gates: { latency: cfg({ via, requests: 20, max_ratio: 1000 }) },
        task: 'regression',
        candidate: { version: 2, spec },
        production: { version: 1, spec },
        holdoutFiles: () => [],
        projectFile: (p) => join(dir, p),
      });
    const inProc = await run('in_process');
    assert.equal(inProc.exit_code, 0, JSON.stringify(inProc));
    assert.deepEqual(inProc.gates[0]?.measurements?.map((m) => m.via), ['in_process']);
    const ep = await run('endpoint');
    assert.equal(ep.exit_code, 2);
    assert.match(ep.gates[0]?.detail ?? '', /cannot run: no serving entry to start temporary endpoints from; set `via: in_process`/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
