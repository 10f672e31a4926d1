/**
 * A bag of disposables with one lifetime. The extension keeps two: one for its whole life, one per
 * language-client session (recreated when the client restarts), so nothing outlives its owner.
 */
import { type Disposable } from './emitter';

export class Scope implements Disposable {
  private items: Disposable[] = [];
  private closed = false;

  add<T extends Disposable>(item: T): T {
    if (this.closed) item.dispose();
    else this.items.push(item);
    return item;
  }

  /** Disposes in reverse order of addition; errors in one do not stop the rest. */
  dispose(): void {
    this.closed = true;
    const errors: unknown[] = [];
    for (const item of this.items.splice(0).reverse()) {
      try {
        item.dispose();
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length) throw new AggregateError(errors, `${errors.length} disposable(s) failed`);
  }

  /** Empties the scope for reuse (e.g. the next language-client session). */
  reset(): void {
    this.dispose();
    this.closed = false;
  }

  get size(): number {
    return this.items.length;
  }
}
