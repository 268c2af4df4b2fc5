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
// the caller. The caller counts the entries it makes stale; when they are the majority it keeps
// only the live ones (keepTimers) — under a SYN flood past the half-open limit every evicted
// connection leaves one behind, millions within an attempt timeout. The reference tracker's
// queue (sdk/connections/timer-queue.ts) makes the same choices in the same order.

import { copy16 } from "../memory";
import { resetTimerHeap, heapCount, heapEntry, pushHeapTimer, popHeapTimer, keepHeapTimers } from "./timer-heap";

const FIFOS: u32 = 4;
const HEAP: u32 = FIFOS; //      the earliest entry's source when it is the heap's top
const NONE: u32 = FIFOS + 1; //  ... when the queue is empty
const FIFO_FIRST: u32 = 256; //  entries a FIFO starts with (a power of two)
const FIFO_KEEP: u32 = 4096; //  an emptied FIFO larger than this gives its memory back
// Per FIFO, 16 bytes: its ring of entries (u32 address), capacity - 1, head, count.
let fifos: usize = 0;
export let timerCount: u32 = 0;
/** Entries whose connection has ended or moved its deadline (counted by the caller). */
export let staleTimers: u32 = 0;
export function timerWentStale(): void { staleTimers++; }
export function staleTimerPopped(): void { if (staleTimers > 0) staleTimers--; } // (a revived entry may not have been counted)
// The earliest entry: its source (a FIFO, HEAP or NONE), deadline and slot.
let earliestIn: u32 = NONE;
let earliestDeadline: f64 = Infinity;
let earliestSlot: u32 = 0;

@inline function fifoAt(k: u32): usize { return fifos + (<usize>k << 4); }
@inline function countOf(f: usize): u32 { return load<u32>(f, 12); }
// Entry i of FIFO f, from its head.
@inline function fifoEntry(f: usize, i: u32): usize {
  return <usize>load<u32>(f) + (<usize>((load<u32>(f, 8) + i) & load<u32>(f, 4)) << 4);
}
// Does (d1, s1) come before (d2, s2)?
@inline function before(d1: f64, s1: u32, d2: f64, s2: u32): bool { return d1 < d2 || (d1 == d2 && s1 < s2); }

export function resetTimers(): void {
  if (fifos == 0) {
    fifos = heap.alloc(<usize>FIFOS << 4);
    for (let k: u32 = 0; k < FIFOS; k++) {
      store<u32>(fifoAt(k), <u32>heap.alloc(<usize>FIFO_FIRST << 4));
      store<u32>(fifoAt(k), FIFO_FIRST - 1, 4);
    }
  }
  for (let k: u32 = 0; k < FIFOS; k++) {
    store<u32>(fifoAt(k), 0, 8);
    store<u32>(fifoAt(k), 0, 12);
  }
  resetTimerHeap();
  timerCount = 0;
  staleTimers = 0;
  earliestIn = NONE;
  earliestDeadline = Infinity;
}

export function pushTimer(deadline: f64, slot: u32, generation: u32): void {
  timerCount++;
  // The FIFO whose tail is the latest not after the entry, else the first empty one.
  let best = NONE, empty = NONE;
  let bestDeadline: f64 = 0, bestSlot: u32 = 0;
  for (let k: u32 = 0; k < FIFOS; k++) {
    const f = fifoAt(k), n = countOf(f);
    if (n == 0) {
      if (empty == NONE) empty = k;
      continue;
    }
    const tail = fifoEntry(f, n - 1);
    const d = load<f64>(tail), s = load<u32>(tail, 8);
    if (before(deadline, slot, d, s)) continue;
    if (best == NONE || before(bestDeadline, bestSlot, d, s)) {
      best = k;
      bestDeadline = d;
      bestSlot = s;
    }
  }
  if (best == NONE) best = empty;
  if (best == NONE) {
    pushHeapTimer(deadline, slot, generation);
  } else {
    const f = fifoAt(best), n = countOf(f);
    if (n > load<u32>(f, 4)) growFifo(f);
    const at = fifoEntry(f, n);
    store<f64>(at, deadline);
    store<u32>(at, slot, 8);
    store<u32>(at, generation, 12);
    store<u32>(f, n + 1, 12);
    if (n > 0) return; // behind its FIFO's head: not the earliest
  }
  // The entry heads its FIFO or may top the heap: the earliest if before the earliest so far.
  if (before(deadline, slot, earliestDeadline, earliestSlot)) {
    earliestIn = best == NONE ? HEAP : best;
    earliestDeadline = deadline;
    earliestSlot = slot;
  }
}

