// One captured frame, whatever container it came from: counts it and hands it to the link layer.

import {
  STAT_PACKETS, STAT_TRUNCATED, STAT_BYTES_CAPTURED, STAT_BYTES_ORIGINAL,
  WARN_CAPLEN_GT_ORIGLEN,
} from "../layout";
import { countStat, addStat, noteTimestamp, warn } from "../counters";
import { beginPacket, setWireEnd } from "../packet";
import { decodeLink } from "../wire/link";
import { packetIndex, nextPacket } from "./state";

@inline export function decodeFrame(
  p: usize, capLen: u32, origLen: u32, linkType: u32, fcsBytes: u32, iface: u32,
  tsSec: f64, tsNsec: u32, fileOffset: f64,
): void {
  beginPacket(tsSec, tsNsec, fileOffset, packetIndex, capLen, origLen, iface, linkType);
  countStat(STAT_PACKETS);
  addStat(STAT_BYTES_CAPTURED, <f64>capLen);
  addStat(STAT_BYTES_ORIGINAL, <f64>origLen);
  if (capLen < origLen) countStat(STAT_TRUNCATED);
  else if (capLen > origLen) warn(WARN_CAPLEN_GT_ORIGLEN, fileOffset, packetIndex, <f64>capLen);
  noteTimestamp(tsSec, tsNsec, fileOffset, <f64>packetIndex);
  // A frame check sequence is only there when the whole frame was captured.
  let end = capLen;
  if (fcsBytes != 0 && capLen >= origLen && capLen >= fcsBytes) end -= fcsBytes;
  setWireEnd(p + origLen);
  decodeLink(linkType, p, p + end);
  nextPacket(tsSec, tsNsec);
}
