// A record's anomalies as the line formats list them (record-values.ts anomalies): in the order
// they first appeared, each name (pre-encoded with what the format puts around it) and count;
// mid-stream-start and one-sided 1 where the record's own rules say so, in place if the tracker
// counted them too, else after the rest.

import * as C from "../connection-layout";
import { byte, uint32, raw, Fixed } from "./sink";

export const ANOMALY_NAMES = ["syn-with-data", "syn-retransmit-different-isn", "syn-ack-wrong-ack", "handshake-ack-wrong-ack", "ack-without-syn-ack",
  "bad-checksum", "zero-window", "data-after-fin", "fin-retransmit", "mid-stream-start", "one-sided", "snaplen-truncated"];

/** Each anomaly name between `before` and `after`. */
export function anomalyNames(before: string, after: string): StaticArray<Fixed> {
  const all = new StaticArray<Fixed>(ANOMALY_NAMES.length);
  for (let i = 0; i < ANOMALY_NAMES.length; i++) all[i] = new Fixed(before + ANOMALY_NAMES[i] + after);
  return all;
}

/** The list: name and count, `sep` between two. */
export function anomalyList(c: usize, names: StaticArray<Fixed>, sep: u32, midStream: bool, oneSided: bool): void {
  let order = load<u64>(c + C.C_ANOMALY_ORDER), first = true, sawMid = false, sawOne = false;
  while (order != 0) {
    const i = <i32>(order & 15) - 1;
    order >>= 4;
    let n = load<u32>(c + C.C_ANOMALY_COUNTS + (<usize>i << 2));
    if (i == C.ANOMALY_MID_STREAM_START && midStream) { n = 1; sawMid = true; }
    else if (i == C.ANOMALY_ONE_SIDED && oneSided) { n = 1; sawOne = true; }
    if (!first) byte(sep);
    first = false;
    raw(names[i]); uint32(n);
  }
  if (midStream && !sawMid) { if (!first) byte(sep); first = false; raw(names[C.ANOMALY_MID_STREAM_START]); byte(0x31); }
  if (oneSided && !sawOne) { if (!first) byte(sep); raw(names[C.ANOMALY_ONE_SIDED]); byte(0x31); }
}
