// One captured frame, whatever container it came from: counts it and hands it to the link layer.

import {
  STAT_PACKETS, STAT_NON_PACKET_FRAMES, STAT_TRUNCATED, STAT_BYTES_CAPTURED, STAT_BYTES_ORIGINAL,
  WARN_CAPLEN_GT_ORIGLEN,
} from "../layout";
import { countStat, addStat, noteTimestamp, warn } from "../counters";
import { beginPacket, setWireEnd } from "../packet";
import { decodeLink } from "../wire/link";
import { packetIndex, nextPacket, skipFrame } from "./state";

@inline export function decodeFrame(
  p: usize, capLen: u32, origLen: u32, linkType: u32, fcsBytes: u32, iface: u32,
  tsSec: f64, tsNsec: u32, fileOffset: f64, timed: bool = true,
): void {
  beginPacket(tsSec, tsNsec, fileOffset, packetIndex, capLen, origLen, iface, linkType);
  countStat(STAT_PACKETS);
  addStat(STAT_BYTES_CAPTURED, <f64>capLen);
  addStat(STAT_BYTES_ORIGINAL, <f64>origLen);
  if (capLen < origLen) countStat(STAT_TRUNCATED);
  else if (capLen > origLen) warn(WARN_CAPLEN_GT_ORIGLEN, fileOffset, packetIndex, <f64>capLen);
  // A Simple Packet Block has no time of its own (it takes the packet's before): not a capture time.
  if (timed) noteTimestamp(tsSec, tsNsec, fileOffset, <f64>packetIndex);
  // A frame check sequence is only there when the whole frame was captured.
  let end = capLen;
  if (fcsBytes != 0 && capLen >= origLen && capLen >= fcsBytes) end -= fcsBytes;
  // The original length is the file's word, up to 2^32 - 1: added to the frame's address it
  // would wrap, and every IP length would then seem to reach past the wire.
  setWireEnd(<u64>p + <u64>origLen > <u64>u32.MAX_VALUE ? <usize>u32.MAX_VALUE : p + origLen);
  decodeLink(linkType, p, p + end);
  nextPacket(tsSec, tsNsec);
}

/** A record that is no packet but a frame in Wireshark's numbering: it takes a frame number, and is no packet. */
export function countRecordFrame(): void {
  countStat(STAT_NON_PACKET_FRAMES);
  skipFrame();
}
