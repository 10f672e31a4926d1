/**
 * `npm test`: lint, typecheck, build, unit tests, integration tests — then one summary line
 * "N passed, N failed". Usage: tsx scripts/test.ts [lint|typecheck|build|unit|integration ...] [-- file filters]
 * Test files are node:test files run through tsx; each suite's TAP output is parsed for its counts.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, mkdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(__dirname, '..');
const ALL = ['lint', 'typecheck', 'build', 'unit', 'integration'] as const;
type Step = (typeof ALL)[number];

function findTests(dir: string): string[] {
  let out: string[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names.sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(findTests(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

function run(cmd: string, args: string[]): number {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env });
  return r.status ?? 1;
}

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

function runSuite(kind: 'unit' | 'integration', filters: string[]): Counts {
  let files = findTests(join(root, 'test', kind));
  if (filters.length) files = files.filter((f) => filters.some((flt) => f.includes(flt)));
  if (!files.length) return { passed: 0, failed: 0, skipped: 0 };
  mkdirSync(join(root, 'test-results'), { recursive: true });
  const tap = join(root, 'test-results', `${kind}.tap`);
  const code = run(process.execPath, [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=2',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tap}`,
    ...files.map((f) => relative(root, f)),
  ]);
  const text = readFileSync(tap, 'utf8');
  const num = (key: string): number => Number(new RegExp(`^# ${key} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  const counts = { passed: num('pass'), failed: num('fail') + num('cancelled'), skipped: num('skipped') + num('todo') };
  if (code !== 0 && counts.failed === 0) counts.failed = 1;
  return counts;
}

function main(): void {
  const argv = process.argv.slice(2);
  const dash = argv.indexOf('--');
  const stepsArg = (dash >= 0 ? argv.slice(0, dash) : argv) as Step[];
  const filters = dash >= 0 ? argv.slice(dash + 1) : [];
  const steps = stepsArg.length ? stepsArg : [...ALL];
  const total: Counts = { passed: 0, failed: 0, skipped: 0 };
  const failedSteps: string[] = [];
  for (const step of steps) {
    console.log(`\n=== ${step} ===`);
    let counts: Counts;
    if (step === 'lint') counts = run('npx', ['eslint', '--max-warnings=-1', '.']) === 0 ? ok() : bad();
    else if (step === 'typecheck') counts = run('npx', ['tsc', '--noEmit', '-p', '.']) === 0 ? ok() : bad();
    else if (step === 'build') counts = run('npx', ['tsx', 'scripts/build.ts']) === 0 ? ok() : bad();
    else if (step === 'unit' || step === 'integration') counts = runSuite(step, filters);
    else throw new Error(`unknown step "${step}": expected one of ${ALL.join(', ')}`);
    if (counts.failed) failedSteps.push(step);
    total.passed += counts.passed;
    total.failed += counts.failed;
    total.skipped += counts.skipped;
  }
  console.log(`\n${failedSteps.length ? `FAILED steps: ${failedSteps.join(', ')}` : 'all steps green'}`);
  console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
  process.exit(total.failed ? 1 : 0);
}

const ok = (): Counts => ({ passed: 1, failed: 0, skipped: 0 });
const bad = (): Counts => ({ passed: 0, failed: 1, skipped: 0 });

main();