// Doubles a full FIFO's ring; the entries that had wrapped round to its start move to follow
// the others.
function growFifo(f: usize): void {
  const capacity = load<u32>(f, 4) + 1, head = load<u32>(f, 8);
  const at = heap.realloc(<usize>load<u32>(f), <usize>capacity << 5);
  if (head > 0) memory.copy(at + (<usize>capacity << 4), at, <usize>head << 4);
  store<u32>(f, <u32>at);
  store<u32>(f, 2 * capacity - 1, 4);
}

/** Deadline of the earliest entry (Infinity when empty). */
export function peekDeadline(): f64 { return earliestDeadline; }
export function peekSlot(): u32 { return earliestSlot; }
export function peekGeneration(): u32 {
  return load<u32>(earliestIn == HEAP ? heapEntry(0) : fifoEntry(fifoAt(earliestIn), 0), 12);
}

export function popTimer(): void {
  timerCount--;
  if (earliestIn == HEAP) {
    popHeapTimer();
  } else {
    const f = fifoAt(earliestIn), n = countOf(f) - 1;
    store<u32>(f, n, 12);
    store<u32>(f, (load<u32>(f, 8) + 1) & load<u32>(f, 4), 8);
    if (n == 0 && load<u32>(f, 4) >= FIFO_KEEP) {
      heap.free(<usize>load<u32>(f));
      store<u32>(f, <u32>heap.alloc(<usize>FIFO_FIRST << 4));
      store<u32>(f, FIFO_FIRST - 1, 4);
    }
  }
  findEarliest();
}

// The earliest of the FIFOs' heads and the heap's top; on a tie, the first of them in that order.
function findEarliest(): void {
  let source = NONE, deadline: f64 = Infinity, slot: u32 = 0;
  for (let k: u32 = 0; k < FIFOS; k++) {
    const f = fifoAt(k);
    if (countOf(f) == 0) continue;
    const head = fifoEntry(f, 0);
    const d = load<f64>(head), s = load<u32>(head, 8);
    if (source == NONE || before(d, s, deadline, slot)) {
      source = k;
      deadline = d;
      slot = s;
    }
  }
  if (heapCount > 0) {
    const top = heapEntry(0);
    const d = load<f64>(top), s = load<u32>(top, 8);
    if (source == NONE || before(d, s, deadline, slot)) {
      source = HEAP;
      deadline = d;
      slot = s;
    }
  }
  earliestIn = source;
  earliestDeadline = deadline;
  earliestSlot = slot;
}

/** Entry i in entry order (each FIFO from its head, in turn, then the heap): f64 deadline, u32 slot at 8, u32 generation at 12. */
export function timerEntry(i: u32): usize {
  for (let k: u32 = 0; k < FIFOS; k++) {
    const f = fifoAt(k), n = countOf(f);
    if (i < n) return fifoEntry(f, i);
    i -= n;
  }
  return heapEntry(i);
}

/**
 * Keeps the entries `live` marks (a byte per entry, in entry order, at `live`), each FIFO's in
 * their order, and restores the heap order; the stale count starts again from zero.
 */
export function keepTimers(live: usize): void {
  let at = live;
  for (let k: u32 = 0; k < FIFOS; k++) {
    const f = fifoAt(k), n = countOf(f);
    let kept: u32 = 0;
    for (let i: u32 = 0; i < n; i++) {
      if (load<u8>(at++) == 0) continue;
      if (kept != i) copy16(fifoEntry(f, kept), fifoEntry(f, i));
      kept++;
    }
    store<u32>(f, kept, 12);
  }
  keepHeapTimers(at);
  let count = heapCount;
  for (let k: u32 = 0; k < FIFOS; k++) count += countOf(fifoAt(k));
  timerCount = count;
  staleTimers = 0;
  findEarliest();
}
