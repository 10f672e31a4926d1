/** `npm run bench`'s summary counts a missed target as a failure, as it does a bench that crashes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');
const targets = JSON.stringify(join(root, 'bench', 'targets.ts'));

test('a bench that misses a target fails the run, and the summary names it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-bench-run-'));
  try {
    const bench = (name: string, body: string): void => writeFileSync(join(dir, name), `import { Targets } from ${targets};\nconst t = new Targets();\n${body}\nt.report();\n`);
    bench('fast.bench.ts', "t.atMost('listing', 12, 50, 'ms');\nt.atMost('listing ÷ raw SELECT', 3.5, 5, '×');");
    bench('slow.bench.ts', "t.atMost('listing', 66.7, 50, 'ms');\nt.atMost('listing ÷ raw SELECT', 3.5, 5, '×');");
    writeFileSync(join(dir, 'broken.bench.ts'), "throw new Error('no daemon');\n");
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench', 'run.ts')], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, MLOPS_BENCH_DIR: dir },
    });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /\| listing \| 66\.70 ms \| ≤ 50 ms \| \*\*MISSED\*\* \|/);
    assert.match(r.stdout, /1 of 2 targets MISSED/);
    assert.match(r.stdout, /all 2 targets met/);
    assert.match(r.stdout, /3 benchmarks ran, 2 failed: 1 missed a target \(slow\.bench\.ts\), 1 did not finish \(broken\.bench\.ts \(exit 1\)\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
