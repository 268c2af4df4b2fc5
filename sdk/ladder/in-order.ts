// The ladders of a file's second pass, handed on in id order (the order they began) as soon as
// every earlier one has been: connections end in another order, and one that began early and
// lasts (or stays open to the end) holds back every ladder after it. Past MAX_WAITING of those
// held back, a ladder waits in a temporary file (as JSON, read back in its turn), so memory stays
// bounded however many are drawn (--ladder-limit none on millions of connections).

import type { ConnectionLadder } from "./ladder-capture.js";
import { MAX_WAITING, SpillFile } from "./spill-file.js";

export class InOrderLadders {
  private next = 0;
  private readonly waiting = new Map<number, ConnectionLadder>();
  // Where each ladder waiting on disk lies (offset -1: not there).
  private readonly spillAt: Float64Array;
  private readonly spillLength: Uint32Array;
  private readonly spillFile = new SpillFile();

  /** `ids`: the selected connections' ids, ascending. */
  constructor(readonly ids: Float64Array, private readonly maxWaiting = MAX_WAITING) {
    this.spillAt = new Float64Array(ids.length).fill(-1);
    this.spillLength = new Uint32Array(ids.length);
  }

  /** Ladders handed on so far. */
  get handed(): number {
    return this.next;
  }

  /** Ladders held back in memory now (at most maxWaiting, and the one due next). */
  get heldInMemory(): number {
    return this.waiting.size;
  }

  /** The index of `id` among the selected, or -1. */
  indexOf(id: number): number {
    const ids = this.ids;
    let lo = 0, hi = ids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (ids[mid]! < id) lo = mid + 1;
      else if (ids[mid]! > id) hi = mid - 1;
      else return mid;
    }
    return -1;
  }

  /** The ladder of selected connection `index`, held until those before it are handed on. */
  add(index: number, ladder: ConnectionLadder): void {
    if (index === this.next || this.waiting.size < this.maxWaiting) this.waiting.set(index, ladder);
    else this.spill(index, ladder);
  }

  /** The ladders now due, in id order; each is handed on once. */
  *due(): Generator<ConnectionLadder> {
    for (;;) {
      const held = this.waiting.get(this.next);
      if (held) this.waiting.delete(this.next);
      const ladder = held ?? this.readBack(this.next);
      if (!ladder) return;
      this.next++;
      yield ladder;
    }
  }

  /** Forgets the ladders held of the selected from index `cut` on (another pass draws them again). */
  keepBelow(cut: number): void {
    for (const index of this.waiting.keys()) if (index >= cut) this.waiting.delete(index);
    this.spillAt.fill(-1, cut);
  }

  /** Removes the temporary file (idempotent). */
  close(): void {
    this.spillFile.close();
  }

  private spill(index: number, ladder: ConnectionLadder): void {
    const { at, length } = this.spillFile.write(ladder);
    this.spillAt[index] = at;
    this.spillLength[index] = length;
  }

  private readBack(index: number): ConnectionLadder | null {
    if (index >= this.ids.length || this.spillAt[index]! < 0) return null;
    const ladder = this.spillFile.read({ at: this.spillAt[index]!, length: this.spillLength[index]! });
    this.spillAt[index] = -1;
    return ladder;
  }
}
