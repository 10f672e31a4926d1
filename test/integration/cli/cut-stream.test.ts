/**
 * Issue 11 item 16: a daemon killed (kill -9) in the middle of a snapshot cuts the progress stream;
 * the CLI must say so and exit non-zero, never report success or print nothing. A real daemon, a
 * real 192 MB dataset, the real CLI.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomFillSync } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, startDaemon, tempProject } from '../../helpers/index';

const FILES = 48;
const FILE_BYTES = 4 << 20;

const project = tempProject({
  prefix: 'mlops-cut-',
  config: `version: 1
project:
  name: cut
data:
  big:
    paths: [data]
`,
});
after(() => project.cleanup());

/** Bytes this process has read so far (/proc/<pid>/io rchar): proof the snapshot is under way. */
function bytesRead(pid: number): number {
  const m = /^rchar: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
  return Number(m?.[1] ?? 0);
}

test('kill -9 of the daemon mid-snapshot: the CLI exits non-zero naming the cut-off stream', { skip: process.platform !== 'linux' && 'reads /proc' }, async () => {
  mkdirSync(join(project.root, 'data'));
  const chunk = Buffer.alloc(FILE_BYTES);
  for (let i = 0; i < FILES; i++) writeFileSync(join(project.root, 'data', `part-${String(i).padStart(3, '0')}.bin`), randomFillSync(chunk));
  const daemon = await startDaemon(project.root, { timeoutMs: 60_000 });
  const before = bytesRead(daemon.pid);
  const cli = runCli(['data', 'snapshot', 'big'], { cwd: project.root, timeoutMs: 120_000 });
  // Wait (bounded) until the daemon has read 16 MB of the 192 MB dataset, then kill it.
  for (let i = 0; i < 6000 && bytesRead(daemon.pid) - before < 16 << 20; i++) await new Promise((r) => setTimeout(r, 10));
  const readAtKill = bytesRead(daemon.pid) - before;
  const exit = await daemon.kill9();
  assert.equal(exit.signal, 'SIGKILL');
  assert.ok(readAtKill < FILES * FILE_BYTES, `the snapshot had already read everything (${readAtKill} bytes) before the kill`);
  const r = await cli;
  assert.notEqual(r.code, 0, `the CLI exited 0 after the daemon died mid-snapshot; stdout: ${r.stdout}`);
  assert.equal(r.stdout, '', 'no result printed');
  assert.match(r.stderr, /the daemon stopped answering in the middle of POST \/datasets\/:name\/snapshot/, r.stderr);
  assert.match(r.stderr, /daemon\.log.*run the command again/, r.stderr);
  assert.doesNotMatch(r.stderr, /^\s+at /m, `a stack trace instead of a message: ${r.stderr}`);
  // What the hint says works: the same command starts a daemon again and records the whole dataset.
  const again = await runCli(['data', 'snapshot', 'big', '--json'], { cwd: project.root, timeoutMs: 120_000 });
  assert.equal(again.code, 0, again.stderr);
  const v = (JSON.parse(again.stdout) as { version: { file_count: number; total_bytes: number } }).version;
  assert.deepEqual([v.file_count, v.total_bytes], [FILES, FILES * FILE_BYTES]);
});
