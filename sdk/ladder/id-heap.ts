// A max-heap of values keyed by connection id: keeps the `limit` lowest ids seen, where the one
// to give up when a lower id arrives is the highest.

export class IdHeap<T> {
  private readonly ids: number[] = [];
  private readonly items: T[] = [];

  get size(): number {
    return this.ids.length;
  }

  /** The highest id held (-Infinity when empty). */
  maxId(): number {
    return this.ids.length ? this.ids[0]! : -Infinity;
  }

  /** The item with the highest id (undefined when empty). */
  maxItem(): T | undefined {
    return this.items[0];
  }

  push(id: number, item: T): void {
    let k = this.ids.length;
    this.ids.push(id);
    this.items.push(item);
    while (k > 0) {
      const parent = (k - 1) >> 1;
      if (this.ids[parent]! >= id) break;
      this.swap(k, parent);
      k = parent;
    }
  }

  /** Removes the item with the highest id. */
  popMax(): T | undefined {
    if (this.ids.length === 0) return undefined;
    const top = this.items[0];
    const lastId = this.ids.pop()!, lastItem = this.items.pop()!;
    if (this.ids.length > 0) {
      this.ids[0] = lastId;
      this.items[0] = lastItem;
      for (let k = 0; ;) {
        const l = 2 * k + 1, r = l + 1;
        let big = k;
        if (l < this.ids.length && this.ids[l]! > this.ids[big]!) big = l;
        if (r < this.ids.length && this.ids[r]! > this.ids[big]!) big = r;
        if (big === k) break;
        this.swap(k, big);
        k = big;
      }
    }
    return top;
  }

  /** Each id with its item, in no particular order. */
  entries(): [number, T][] {
    return this.ids.map((id, k) => [id, this.items[k]!]);
  }

  /** The items, in no particular order. */
  values(): T[] {
    return [...this.items];
  }

  private swap(a: number, b: number): void {
    [this.ids[a], this.ids[b]] = [this.ids[b]!, this.ids[a]!];
    [this.items[a], this.items[b]] = [this.items[b]!, this.items[a]!];
  }
}
