// The TCP analysis engine alone as a module, for the tests that hold it to the TypeScript
// engine (test/sdk/connections/analysis/engines-agree.test.ts compiles it). The tracker will
// call engine.ts directly; this file only adds room for the state blocks.

import { ANALYSIS_SIZE } from "../../analysis-layout";

export { analysisPacket, analysisReset, analysisRelease, analysisStartsNewStream } from "./engine";
export { initRingPool, freeRingBlocks } from "./ring-pool";

/** Room for `n` connections' state blocks, 64-byte aligned as in the tracker; returns the first block's address. */
export function allocateConnections(n: i32): usize {
  const base = heap.alloc(<usize>n * ANALYSIS_SIZE + 64);
  return (base + 63) & ~63;
}
