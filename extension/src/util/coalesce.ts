/**
 * Runs at most one refresh per key at a time; requests arriving meanwhile collapse into one more run
 * after it. A burst of events about one node thus costs two requests, not one per event.
 */
export class KeyedCoalescer {
  private readonly running = new Map<string, { again: boolean; done: Promise<void> }>();

  constructor(private readonly onError: (key: string, e: unknown) => void) {}

  request(key: string, work: () => Promise<void>): Promise<void> {
    const live = this.running.get(key);
    if (live) {
      live.again = true;
      return live.done;
    }
    const state = { again: false, done: Promise.resolve() };
    state.done = (async () => {
      try {
        do {
          state.again = false;
          await work();
        } while (state.again);
      } catch (e) {
        this.onError(key, e);
      } finally {
        this.running.delete(key);
      }
    })();
    this.running.set(key, state);
    return state.done;
  }

  get busy(): number {
    return this.running.size;
  }
}

/** "3 min ago" style age, for tree descriptions. */
export function age(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (!Number.isFinite(s)) return iso;
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

export function fmtBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}
