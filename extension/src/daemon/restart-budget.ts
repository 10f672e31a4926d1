/** Rate limit for automatic daemon restarts: at most `max` in any sliding window, so a crash loop stops. */
export class RestartBudget {
  private times: number[] = [];

  constructor(
    private readonly max: number,
    private readonly windowMs = 60_000,
  ) {}

  /** Records a restart at `now` and returns true when one is allowed. */
  take(now: number): boolean {
    this.times = this.times.filter((t) => now - t < this.windowMs);
    if (this.times.length >= this.max) return false;
    this.times.push(now);
    return true;
  }

  /** When the next restart becomes allowed (ms since epoch), or `now` when one is allowed already. */
  nextAllowedAt(now: number): number {
    const live = this.times.filter((t) => now - t < this.windowMs);
    if (live.length < this.max) return now;
    return (live[0] ?? now) + this.windowMs;
  }

  reset(): void {
    this.times = [];
  }
}
