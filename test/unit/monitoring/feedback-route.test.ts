/**
 * The serving process's `/feedback` route (feedback-route.ts) against the orders its two channels can
 * deliver in: the daemon's answer (IPC) may come before the monitoring thread says it has written the
 * labels (its stream), and must not be lost then (the full suite hit that once in three runs under load);
 * a daemon out of reach is a 503, not a wait; an answer that never comes is a 504 naming what to do.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FeedbackRoute } from '../../../daemon/src/monitoring/recorder/feedback-route';
import { ServingError } from '../../../shared/src/serving/errors';

test('an answer that arrives before the send is confirmed still answers the request', async () => {
  const route: FeedbackRoute = new FeedbackRoute('live', 'token', async (m) => {
    // The daemon answers while the monitoring thread has not yet said "written".
    if (m.type === 'feedback') route.reply(m.id, 200, { accepted: 3 });
    await new Promise((r) => setTimeout(r, 5));
    return true;
  });
  const answer = await Promise.race([route.handle({ feedback: [] }), new Promise((r) => setTimeout(() => r('timed out'), 2000))]);
  assert.deepEqual(answer, { status: 200, body: { accepted: 3 } });
});

test('an answer after the send is confirmed answers its own request, not another', async () => {
  const sent: number[] = [];
  const route = new FeedbackRoute('live', 'token', (m) => (m.type === 'feedback' && sent.push(m.id), Promise.resolve(true)));
  const a = route.handle({ n: 1 });
  const b = route.handle({ n: 2 });
  await new Promise((r) => setImmediate(r));
  assert.equal(sent.length, 2);
  route.reply(sent[1] as number, 200, 'second');
  route.reply(sent[0] as number, 200, 'first');
  assert.deepEqual(await a, { status: 200, body: 'first' });
  assert.deepEqual(await b, { status: 200, body: 'second' });
});

test('a daemon out of reach is a 503 at once', async () => {
  const route = new FeedbackRoute('live', 'token', () => Promise.resolve(false));
  await assert.rejects(route.handle({}), (e: unknown) => e instanceof ServingError && e.status === 503 && /mlops feedback/.test(e.message));
});
