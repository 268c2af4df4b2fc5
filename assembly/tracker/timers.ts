// A binary min-heap of (deadline, connection slot, generation), 16 bytes an entry. Entries are
// never removed in place: a connection whose deadline moved or whose slot was reused is
// recognised by its generation when the entry comes out, and skipped or re-queued by the caller.
// The caller counts the entries it makes stale; when they are the majority it keeps only the
// live ones (keepTimers) — under a SYN flood past the half-open limit every evicted connection
// leaves one behind, millions within an attempt timeout.

import { copy16 } from "../memory";

let heapAt: usize = 0;
let capacity: u32 = 0;
export let timerCount: u32 = 0;
/** Entries whose connection has ended or moved its deadline (counted by the caller). */
export let staleTimers: u32 = 0;
export function timerWentStale(): void { staleTimers++; }
export function staleTimerPopped(): void { if (staleTimers > 0) staleTimers--; } // (a revived entry may not have been counted)

export function resetTimers(): void {
  if (heapAt == 0) {
    capacity = 1024;
    heapAt = heap.alloc(<usize>capacity << 4);
  }
  timerCount = 0;
  staleTimers = 0;
}

@inline function deadlineAt(i: u32): f64 { return load<f64>(heapAt + (<usize>i << 4)); }

@inline function put(i: u32, deadline: f64, slot: u32, generation: u32): void {
  const at = heapAt + (<usize>i << 4);
  store<f64>(at, deadline);
  store<u32>(at, slot, 8);
  store<u32>(at, generation, 12);
}

@inline function move(from: u32, to: u32): void {
  copy16(heapAt + (<usize>to << 4), heapAt + (<usize>from << 4));
}

/** Entry i in heap order: f64 deadline, u32 slot at 8, u32 generation at 12. */
export function timerEntry(i: u32): usize { return heapAt + (<usize>i << 4); }

/**
 * Keeps the entries `live` marks (a byte per entry, in entry order, at `live`) and restores
 * the heap order; the stale count starts again from zero.
 */
export function keepTimers(live: usize): void {
  let kept: u32 = 0;
  for (let i: u32 = 0; i < timerCount; i++) {
    if (load<u8>(live + i) == 0) continue;
    if (kept != i) move(i, kept);
    kept++;
  }
  timerCount = kept;
  staleTimers = 0;
  if (kept < 2) return;
  for (let i: i32 = <i32>((kept - 2) >> 1); i >= 0; i--) {
    const at = heapAt + (<usize>i << 4);
    siftDown(<u32>i, load<f64>(at), load<u32>(at, 8), load<u32>(at, 12));
  }
}

// Places entry (d, s, g) at hole i or below it, moving earlier children up.
function siftDown(i: u32, d: f64, s: u32, g: u32): void {
  for (;;) {
    const l: u32 = 2 * i + 1;
    if (l >= timerCount) break;
    const r: u32 = l + 1;
    const c = r < timerCount && deadlineAt(r) < deadlineAt(l) ? r : l;
    if (deadlineAt(c) >= d) break;
    move(c, i);
    i = c;
  }
  put(i, d, s, g);
}

export function pushTimer(deadline: f64, slot: u32, generation: u32): void {
  if (timerCount == capacity) {
    capacity *= 2;
    heapAt = heap.realloc(heapAt, <usize>capacity << 4);
  }
  let i = timerCount++;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (deadlineAt(parent) <= deadline) break;
    move(parent, i);
    i = parent;
  }
  put(i, deadline, slot, generation);
}

/** Deadline of the earliest entry (Infinity when empty). */
export function peekDeadline(): f64 { return timerCount > 0 ? deadlineAt(0) : Infinity; }
export function peekSlot(): u32 { return load<u32>(heapAt, 8); }
export function peekGeneration(): u32 { return load<u32>(heapAt, 12); }

export function popTimer(): void {
  const last = --timerCount;
  if (last == 0) return;
  const at = heapAt + (<usize>last << 4);
  siftDown(0, load<f64>(at), load<u32>(at, 8), load<u32>(at, 12)); // within timerCount == last
}
