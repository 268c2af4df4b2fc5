// 802.11 A-MSDUs (aggregate MSDUs, a QoS data frame whose QoS control has bit 7 set): one frame
// carrying several subframes, each a destination and source address, a length, and an LLC/SNAP
// MSDU of that length, padded to 4 bytes. Zeek decodes each subframe as a packet of its own
// (Aruba's GRE delivers such frames); so does this: the first subframe goes into the frame's
// record, and each further one that is TCP into the next record, which starts as a copy of the
// frame's (time, frame number, file offset, tunnel chain) before its layers are decoded. An
// output slot keeps room for AMSDU_EXTRA_RECORDS such records past its fill mark; subframes
// beyond are counted (STAT_AMSDU_DROPPED), never written past the slot. When the frame made
// more than one record, each gets its subframe fraction in its packet index (layout.ts,
// SUBFRAME_STEPS): two connections that begin in one frame share its number as their id, and the
// fraction orders them, the same way on any number of threads or partitions.

import { RECORD_SIZE, TUNNEL_RECORD_SIZE, REC_PACKET_INDEX, SUBFRAME_STEPS, STAT_AMSDU_SUBFRAMES, STAT_AMSDU_DROPPED, STAT_LINK_INVALID } from "../layout";
import { be16, AMSDU_EXTRA_RECORDS } from "../memory";
import { countStat } from "../counters";
import { rec, roomInSlot, tunnelRecord, fileOffsetAt } from "../packet";
import { decodeEthertype } from "./ethernet";

const SUBFRAME_HEADER: u32 = 14;
// The frame's record and tunnel record as they were before the first subframe was decoded.
const frameRecord = memory.data(RECORD_SIZE + TUNNEL_RECORD_SIZE, 16);

/** The subframes of the A-MSDU body at `p`. */
export function decodeAmsdu(p: usize, capEnd: usize): void {
  const firstRecord = rec;
  memory.copy(frameRecord, rec, RECORD_SIZE);
  memory.copy(frameRecord + RECORD_SIZE, tunnelRecord(), TUNNEL_RECORD_SIZE);
  const fileOffset = load<f64>(fileOffsetAt());
  let first = true;
  while (p + SUBFRAME_HEADER <= capEnd) {
    const len = <u32>be16(p + 12);
    const end = p + SUBFRAME_HEADER + len;
    const next = end + ((4 - ((SUBFRAME_HEADER + len) & 3)) & 3);
    if (!first) {
      if (!roomInSlot()) { countStat(STAT_AMSDU_DROPPED); p = next; continue; }
      countStat(STAT_AMSDU_SUBFRAMES);
      // The previous subframe's record was committed (TCP) or is reused: either way, start afresh.
      memory.copy(rec, frameRecord, RECORD_SIZE);
      memory.copy(tunnelRecord(), frameRecord + RECORD_SIZE, TUNNEL_RECORD_SIZE);
      store<f64>(fileOffsetAt(), fileOffset);
    }
    decodeEthertype(0, p + SUBFRAME_HEADER, end < capEnd ? end : capEnd, 0);
    first = false;
    p = next;
  }
  if (first) countStat(STAT_LINK_INVALID); // not even one subframe header captured: the frame is cut
  const records = <u32>((rec - firstRecord) / RECORD_SIZE); // committed: rec is the next free one
  if (records < 2) return;
  // A frame's records stay below the next frame's number: at most 1 + AMSDU_EXTRA_RECORDS of them.
  if (AMSDU_EXTRA_RECORDS + 1 >= <u32>SUBFRAME_STEPS) ERROR("an A-MSDU's records would reach the next frame's number");
  for (let k: u32 = 0; k < records; k++) {
    const r = firstRecord + <usize>k * RECORD_SIZE;
    store<f64>(r, load<f64>(r, REC_PACKET_INDEX) + <f64>(k + 1) / <f64>SUBFRAME_STEPS, REC_PACKET_INDEX);
  }
}
