/**
 * Promotion gates through the real daemon and CLI with real ONNX models: a better candidate passes
 * and is promoted; a worse one fails the holdout gate with both numbers and is refused; a changed
 * canonical output fails; a slow graph fails the latency gate; a forced promotion is audited; a
 * promotion racing another between evaluation and commit is refused; no shadow data is exit 2; the
 * JUnit XML parses (Python's xml.etree) with matching counts; `mlops check` works from files alone.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError } from '../../../client/src/client';
import * as endpoints from '../../../schemas/src/endpoints';
import { checkJsonSchema, type CheckReport } from '../../../schemas/src/gates';
import { runCli, startDaemon, tempProject, type RunningDaemon, type TempProject } from '../../helpers';
import { gatesConfig, writeCanonical, writeFastModel, writeHoldout, writeLogistic, writeSlowModel, TRUE_COEF } from '../../helpers/gates';

let project: TempProject;
let daemon: RunningDaemon;
let root: string;

const register = async (model: string, file: string): Promise<number> =>
  (await daemon.client.register(model, { artifact_path: file, description: '', tags: {}, metrics: {} })).version.version;
const promote = (name: string, version: number, reason = '', force = false) =>
  daemon.client.request(endpoints.setStage, { params: { name, version }, body: { stage: 'Production', reason, force } });
const cli = (args: string[], cwd = root) => runCli(args, { cwd, timeoutMs: 120_000 });

function refusedWith(code: string, re: RegExp) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof ApiError, String(e));
    assert.equal(e.code, code, e.message);
    assert.match(e.message, re);
    return true;
  };
}

before(async () => {
  project = tempProject({ config: gatesConfig() });
  root = project.root;
  writeHoldout(join(root, 'data', 'holdout.csv'), 5000);
  writeCanonical(join(root, 'canonical.json'));
  writeLogistic(join(root, 'models', 'v1.onnx'), [1, -0.4, 0]);
  writeLogistic(join(root, 'models', 'v2.onnx'), TRUE_COEF);
  writeLogistic(join(root, 'models', 'v3.onnx'), [0.3, -0.05, 0.05]);
  writeLogistic(join(root, 'models', 'v4.onnx'), TRUE_COEF.map((c) => -c));
  daemon = await startDaemon(root);
});

after(async () => {
  await daemon?.stop();
  await project?.cleanup();
});

describe('holdout and canonical gates on the churn model', () => {
  test('the first version has no Production to beat and is promoted; a better v2 passes and is promoted', async () => {
    assert.equal(await register('churn', join(root, 'models', 'v1.onnx')), 1);
    await promote('churn', 1);
    assert.equal(await register('churn', join(root, 'models', 'v2.onnx')), 2);
    const r = await promote('churn', 2, 'beats v1');
    assert.equal(r.version.stage, 'Production');
    assert.deepEqual(r.archived, [1]);
    const runs = await daemon.client.request(endpoints.listGateRuns, { params: { name: 'churn' } });
    const last = runs.versions.find((v) => v.version === 2)?.last;
    assert.ok(last?.passed, JSON.stringify(last));
    const holdout = last.gates.find((g) => g.name === 'holdout');
    assert.ok(holdout && holdout.candidate !== null && holdout.production !== null && holdout.candidate >= holdout.production + 0.01, JSON.stringify(holdout));
    assert.equal(last.production_version, 1);
  });

  test('a worse v3 fails the holdout gate with both numbers, and the promotion is refused (API and CLI)', async () => {
    assert.equal(await register('churn', join(root, 'models', 'v3.onnx')), 3);
    await assert.rejects(promote('churn', 3), refusedWith('gates_failed', /holdout failed: candidate 0\.\d+ vs Production 0\.\d+ \(rule: auc ≥ Production \+ 0\.01\)/));
    const viaCli = await cli(['models', 'promote', 'churn', '3', '--to', 'Production']);
    assert.equal(viaCli.code, 1, viaCli.stderr);
    assert.match(viaCli.stderr, /refused: holdout failed: candidate 0\.\d+ vs Production 0\.\d+/);
    assert.match(viaCli.stderr, /--force --reason/);
    const model = await daemon.client.request(endpoints.getModel, { params: { name: 'churn' }, query: { limit: 10 } });
    assert.equal(model.model.production_version, 2, 'Production unchanged');
    const show = await cli(['models', 'show', 'churn']);
    assert.match(show.stdout, /GATES/);
    assert.match(show.stdout, /FAIL holdout/);
    assert.match(show.stdout, /pass 2\/2/);
  });

  test('mlops check prints the table, writes JUnit XML whose counts match, and exits 1', async () => {
    const xml = join(root, 'reports', 'gates.xml');
    const r = await cli(['check', 'churn', '3', '--junit', xml]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /GATE\s+CANDIDATE\s+PRODUCTION\s+RULE\s+RESULT/);
    assert.match(r.stdout, /holdout\s+0\.\d+\s+0\.\d+\s+auc ≥ Production \+ 0\.01\s+FAIL/);
    assert.match(r.stdout, /canonical\s+1\s+1\s+all 3 examples of canonical\.json within 1\.000e-4\s+pass/);
    const py = spawnSync('/usr/bin/python3', ['-c', `
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suite = root.find('testsuite')
cases = suite.findall('testcase')
print(root.get('tests'), suite.get('tests'), suite.get('failures'), suite.get('errors'), len(cases), sum(1 for c in cases if c.find('failure') is not None), ','.join(c.get('name') for c in cases))
`, xml], { encoding: 'utf8' });
    assert.equal(py.status, 0, py.stderr);
    assert.equal(py.stdout.trim(), '2 2 1 0 2 1 holdout,canonical');
    assert.match(readFileSync(xml, 'utf8'), /<failure message="holdout failed: candidate 0\.\d+, Production 0\.\d+, rule: auc ≥ Production \+ 0\.01"/);
  });

  test('--json is the declared shape; a model with flipped weights changes canonical outputs and fails that gate', async () => {
    assert.equal(await register('churn', join(root, 'models', 'v4.onnx')), 4);
    const r = await cli(['check', 'churn', '--json']);
    assert.equal(r.code, 1, r.stderr);
    const report: CheckReport = checkJsonSchema.parse(JSON.parse(r.stdout));
    assert.equal(report.candidate_version, 4, 'the newest version by default');
    assert.equal(report.production_version, 2);
    const canonical = report.gates.find((g) => g.name === 'canonical');
    assert.equal(canonical?.status, 'fail');
    assert.equal(canonical?.candidate, 0);
    assert.equal(canonical?.production, 1);
    assert.match(canonical?.detail ?? '', /example 0: label = 0, expected 1/);
  });

  test('a forced promotion needs a reason and is audited with the gate results', async () => {
    await assert.rejects(promote('churn', 3, '', true), refusedWith('bad_request', /needs a reason/));
    const noReason = await cli(['models', 'promote', 'churn', '3', '--to', 'Production', '--force']);
    assert.equal(noReason.code, 1);
    assert.match(noReason.stderr, /--force needs --reason/);
    const ok = await cli(['models', 'promote', 'churn', '3', '--to', 'Production', '--force', '--reason', 'hotfix: v2 leaks a feature']);
    assert.equal(ok.code, 0, ok.stderr);
    const events = await daemon.client.request(endpoints.listEvents, { query: { subject: 'model:churn/3', limit: 100 } });
    const forced = events.events.find((e) => e.kind === 'model.promotion_forced');
    assert.ok(forced, JSON.stringify(events.events.map((e) => e.kind)));
    assert.equal(forced.reason, 'hotfix: v2 leaks a feature');
    const gates = (forced.after as { gates: { name: string; passed: boolean }[] }).gates;
    assert.deepEqual(gates.map((g) => [g.name, g.passed]), [['holdout', false], ['canonical', true]]);
    const show = await cli(['models', 'show', 'churn']);
    assert.match(show.stdout, /forced \(FAIL holdout\)/);
  });
});

test('two promotions racing: the one whose comparison went stale by commit time is refused', async () => {
  // scorer: latency-gated; each evaluation starts two serving processes and times 2 × 20 predictions twice, so the two overlap.
  writeFastModel(join(root, 'models', 'fast-a.onnx'));
  writeFastModel(join(root, 'models', 'fast-b.onnx'));
  const a = await register('scorer', join(root, 'models', 'fast-a.onnx'));
  const b = await register('scorer', join(root, 'models', 'fast-b.onnx'));
  const outcomes = await Promise.allSettled([promote('scorer', a), promote('scorer', b)]);
  const won = outcomes.filter((o) => o.status === 'fulfilled');
  const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
  assert.equal(won.length, 1, JSON.stringify(outcomes.map((o) => o.status)));
  assert.equal(lost.length, 1);
  refusedWith('conflict', /Production of "scorer" changed from none to v\d while the gates ran against none; run the promotion again/)(lost[0]?.reason);
});

test('a deliberately slow graph fails the latency gate against Production, in-process and through temporary endpoints', async () => {
  writeSlowModel(join(root, 'models', 'slow.onnx'));
  const slow = await register('scorer', join(root, 'models', 'slow.onnx'));
  const r = await cli(['check', 'scorer', String(slow), '--json']);
  assert.equal(r.code, 1, r.stderr);
  const lat = checkJsonSchema.parse(JSON.parse(r.stdout)).gates[0];
  assert.equal(lat?.name, 'latency');
  assert.equal(lat?.status, 'fail');
  assert.deepEqual(lat?.measurements?.map((m) => [m.via, m.passed]), [['in_process', false], ['endpoint', false]], JSON.stringify(lat));
  const [inProcess, endpoint] = lat?.measurements ?? [];
  for (const m of [inProcess, endpoint]) assert.ok(m && m.production !== null && m.candidate > 3 * m.production, JSON.stringify(m));
  assert.deepEqual([lat?.candidate, lat?.production], [endpoint?.candidate, endpoint?.production], 'the endpoint figures are reported');
  assert.match(lat?.detail ?? '', /interleaved; in-process: candidate [\d.]+ ms vs Production [\d.]+ ms \(FAIL\); through temporary endpoints \(HTTP POST \/predict\): candidate [\d.]+ ms vs Production [\d.]+ ms \(FAIL\)/);
  assert.match(lat?.rule ?? '', /p95 ≤ 3 × Production \(in-process and through an endpoint, each\)/);
});

test('a shadow gate without shadow data cannot run: exit 2 naming why', async () => {
  await register('shadowed', join(root, 'models', 'v1.onnx'));
  const r = await cli(['check', 'shadowed']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stdout, /shadow\s+-\s+-\s+agreement ≥ 0\.95 over ≥ 100 shadowed requests\s+CANNOT RUN/);
  assert.match(r.stdout, /no shadow data/);
});

test('on a CI runner (no store): mlops check from files, with --production FILE and the repository\'s holdout', async () => {
  const clone = mkdtempSync(join(tmpdir(), 'gates-ci-'));
  try {
    for (const f of ['mlops.yaml', 'canonical.json', 'data', 'models']) cpSync(join(root, f), join(clone, f), { recursive: true });
    cpSync(join(clone, 'models', 'v2.onnx'), join(clone, 'models', 'candidate.onnx'));
    const pass = await cli(['check', 'churn', '--production', 'models/v1.onnx', '--junit', 'gates.xml', '--markdown', 'summary.md'], clone);
    assert.equal(pass.code, 0, pass.stdout + pass.stderr);
    assert.match(pass.stdout, /all gates passed/);
    assert.match(readFileSync(join(clone, 'summary.md'), 'utf8'), /\| holdout \| 0\.\d+ \| 0\.\d+ \| auc ≥ Production \+ 0\.01 \| pass \|/);
    const fail = await cli(['check', 'churn', '--production', 'models/v2.onnx', '--candidate', 'models/v3.onnx', '--json'], clone);
    assert.equal(fail.code, 1);
    assert.equal(checkJsonSchema.parse(JSON.parse(fail.stdout)).gates.find((g) => g.name === 'holdout')?.status, 'fail');
    rmSync(join(clone, 'data'), { recursive: true });
    const missing = await cli(['check', 'churn', '--production', 'models/v1.onnx'], clone);
    assert.equal(missing.code, 2);
    assert.match(missing.stdout, /dataset "holdout" has no files \(data\/holdout\.csv\); commit a holdout sample/);
  } finally {
    rmSync(clone, { recursive: true, force: true });
  }
});
