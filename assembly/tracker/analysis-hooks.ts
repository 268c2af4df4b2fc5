// Wireshark's TCP analysis (docs/tcp-analysis.md) at the tracker's three hook points: a
// connection created, a packet accepted, a connection ended. Each connection record carries its
// engine state block at C_ANALYSIS, so an ended copy carries the results. The reference
// tracker does the same in sdk/connections/tracker-analysis.ts.

import * as L from "../layout";
import { C_ANALYSIS, C_FIRST_SEC } from "../connection-layout";
import { DEFAULT_RING_BLOCKS, A_TIME_BASE, RING_GROUPS } from "../analysis-layout";
import { analysisReset, analysisPacket, analysisRelease } from "./analysis/engine";
import { initRingPool, setRingGroup } from "./analysis/ring-pool";
import { rec, curSeq, curAck, curFlags, curPayload } from "./context";

/** The verdicts (V_* bits) of the latest accepted packet. */
export let lastVerdicts: u32 = 0;

/** A new run: the pool of ring blocks, all free. */
export function resetAnalysis(): void {
  initRingPool(DEFAULT_RING_BLOCKS);
  lastVerdicts = 0;
}

export function startAnalysis(c: usize): void {
  analysisReset(c + C_ANALYSIS);
  // The time base sits in the engine's hot line: the connection's own copy lies on a line a
  // packet would otherwise not touch.
  store<f64>(c + C_ANALYSIS, load<f64>(c, C_FIRST_SEC), A_TIME_BASE);
}

/**
 * The packet being tracked, accepted for connection `c` from `side` (0: its first sender). Time
 * counts from the connection's first second, so that an f64 keeps nanoseconds whatever the
 * capture clock.
 */
export function analysePacket(c: usize, side: u32): void {
  // Measurement only (scripts/build-without-analysis.sh): the engine call compiled out.
  // @ts-ignore: a constant asc's --use introduces, undefined in every ordinary build
  if (isDefined(BENCH_NO_ANALYSIS)) return;
  const r = rec;
  const t = load<f64>(r, L.REC_TS_SEC) - load<f64>(c + C_ANALYSIS, A_TIME_BASE) + <f64>load<u32>(r, L.REC_TS_NSEC) * 1e-9;
  const wscale: i32 = (load<u16>(r, L.REC_OPTIONS) & L.OPT_WSCALE) != 0 ? <i32>load<u8>(r, L.REC_WSCALE) : -1;
  setRingGroup(<i32>(load<u32>(r, L.REC_FLOW_HASH) & (RING_GROUPS - 1)));
  lastVerdicts = analysisPacket(c + C_ANALYSIS, <i32>side, curSeq, curAck, curFlags, <u32>load<u16>(r, L.REC_WINDOW), wscale, curPayload, t);
}

/** The connection at `c` ends: its pool blocks go back before its memory is copied out and reused. */
export function endAnalysis(c: usize): void {
  analysisRelease(c + C_ANALYSIS);
}
