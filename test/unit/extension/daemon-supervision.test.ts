import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkNode, judgeNode, parseNodeMajor } from '../../../extension/src/daemon/node-check';
import { RestartBudget } from '../../../extension/src/daemon/restart-budget';
import { statusView } from '../../../extension/src/daemon/status-model';

describe('node check', () => {
  test('parses node --version output', () => {
    assert.equal(parseNodeMajor('v20.19.2\n'), 20);
    assert.equal(parseNodeMajor('22.1.0'), 22);
    assert.equal(parseNodeMajor('Python 3.11'), undefined);
  });
  test('a wrong major names both versions and the setting', () => {
    const r = judgeNode('/opt/node22/bin/node', 20, { stdout: 'v22.3.0\n' });
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.match(r.message, /needs Node 20/);
      assert.match(r.message, /"\/opt\/node22\/bin\/node" is v22\.3\.0/);
      assert.match(r.message, /mlops\.daemon\.nodePath/);
    }
  });
  test('a missing executable says it was not found', () => {
    const r = judgeNode('nodez', 20, { error: { code: 'ENOENT', message: 'spawn nodez ENOENT' } });
    assert.ok(!r.ok && /"nodez" was not found/.test(r.message));
  });
  test('the right major passes', () => {
    assert.deepEqual(judgeNode('node', 20, { stdout: 'v20.9.0' }), { ok: true, version: 'v20.9.0' });
  });
  test('checks a real executable (this process) and a missing one', async () => {
    const major = Number(process.versions.node.split('.')[0]);
    assert.equal((await checkNode(process.execPath, major)).ok, true);
    const missing = await checkNode('/nonexistent/node-binary', major);
    assert.ok(!missing.ok && /was not found/.test(missing.message));
  });
});

describe('restart budget', () => {
  test('allows max restarts per window, then refuses until the oldest ages out', () => {
    const b = new RestartBudget(3, 60_000);
    assert.ok(b.take(0));
    assert.ok(b.take(1000));
    assert.ok(b.take(2000));
    assert.equal(b.take(3000), false);
    assert.equal(b.nextAllowedAt(3000), 60_000);
    assert.ok(b.take(60_001));
    b.reset();
    assert.equal(b.nextAllowedAt(60_002), 60_002);
  });
  test('a budget of zero never restarts', () => {
    assert.equal(new RestartBudget(0).take(0), false);
  });
});

describe('status bar view', () => {
  const status = {
    version: '0.1.0',
    pid: 42,
    root: '/p',
    started_at: '2026-01-01T00:00:00Z',
    uptime_s: 12.4,
    schema_version: 1,
    node_version: 'v20.19.0',
    last_event_seq: 9,
    counts: { models: 2, versions: 3, events: 9 },
    schedules: [],
  };
  test('connected: Production versions in the text, details in the tooltip', () => {
    const v = statusView({ kind: 'connected', status }, [
      { model: 'churn', version: 3 },
      { model: 'fraud', version: null },
    ]);
    assert.equal(v.text, '$(database) MLOps churn v3');
    assert.match(v.tooltip, /pid 42/);
    assert.equal(v.severity, 'normal');
    assert.equal(statusView({ kind: 'connected', status }, [], true).text, '$(database) MLOps: ready');
    assert.equal(statusView({ kind: 'connected', status }, [{ model: 'churn', version: 3 }], false).text, '$(database) MLOps: ready');
  });
  test('many models are summarised', () => {
    const many = ['a', 'b', 'c', 'd', 'e'].map((model, i) => ({ model, version: i + 1 }));
    assert.equal(statusView({ kind: 'connected', status }, many).text, '$(database) MLOps a v1 · b v2 · c v3 +2');
  });
  test('failure, reconnecting and untrusted are visible', () => {
    assert.deepEqual(statusView({ kind: 'failed', message: 'Node 20 needed' }, []), { text: '$(error) MLOps: daemon down', tooltip: 'Node 20 needed', severity: 'error' });
    assert.equal(statusView({ kind: 'reconnecting', reason: 'x' }, []).severity, 'warning');
    assert.match(statusView({ kind: 'disabled', message: 'untrusted' }, []).text, /untrusted/);
  });
  test('a restart never looks healthy: no Production versions, a warning colour, the step in the tooltip', () => {
    const v = statusView({ kind: 'restarting', step: 'starting a new daemon' }, [{ model: 'churn', version: 3 }]);
    assert.equal(v.text, '$(sync~spin) MLOps: restarting');
    assert.equal(v.severity, 'warning');
    assert.match(v.tooltip, /starting a new daemon/);
  });
});
