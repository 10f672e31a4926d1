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
