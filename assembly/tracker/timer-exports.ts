// The timer heap (timers.ts) one operation at a time, exported from the tracker module for its
// tests (test/assembly/tracker/timers.test.ts), on an instance of their own.

import {
  resetTimers, pushTimer, popTimer, peekDeadline, peekSlot, peekGeneration, timerCount, timerEntry, keepTimers,
} from "./timers";

export function timersReset(): void { resetTimers(); }
export function timersPush(deadline: f64, slot: u32, generation: u32): void { pushTimer(deadline, slot, generation); }
export function timersPop(): void { popTimer(); }
export function timersSize(): u32 { return timerCount; }
export function timersPeekDeadline(): f64 { return peekDeadline(); }
export function timersPeekSlot(): u32 { return peekSlot(); }
export function timersPeekGeneration(): u32 { return peekGeneration(); }

/** Keeps the entries whose generation is odd (as the tracker keeps the current ones). */
export function timersKeepOddGenerations(): void {
  const live = heap.alloc(<usize>timerCount + 1);
  for (let i: u32 = 0; i < timerCount; i++) store<u8>(live + i, <u8>(load<u32>(timerEntry(i), 12) & 1));
  keepTimers(live);
  heap.free(live);
}
