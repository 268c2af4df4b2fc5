// The main thread's young generation, held where it is once it has grown to YOUNG_CAP_BYTES.
//
// V8 doubles the young generation's semi-spaces (1, 2, 4, 8, 16 MB) whenever more has survived
// its scavenges since the last growth than it holds, which a long scan always reaches: the
// summary at two threads ran with 33.6 MB of young generation committed while at most ~13 MB
// of it was in use (v8.getHeapSpaceStatistics). Its largest size can only be given before V8
// starts (--max-semi-space-size), but the factor it grows by is read at each growth: set to 1
// once the young generation holds YOUNG_CAP_BYTES, it grows no further. Starting it there
// (a factor of 1 from the start keeps it at 1 MB) cost 1.29x the CPU in round 1; at 8 MB the
// scan's CPU is the same (docs/benchmarks.md, "Threads and the record path", round 19).

import { getHeapSpaceStatistics, setFlagsFromString } from "node:v8";

/** The young generation (both semi-spaces) past which it no longer grows: 4 MB semi-spaces. */
export const YOUNG_CAP_BYTES = 8 << 20;

/** Bytes the young generation holds now (committed, both semi-spaces). */
export function youngGenerationBytes(): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === "new_space")?.space_size ?? 0;
}

/**
 * Stops the young generation's growth once it holds `cap` bytes, checked every `everyMs` on the
 * event loop (the scan yields to it between batches); the check never holds the process. Returns
 * a function that stops checking.
 */
export function capYoungGeneration(cap = YOUNG_CAP_BYTES, everyMs = 50): () => void {
  const check = () => {
    if (youngGenerationBytes() < cap) return;
    setFlagsFromString("--semi-space-growth-factor=1");
    clearInterval(timer);
  };
  const timer = setInterval(check, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
