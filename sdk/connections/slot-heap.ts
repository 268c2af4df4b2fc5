// A binary min-heap of (key, connection slot, generation): the eviction heaps
// (tracker-eviction.ts), keyed by a connection's last packet. Entries are never removed in
// place: one whose slot was reused or whose connection moved on is recognised when it comes
// out. The WebAssembly tracker's heaps (assembly/tracker/eviction-heap.ts) do the same
// operations in the same order.

export class SlotHeap {
  private key = new Float64Array(1024);
  private slot = new Int32Array(1024);
  private generation = new Uint32Array(1024);
  size = 0;

  push(key: number, slot: number, generation: number): void {
    if (this.size === this.key.length) this.grow();
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.key[parent]! <= key) break;
      this.move(parent, i);
      i = parent;
    }
    this.key[i] = key;
    this.slot[i] = slot;
    this.generation[i] = generation;
  }

  /** Key of the earliest entry (Infinity when empty). */
  peekKey(): number { return this.size ? this.key[0]! : Infinity; }
  peekSlot(): number { return this.slot[0]!; }
  peekGeneration(): number { return this.generation[0]!; }

  pop(): void {
    const last = --this.size;
    if (last === 0) return;
    const k = this.key[last]!, s = this.slot[last]!, g = this.generation[last]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.size) break;
      const r = l + 1;
      const c = r < this.size && this.key[r]! < this.key[l]! ? r : l;
      if (this.key[c]! >= k) break;
      this.move(c, i);
      i = c;
    }
    this.key[i] = k;
    this.slot[i] = s;
    this.generation[i] = g;
  }

  private move(from: number, to: number): void {
    this.key[to] = this.key[from]!;
    this.slot[to] = this.slot[from]!;
    this.generation[to] = this.generation[from]!;
  }

  private grow(): void {
    const n = this.key.length * 2;
    const k = new Float64Array(n); k.set(this.key); this.key = k;
    const s = new Int32Array(n); s.set(this.slot); this.slot = s;
    const g = new Uint32Array(n); g.set(this.generation); this.generation = g;
  }
}
