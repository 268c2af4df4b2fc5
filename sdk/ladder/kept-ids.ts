// The ids of the connections whose packets the one pass keeps (kept-packets.ts), so that after
// each batch it finds the lowest (no ladder that began later is handed on before that one ends)
// and those past the ids that can still be drawn, without going over every slot: a live
// capture's batch may be a packet or two among many thousands of open connections. An entry
// whose slot no longer keeps that connection is dropped when it comes to the top, and all such
// at once when they are most of them.

import { IdHeap } from "./id-heap.js";

export class KeptIds {
  /** Keyed by the negated id: the lowest id on top. */
  private lowest = new IdHeap<number>();
  private highest = new IdHeap<number>();
  private compactAt = 1024;

  /** `keeps(slot, id)`: the slot still keeps the packets of connection `id`. */
  constructor(private readonly keeps: (slot: number, id: number) => boolean) {}

  /** Connection `id` in `slot`, whose packets are now kept. */
  add(id: number, slot: number): void {
    this.lowest.push(-id, slot);
    this.highest.push(id, slot);
    if (this.highest.size > this.compactAt) this.compact();
  }

  /** The lowest id whose packets are kept (Infinity when none). */
  lowestId(): number {
    const heap = this.lowest;
    while (heap.size > 0 && !this.keeps(heap.maxItem()!, -heap.maxId())) heap.popMax();
    return heap.size > 0 ? -heap.maxId() : Infinity;
  }

  /** Takes out the slots kept for connections past `id`. */
  takeAbove(id: number): number[] {
    const heap = this.highest, slots: number[] = [];
    while (heap.size > 0 && heap.maxId() > id) {
      const top = heap.maxId(), slot = heap.popMax()!;
      if (this.keeps(slot, top)) slots.push(slot);
    }
    return slots;
  }

  /** Takes out the slot kept for the highest id, or null when none is kept. */
  takeHighest(): number | null {
    const heap = this.highest;
    while (heap.size > 0) {
      const top = heap.maxId(), slot = heap.popMax()!;
      if (this.keeps(slot, top)) return slot;
    }
    return null;
  }

  private compact(): void {
    const live = this.highest.entries().filter(([id, slot]) => this.keeps(slot, id));
    this.lowest = new IdHeap<number>();
    this.highest = new IdHeap<number>();
    for (const [id, slot] of live) {
      this.lowest.push(-id, slot);
      this.highest.push(id, slot);
    }
    this.compactAt = Math.max(1024, live.length * 2);
  }
}
