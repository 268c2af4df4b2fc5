// Wireshark's TCP analysis (docs/tcp-analysis.md) at the tracker's three hook points: a
// connection created, a packet accepted, a connection ended. The engine keeps its state by the
// store's slots; the WebAssembly tracker does the same in assembly/tracker/analysis-hooks.ts.

import * as L from "../../assembly/layout.js";
import type { PacketBatch } from "../decoder/packet-batch.js";
import { IO_TIME, IO_SEQ, IO_ACK } from "./analysis/tcp-analysis.js";
import { RING_GROUPS } from "../../assembly/analysis-layout.js";
import { readAnalysis } from "./analysis/analysis-result.js";
import { CUR_ACK, CUR_SEQ, type TrackerContext } from "./tracker-context.js";

export function startAnalysis(k: TrackerContext, slot: number): void {
  k.analysis.reset(slot);
}

/**
 * Packet i, accepted for the connection in `slot` from `side` (0: its first sender): its
 * verdicts, also left in k.verdicts. Time counts from the connection's first second, so that
 * an f64 keeps nanoseconds whatever the capture clock.
 */
export function analysePacket(k: TrackerContext, b: PacketBatch, i: number, slot: number, side: number): number {
  const s = k.store, a = k.analysis, io = a.io;
  io[IO_TIME] = b.f64[i * 16 + L.REC_TS_SEC / 8]! - s.firstSec[slot]! + b.u32[i * 32 + L.REC_TS_NSEC / 4]! * 1e-9;
  io[IO_SEQ] = k.cur[CUR_SEQ]!;
  io[IO_ACK] = k.cur[CUR_ACK]!;
  const wscale = b.u16[(i * L.RECORD_SIZE + L.REC_OPTIONS) >> 1]! & L.OPT_WSCALE ? b.u8[i * L.RECORD_SIZE + L.REC_WSCALE]! : -1;
  a.ringGroup = b.i32[i * 32 + L.REC_FLOW_HASH / 4]! & (RING_GROUPS - 1);
  const v = a.packet(slot, side, k.flags, b.u16[(i * L.RECORD_SIZE + L.REC_WINDOW) >> 1]!, wscale, k.payload);
  k.verdicts = v;
  return v;
}

/** The connection in `slot` ends: its results go to the store for the record, its pool blocks back. */
export function endAnalysis(k: TrackerContext, slot: number): void {
  k.store.analysis[slot] = readAnalysis(k.analysis, slot);
  k.analysis.release(slot);
}
