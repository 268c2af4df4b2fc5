// Min-heaps of (key, connection slot, generation), 16 bytes an entry, as timers.ts is but with
// more than one instance: a heap is a 12-byte header (entries, count, capacity) at its handle.
// eviction.ts keeps connections in them by the index of their last packet (the reference
// tracker uses its TimerQueue class for the same).

import { copy16 } from "../memory";

/** A new, empty heap; its handle. */
export function newHeap(): usize {
  const h = heap.alloc(12);
  const capacity: u32 = 256;
  store<u32>(h, <u32>heap.alloc(<usize>capacity << 4));
  store<u32>(h, 0, 4);
  store<u32>(h, capacity, 8);
  return h;
}

@inline function entries(h: usize): usize { return <usize>load<u32>(h); }
@inline export function heapCount(h: usize): u32 { return load<u32>(h, 4); }
@inline export function clearHeap(h: usize): void { store<u32>(h, 0, 4); }
@inline function keyAt(h: usize, i: u32): f64 { return load<f64>(entries(h) + (<usize>i << 4)); }

@inline function put(h: usize, i: u32, key: f64, slot: u32, generation: u32): void {
  const at = entries(h) + (<usize>i << 4);
  store<f64>(at, key);
  store<u32>(at, slot, 8);
  store<u32>(at, generation, 12);
}

export function heapPush(h: usize, key: f64, slot: u32, generation: u32): void {
  let n = heapCount(h);
  if (n == load<u32>(h, 8)) {
    const capacity = n * 2;
    store<u32>(h, <u32>heap.realloc(entries(h), <usize>capacity << 4));
    store<u32>(h, capacity, 8);
  }
  store<u32>(h, n + 1, 4);
  let i = n;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (keyAt(h, parent) <= key) break;
    copy16(entries(h) + (<usize>i << 4), entries(h) + (<usize>parent << 4));
    i = parent;
  }
  put(h, i, key, slot, generation);
}

export function heapKey(h: usize): f64 { return keyAt(h, 0); }
export function heapSlot(h: usize): u32 { return load<u32>(entries(h), 8); }
export function heapGeneration(h: usize): u32 { return load<u32>(entries(h), 12); }

export function heapPop(h: usize): void {
  const last = heapCount(h) - 1;
  store<u32>(h, last, 4);
  if (last == 0) return;
  const at = entries(h) + (<usize>last << 4);
  const key = load<f64>(at), slot = load<u32>(at, 8), generation = load<u32>(at, 12);
  let i: u32 = 0;
  for (;;) {
    const l: u32 = 2 * i + 1;
    if (l >= last) break;
    const r: u32 = l + 1;
    const c = r < last && keyAt(h, r) < keyAt(h, l) ? r : l;
    if (keyAt(h, c) >= key) break;
    copy16(entries(h) + (<usize>i << 4), entries(h) + (<usize>c << 4));
    i = c;
  }
  put(h, i, key, slot, generation);
}
