/**
 * Issue 11 (smaller items): the audit log's actor comes from the connection, not from the client's
 * `X-Mlops-Actor` header. A real daemon; clients as this OS user and, when the tests run as root,
 * as another user (`nobody`) holding the token, which is what a leaked token looks like.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { userInfo } from 'node:os';
import * as endpoints from '../../../schemas/src/endpoints';
import { rawRequest, startDaemon, tempProject, type RunningDaemon } from '../../helpers/index';

const project = tempProject({ prefix: 'mlops-actor-' });
let daemon: RunningDaemon | undefined;
after(async () => {
  await daemon?.stop();
  await project.cleanup();
});

async function started(): Promise<RunningDaemon> {
  daemon ??= await startDaemon(project.root, { timeoutMs: 60_000 });
  return daemon;
}

/** Creates a run in `experiment` with the given headers and returns the actor its event records. */
async function actorOfRun(d: RunningDaemon, experiment: string, send: (body: string) => Promise<number>): Promise<string> {
  const status = await send(JSON.stringify({ experiment }));
  assert.equal(status, 201);
  const evs = await d.client.request(endpoints.listEvents, { query: { after: 0, limit: 1000 } });
  const created = evs.events.filter((e) => e.kind === 'run.created' && JSON.stringify(e.after).includes(experiment)).pop();
  assert.ok(created, `no run.created event for ${experiment}`);
  return created.actor;
}

function asThisUser(d: RunningDaemon, claim: string | undefined) {
  return async (body: string): Promise<number> => {
    const headers: Record<string, string> = { Authorization: `Bearer ${d.info.token}`, 'Content-Type': 'application/json' };
    if (claim !== undefined) headers['X-Mlops-Actor'] = claim;
    return (await rawRequest({ port: d.info.port, method: 'POST', path: '/api/v1/runs', headers, body })).status;
  };
}

test('the actor is the connecting OS user; a claim naming another is recorded as a claim', { skip: process.platform !== 'linux' && 'reads /proc/net/tcp' }, async () => {
  const d = await started();
  const me = userInfo().username;
  assert.equal(await actorOfRun(d, 'plain', asThisUser(d, undefined)), me);
  assert.equal(await actorOfRun(d, 'cli', asThisUser(d, `cli:${me}`)), `cli:${me}`);
  assert.equal(await actorOfRun(d, 'ceo', asThisUser(d, 'ceo')), `${me} (claimed: ceo)`);
});

/** A client run as uid/gid 65534 with /usr/bin/node: the token in hand, a name of its choosing in the header. */
function asNobody(d: RunningDaemon, claim: string) {
  const code = `
    const req = require('node:http').request({ host: '127.0.0.1', port: Number(process.env.PORT), method: 'POST', path: '/api/v1/runs',
      headers: { Authorization: 'Bearer ' + process.env.TOKEN, 'Content-Type': 'application/json', 'X-Mlops-Actor': process.env.CLAIM } },
      (res) => { res.resume(); res.on('end', () => process.stdout.write(String(res.statusCode))); });
    req.on('error', (e) => { process.stderr.write(String(e)); process.exit(1); });
    req.end(process.env.BODY);`;
  return (body: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const env = { PORT: String(d.info.port), TOKEN: d.info.token, CLAIM: claim, BODY: body, PATH: '/usr/bin:/bin' };
      const child = spawn('/usr/bin/node', ['-e', code], { uid: 65534, gid: 65534, cwd: '/', env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('error', reject);
      child.on('close', (exit) => {
        clearTimeout(timer);
        if (exit === 0) resolve(Number(out));
        else reject(new Error(`client as nobody exited ${exit}: ${err}`));
      });
    });
}

const rootOnLinux = process.platform === 'linux' && process.getuid?.() === 0;

test('another local user holding the token is recorded as itself, whatever name it claims', { skip: !rootOnLinux && 'needs root to run a client as another user' }, async () => {
  const d = await started();
  const me = userInfo().username;
  assert.equal(await actorOfRun(d, 'leaked', asNobody(d, me)), `nobody (claimed: ${me})`);
  assert.equal(await actorOfRun(d, 'leaked-cli', asNobody(d, 'cli:nobody')), 'cli:nobody');
});
