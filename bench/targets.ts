/**
 * Targets of a benchmark, checked in the run that measured them. Each target is stated twice where
 * it is an absolute time: as that time, and as a ratio to a reference measured in the same run
 * (absolute times on shared machines move 2-3x from run to run; ratios much less). `report()`
 * prints the verdicts and makes a missed target fail the benchmark: `bench/run.ts` counts it.
 */

/** Exit code of a benchmark that ran to the end but missed at least one target. */
export const MISSED_TARGET_EXIT = 3;

interface Verdict {
  what: string;
  measured: string;
  target: string;
  met: boolean;
}

export class Targets {
  private readonly verdicts: Verdict[] = [];

  /** Records one target: `met` is the comparison, the strings are what the table shows. */
  check(what: string, met: boolean, measured: string, target: string): boolean {
    this.verdicts.push({ what, measured, target, met });
    return met;
  }

  /** value ≤ limit, formatted with `unit` (e.g. "ms", "s", "×"). */
  atMost(what: string, value: number, limit: number, unit: string, digits = 2): boolean {
    return this.check(what, value <= limit, `${value.toFixed(digits)} ${unit}`, `≤ ${limit} ${unit}`);
  }

  /** value ≥ limit. */
  atLeast(what: string, value: number, limit: number, unit: string, digits = 2): boolean {
    return this.check(what, value >= limit, `${value.toFixed(digits)} ${unit}`, `≥ ${limit} ${unit}`);
  }

  get missed(): number {
    return this.verdicts.filter((v) => !v.met).length;
  }

  /** Prints the targets table; a missed target sets the exit code that run.ts counts as a failure. */
  report(): void {
    console.log('\n| target | measured | required | verdict |');
    console.log('|---|---:|---:|:---:|');
    for (const v of this.verdicts) console.log(`| ${v.what} | ${v.measured} | ${v.target} | ${v.met ? 'met' : '**MISSED**'} |`);
    const missed = this.missed;
    console.log(missed ? `\n${missed} of ${this.verdicts.length} targets MISSED` : `\nall ${this.verdicts.length} targets met`);
    if (missed && !process.exitCode) process.exitCode = MISSED_TARGET_EXIT;
  }
}
