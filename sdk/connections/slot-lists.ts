// Slots in several lists at once, each in the order they were queued: doubly linked lists
// threaded through two per-slot arrays, so that queueing, removing any slot and reading a list's
// oldest are O(1), allocate nothing, and cost two numbers a slot whatever the number of lists.
// (The pending one-packet connections, one list per virtual shard: pending-syns.ts.)

const NONE = -1;

export class SlotLists {
  private next = new Int32Array(0);
  private prev = new Int32Array(0);
  private readonly first: Int32Array;
  private readonly last: Int32Array;
  private readonly sizes: Int32Array;

  constructor(lists: number) {
    this.first = new Int32Array(lists).fill(NONE);
    this.last = new Int32Array(lists).fill(NONE);
    this.sizes = new Int32Array(lists);
  }

  /** Queues `slot` (in no list) at the end of `list`. */
  push(list: number, slot: number): void {
    if (slot >= this.next.length) this.grow(slot + 1);
    const last = this.last[list]!;
    this.prev[slot] = last;
    this.next[slot] = NONE;
    if (last === NONE) this.first[list] = slot;
    else this.next[last] = slot;
    this.last[list] = slot;
    this.sizes[list]!++;
  }

  /** Takes `slot` out of `list`, where it is. */
  delete(list: number, slot: number): void {
    const p = this.prev[slot]!, n = this.next[slot]!;
    if (p === NONE) this.first[list] = n;
    else this.next[p] = n;
    if (n === NONE) this.last[list] = p;
    else this.prev[n] = p;
    this.sizes[list]!--;
  }

  /** The oldest slot of `list`, or -1. */
  oldest(list: number): number { return this.first[list]!; }

  size(list: number): number { return this.sizes[list]!; }

  private grow(atLeast: number): void {
    let n = Math.max(1024, this.next.length * 2);
    while (n < atLeast) n *= 2;
    const next = new Int32Array(n), prev = new Int32Array(n);
    next.set(this.next);
    prev.set(this.prev);
    this.next = next;
    this.prev = prev;
  }
}
