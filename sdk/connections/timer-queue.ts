// The timer queue: entries (deadline, connection slot, generation), given out earliest first,
// ties by slot. Almost every deadline is a packet's time plus a constant (the close linger, the
// attempt and inactivity timeouts, idle-empty) and packet times barely go back, so the entries
// of one constant come in deadline order: a few FIFOs take those in O(1), each push going to
// the FIFO whose last entry is the latest not after it (an empty one when none is, as patience
// sorting deals its piles); the rest (time going back, deadlines moved by later packets) go to
// a binary heap (timer-heap.ts). The earliest of the FIFOs' heads and the heap's top is kept
// at hand, as it is read before every packet. Nothing here knows the constants.
//
// Entries are never removed in place: a connection whose deadline moved or whose slot was
// reused is recognised by its generation when the entry comes out, and skipped or re-queued by
// the caller, who may also drop them all at once (keep) when they are the majority. The
// WebAssembly tracker's queue (assembly/tracker/timers.ts) makes the same choices in the same
// order.

import { TimerHeap } from "./timer-heap.js";

const FIFOS = 4;
const HEAP = FIFOS; //      the earliest entry's source when it is the heap's top
const NONE = FIFOS + 1; //  ... when the queue is empty
const FIFO_FIRST = 256; //  entries a FIFO starts with (a power of two)
const FIFO_KEEP = 4096; //  an emptied FIFO larger than this gives its memory back

// Does (d1, s1) come before (d2, s2)?
const before = (d1: number, s1: number, d2: number, s2: number): boolean => d1 < d2 || (d1 === d2 && s1 < s2);

/** A ring of entries in the order pushed. */
class TimerFifo {
  deadline = new Float64Array(FIFO_FIRST);
  slot = new Int32Array(FIFO_FIRST);
  generation = new Uint32Array(FIFO_FIRST);
  mask = FIFO_FIRST - 1;
  head = 0;
  count = 0;

  /** Index of entry i from the head. */
  at(i: number): number { return (this.head + i) & this.mask; }

  push(deadline: number, slot: number, generation: number): void {
    if (this.count > this.mask) this.grow();
    const i = this.at(this.count++);
    this.deadline[i] = deadline;
    this.slot[i] = slot;
    this.generation[i] = generation;
  }

  pop(): void {
    this.head = (this.head + 1) & this.mask;
    if (--this.count === 0 && this.mask >= FIFO_KEEP) this.resize(FIFO_FIRST);
  }

  keep(live: (deadline: number, slot: number, generation: number) => boolean): void {
    let kept = 0;
    for (let i = 0; i < this.count; i++) {
      const from = this.at(i);
      if (!live(this.deadline[from]!, this.slot[from]!, this.generation[from]!)) continue;
      const to = this.at(kept++);
      this.deadline[to] = this.deadline[from]!;
      this.slot[to] = this.slot[from]!;
      this.generation[to] = this.generation[from]!;
    }
    this.count = kept;
  }

  private grow(): void { this.resize((this.mask + 1) * 2); }

  // New rings of `capacity` entries, the entries from index 0.
  private resize(capacity: number): void {
    const d = new Float64Array(capacity), s = new Int32Array(capacity), g = new Uint32Array(capacity);
    for (let i = 0; i < this.count; i++) {
      const from = this.at(i);
      d[i] = this.deadline[from]!;
      s[i] = this.slot[from]!;
      g[i] = this.generation[from]!;
    }
    this.deadline = d;
    this.slot = s;
    this.generation = g;
    this.mask = capacity - 1;
    this.head = 0;
  }
}

export class TimerQueue {
  private readonly fifos = Array.from({ length: FIFOS }, () => new TimerFifo());
  private readonly heap = new TimerHeap();
  size = 0;
  // The earliest entry: its source (a FIFO, HEAP or NONE), deadline and slot.
  private earliestIn = NONE;
  private earliestDeadline = Infinity;
  private earliestSlot = 0;

  push(deadline: number, slot: number, generation: number): void {
    this.size++;
    // The FIFO whose tail is the latest not after the entry, else the first empty one.
    let best = NONE, empty = NONE, bestDeadline = 0, bestSlot = 0;
    for (let k = 0; k < FIFOS; k++) {
      const f = this.fifos[k]!;
      if (f.count === 0) {
        if (empty === NONE) empty = k;
        continue;
      }
      const tail = f.at(f.count - 1);
      const d = f.deadline[tail]!, s = f.slot[tail]!;
      if (before(deadline, slot, d, s)) continue;
      if (best === NONE || before(bestDeadline, bestSlot, d, s)) {
        best = k;
        bestDeadline = d;
        bestSlot = s;
      }
    }
    if (best === NONE) best = empty;
    if (best === NONE) {
      this.heap.push(deadline, slot, generation);
    } else {
      const f = this.fifos[best]!;
      f.push(deadline, slot, generation);
      if (f.count > 1) return; // behind its FIFO's head: not the earliest
    }
    // The entry heads its FIFO or may top the heap: the earliest if before the earliest so far.
    if (before(deadline, slot, this.earliestDeadline, this.earliestSlot)) {
      this.earliestIn = best === NONE ? HEAP : best;
      this.earliestDeadline = deadline;
      this.earliestSlot = slot;
    }
  }

  /** Deadline of the earliest entry (Infinity when empty). */
  peekDeadline(): number { return this.earliestDeadline; }
  peekSlot(): number { return this.earliestSlot; }
  peekGeneration(): number {
    if (this.earliestIn === HEAP) return this.heap.generation[0]!;
    const f = this.fifos[this.earliestIn]!;
    return f.generation[f.head]!;
  }

  pop(): void {
    this.size--;
    if (this.earliestIn === HEAP) this.heap.pop();
    else this.fifos[this.earliestIn]!.pop();
    this.findEarliest();
  }

  /** Keeps the entries `live` accepts, each FIFO's in their order, and restores the heap order. */
  keep(live: (deadline: number, slot: number, generation: number) => boolean): void {
    let size = 0;
    for (const f of this.fifos) {
      f.keep(live);
      size += f.count;
    }
    this.heap.keep(live);
    this.size = size + this.heap.size;
    this.findEarliest();
  }

  // The earliest of the FIFOs' heads and the heap's top; on a tie, the first of them in that order.
  private findEarliest(): void {
    let source = NONE, deadline = Infinity, slot = 0;
    for (let k = 0; k < FIFOS; k++) {
      const f = this.fifos[k]!;
      if (f.count === 0) continue;
      const d = f.deadline[f.head]!, s = f.slot[f.head]!;
      if (source === NONE || before(d, s, deadline, slot)) {
        source = k;
        deadline = d;
        slot = s;
      }
    }
    const h = this.heap;
    if (h.size > 0 && (source === NONE || before(h.deadline[0]!, h.slot[0]!, deadline, slot))) {
      source = HEAP;
      deadline = h.deadline[0]!;
      slot = h.slot[0]!;
    }
    this.earliestIn = source;
    this.earliestDeadline = deadline;
    this.earliestSlot = slot;
  }
}
