// A binary min-heap of (deadline, connection slot, generation). Entries are never removed in
// place: a connection whose deadline moved or whose slot was reused is recognised by its
// generation when the entry comes out, and skipped or re-queued by the caller, who may also
// drop them all at once (keep) when they are the majority. The WebAssembly tracker's heap
// (assembly/tracker/timers.ts) does the same operations in the same order, so that entries with
// equal deadlines come out of both in the same order.

export class TimerQueue {
  private deadline = new Float64Array(1024);
  private slot = new Int32Array(1024);
  private generation = new Uint32Array(1024);
  size = 0;

  push(deadline: number, slot: number, generation: number): void {
    if (this.size === this.deadline.length) this.grow();
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.deadline[parent]! <= deadline) break;
      this.move(parent, i);
      i = parent;
    }
    this.deadline[i] = deadline;
    this.slot[i] = slot;
    this.generation[i] = generation;
  }

  /** Deadline of the earliest entry (Infinity when empty). */
  peekDeadline(): number { return this.size ? this.deadline[0]! : Infinity; }
  peekSlot(): number { return this.slot[0]!; }
  peekGeneration(): number { return this.generation[0]!; }

  pop(): void {
    const last = --this.size;
    if (last === 0) return;
    this.siftDown(0, this.deadline[last]!, this.slot[last]!, this.generation[last]!);
  }

  /** Keeps the entries `live` accepts, in entry order, and restores the heap order. */
  keep(live: (deadline: number, slot: number, generation: number) => boolean): void {
    let kept = 0;
    for (let i = 0; i < this.size; i++) {
      if (!live(this.deadline[i]!, this.slot[i]!, this.generation[i]!)) continue;
      if (kept !== i) this.move(i, kept);
      kept++;
    }
    this.size = kept;
    for (let i = (kept - 2) >> 1; i >= 0; i--) this.siftDown(i, this.deadline[i]!, this.slot[i]!, this.generation[i]!);
  }

  // Places entry (d, s, g) at hole i or below it, moving earlier children up.
  private siftDown(hole: number, d: number, s: number, g: number): void {
    let i = hole;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.size) break;
      const r = l + 1;
      const c = r < this.size && this.deadline[r]! < this.deadline[l]! ? r : l;
      if (this.deadline[c]! >= d) break;
      this.move(c, i);
      i = c;
    }
    this.deadline[i] = d;
    this.slot[i] = s;
    this.generation[i] = g;
  }

  private move(from: number, to: number): void {
    this.deadline[to] = this.deadline[from]!;
    this.slot[to] = this.slot[from]!;
    this.generation[to] = this.generation[from]!;
  }

  private grow(): void {
    const n = this.deadline.length * 2;
    const d = new Float64Array(n); d.set(this.deadline); this.deadline = d;
    const s = new Int32Array(n); s.set(this.slot); this.slot = s;
    const g = new Uint32Array(n); g.set(this.generation); this.generation = g;
  }
}
