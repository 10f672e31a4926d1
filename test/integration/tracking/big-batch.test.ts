/**
 * Issue 11 item 11: a one-million-point metric batch (20 MB of JSON) must not block the daemon. The
 * body is parsed and validated on a worker thread and inserted in chunks between which the event
 * loop turns, so a `GET /status` sent while the batch is being parsed is answered at once: before
 * the batch's answer, and before any of its points reached the store (a daemon that parsed on its
 * event loop could only answer between insert chunks). Real daemon process, real SQLite file.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import Database from 'better-sqlite3';
import * as endpoints from '../../../schemas/src/endpoints';
import { startDaemon, tempProject, type RunningDaemon } from '../../helpers/index';

const POINTS = 1_000_000;
const project = tempProject({ prefix: 'mlops-bigbatch-' });
let daemon: RunningDaemon | undefined;
after(async () => {
  await daemon?.stop();
  await project.cleanup();
});

function batchBody(): Buffer {
  const steps = Array.from({ length: POINTS }, (_, i) => i);
  return Buffer.from(JSON.stringify({ keys: steps.map((s) => `loss_${s % 8}`), steps, timestamps: steps.map((s) => 1.7e12 + s), values: steps.map((s) => Math.sin(s)) }));
}

interface Sent {
  /** The whole body is handed to the socket. */
  uploaded: Promise<void>;
  answered: Promise<{ status: number; text: string; at: number }>;
}

function post(d: RunningDaemon, path: string, body: Buffer): Sent {
  let uploaded!: () => void;
  const up = new Promise<void>((r) => (uploaded = r));
  const answered = new Promise<{ status: number; text: string; at: number }>((resolve, reject) => {
    const req = request(
      // A connection of its own: a pooled one idle past the daemon's keep-alive timeout (building
      // the body takes seconds) may be closed under the upload.
      { host: '127.0.0.1', port: d.info.port, method: 'POST', path, agent: false, headers: { Authorization: `Bearer ${d.info.token}`, 'Content-Type': 'application/json', 'Content-Length': body.length } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, at: performance.now() }));
      },
    );
    req.setTimeout(300_000, () => req.destroy(new Error('the batch was not answered in 300 s')));
    req.on('error', reject);
    req.on('finish', uploaded);
    req.end(body);
  });
  return { uploaded: up, answered };
}

test('a million-point batch is parsed off the event loop: /status answers while it is parsed, before any point is stored', async (t) => {
  daemon = await startDaemon(project.root, { timeoutMs: 60_000 });
  const d = daemon;
  const run = await d.client.request(endpoints.createRun, { body: { experiment: 'big' } });
  const db = new Database(project.dbFile, { readonly: true, fileMustExist: true });
  const stored = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM run_metrics WHERE run_id = ?');
  try {
    const batch = post(d, `/api/v1/runs/${run.id}/metrics/batch`, batchBody());
    let done: { status: number; text: string; at: number } | undefined;
    void batch.answered.then((r) => (done = r));
    await batch.uploaded;
    // The kernel's loopback buffers hold a few MB at most: 50 ms after the last byte was handed
    // over, the daemon has the whole body and is parsing it.
    await new Promise((r) => setTimeout(r, 50));
    const latencies: { ms: number; pointsStored: number }[] = [];
    for (let i = 0; i < 20_000 && !done; i++) {
      const t0 = performance.now();
      await d.client.request(endpoints.getStatus);
      latencies.push({ ms: performance.now() - t0, pointsStored: stored.get(run.id)?.n ?? 0 });
      await new Promise((r) => setTimeout(r, 5));
    }
    const result = await batch.answered;
    assert.equal(result.status, 200, result.text);
    assert.deepEqual(JSON.parse(result.text), { written: POINTS });
    const first = latencies[0];
    assert.ok(first, 'no /status was sent before the batch was answered');
    assert.equal(first.pointsStored, 0, `the first /status was answered only once ${first.pointsStored} points were stored: the parse blocked the event loop`);
    assert.equal(stored.get(run.id)?.n, POINTS);
    const sorted = latencies.map((l) => l.ms).sort((a, b) => a - b);
    t.diagnostic(`status during ingestion: ${latencies.length} answers, median ${sorted[sorted.length >> 1]?.toFixed(1)} ms, max ${sorted.at(-1)?.toFixed(1)} ms`);
    console.log(`# /status during a ${POINTS.toLocaleString()}-point batch: ${latencies.length} answers, median ${sorted[sorted.length >> 1]?.toFixed(1)} ms, max ${sorted.at(-1)?.toFixed(1)} ms`);
  } catch (e) {
    console.log(d.output());
    throw e;
  } finally {
    db.close();
  }
});
