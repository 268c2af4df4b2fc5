// Connection slots in the order they were queued, each with a deadline: a doubly linked list
// threaded through per-slot arrays, so that queueing, removing any slot and reading the oldest
// are O(1) and allocate nothing. (A Map used as a queue is not: V8's iterators start at the
// table's first entry and step over every deleted one, so reading the oldest after many
// removals from the front cost time in proportion to the removals, and a SYN flood past the
// half-open limit became quadratic.)

const NONE = -1;

export class SlotFifo {
  private next = new Int32Array(0);
  private prev = new Int32Array(0);
  private deadlines = new Float64Array(0);
  private queued = new Uint8Array(0);
  private first = NONE;
  private last = NONE;
  size = 0;

  /** Queues `slot` (which must not be queued) at the end. */
  push(slot: number, deadline: number): void {
    if (slot >= this.queued.length) this.grow(slot + 1);
    this.queued[slot] = 1;
    this.deadlines[slot] = deadline;
    this.prev[slot] = this.last;
    this.next[slot] = NONE;
    if (this.last === NONE) this.first = slot;
    else this.next[this.last] = slot;
    this.last = slot;
    this.size++;
  }

  /** Whether `slot` is queued. */
  has(slot: number): boolean {
    return slot < this.queued.length && this.queued[slot] === 1;
  }

  /** Takes `slot` out wherever it is; false when it was not queued. */
  delete(slot: number): boolean {
    if (slot >= this.queued.length || this.queued[slot] === 0) return false;
    this.queued[slot] = 0;
    const p = this.prev[slot]!, n = this.next[slot]!;
    if (p === NONE) this.first = n;
    else this.next[p] = n;
    if (n === NONE) this.last = p;
    else this.prev[n] = p;
    this.size--;
    return true;
  }

  /** The oldest slot queued, or -1. */
  oldest(): number {
    return this.first;
  }

  /** The deadline the oldest slot was queued with (Infinity when empty). */
  oldestDeadline(): number {
    return this.first === NONE ? Infinity : this.deadlines[this.first]!;
  }

  private grow(atLeast: number): void {
    let n = Math.max(1024, this.queued.length * 2);
    while (n < atLeast) n *= 2;
    const widen = <T extends Int32Array | Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.next = widen(this.next, (k) => new Int32Array(k));
    this.prev = widen(this.prev, (k) => new Int32Array(k));
    this.deadlines = widen(this.deadlines, (k) => new Float64Array(k));
    this.queued = widen(this.queued, (k) => new Uint8Array(k));
  }
}
