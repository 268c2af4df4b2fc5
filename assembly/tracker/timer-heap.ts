// The timer queue's binary min-heap (timers.ts): the entries no FIFO of the queue takes, in
// (deadline, slot) order. 16 bytes an entry: f64 deadline, u32 slot at 8, u32 generation at 12.
// The reference tracker's is sdk/connections/timer-heap.ts.

import { copy16 } from "../memory";

let heapAt: usize = 0;
let capacity: u32 = 0;
export let heapCount: u32 = 0;

export function resetTimerHeap(): void {
  if (heapAt == 0) {
    capacity = 1024;
    heapAt = heap.alloc(<usize>capacity << 4);
  }
  heapCount = 0;
}

@inline function deadlineAt(i: u32): f64 { return load<f64>(heapAt + (<usize>i << 4)); }
@inline function slotAt(i: u32): u32 { return load<u32>(heapAt + (<usize>i << 4), 8); }

@inline function put(i: u32, deadline: f64, slot: u32, generation: u32): void {
  const at = heapAt + (<usize>i << 4);
  store<f64>(at, deadline);
  store<u32>(at, slot, 8);
  store<u32>(at, generation, 12);
}

@inline function move(from: u32, to: u32): void {
  copy16(heapAt + (<usize>to << 4), heapAt + (<usize>from << 4));
}

/** Entry i in heap order (the earliest at 0). */
@inline export function heapEntry(i: u32): usize { return heapAt + (<usize>i << 4); }

// Places entry (d, s, g) at hole i or below it, moving earlier children up.
function siftDown(i: u32, d: f64, s: u32, g: u32): void {
  for (;;) {
    const l: u32 = 2 * i + 1;
    if (l >= heapCount) break;
    const r: u32 = l + 1;
    let c = l;
    if (r < heapCount) {
      const rd = deadlineAt(r), ld = deadlineAt(l);
      if (rd < ld || (rd == ld && slotAt(r) < slotAt(l))) c = r;
    }
    const cd = deadlineAt(c);
    if (cd > d || (cd == d && slotAt(c) >= s)) break;
    move(c, i);
    i = c;
  }
  put(i, d, s, g);
}

export function pushHeapTimer(deadline: f64, slot: u32, generation: u32): void {
  if (heapCount == capacity) {
    capacity *= 2;
    heapAt = heap.realloc(heapAt, <usize>capacity << 4);
  }
  let i = heapCount++;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const pd = deadlineAt(parent);
    if (pd < deadline || (pd == deadline && slotAt(parent) <= slot)) break;
    move(parent, i);
    i = parent;
  }
  put(i, deadline, slot, generation);
}

export function popHeapTimer(): void {
  const last = --heapCount;
  if (last == 0) return;
  const at = heapAt + (<usize>last << 4);
  siftDown(0, load<f64>(at), load<u32>(at, 8), load<u32>(at, 12)); // within heapCount == last
}

/** Keeps the entries `live` marks (a byte per entry, in heap order) and restores the heap order. */
export function keepHeapTimers(live: usize): void {
  let kept: u32 = 0;
  for (let i: u32 = 0; i < heapCount; i++) {
    if (load<u8>(live + i) == 0) continue;
    if (kept != i) move(i, kept);
    kept++;
  }
  heapCount = kept;
  if (kept < 2) return;
  for (let i: i32 = <i32>((kept - 2) >> 1); i >= 0; i--) {
    const at = heapAt + (<usize>i << 4);
    siftDown(<u32>i, load<f64>(at), load<u32>(at, 8), load<u32>(at, 12));
  }
}
