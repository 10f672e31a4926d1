/**
 * A map keyed by a short tuple of values, as nested maps. Joining the parts into one string key
 * costs a concatenation and a hash of the result per lookup, which on thousands of findings per
 * keystroke showed as the largest part of re-analysis.
 */
export class KeyTree<V> {
  private readonly root = new Map<unknown, unknown>();

  get(keys: readonly unknown[]): V | undefined {
    let node: unknown = this.root;
    for (const k of keys) {
      node = (node as Map<unknown, unknown>).get(k);
      if (node === undefined) return undefined;
    }
    return node as V;
  }

  set(keys: readonly unknown[], value: V): void {
    let node = this.root;
    keys.forEach((k, i) => {
      if (i === keys.length - 1) {
        node.set(k, value);
        return;
      }
      let next = node.get(k) as Map<unknown, unknown> | undefined;
      if (!next) node.set(k, (next = new Map()));
      node = next;
    });
  }
}
