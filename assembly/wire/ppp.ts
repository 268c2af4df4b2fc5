// PPP (RFC 1661) framing: optional HDLC address/control bytes and a 1- or 2-byte protocol.

import { STAT_NON_IP, STAT_LINK_INVALID } from "../layout";
import { be16, u8at } from "../memory";
import { countStat } from "../counters";
import { decodeIPv4 } from "./ipv4";
import { decodeIPv6 } from "./ipv6";
import { decodeMpls } from "./ethernet";

const PPP_IPV4: u32 = 0x0021;
const PPP_IPV6: u32 = 0x0057;
const PPP_MPLS: u32 = 0x0281;
const PPP_MPLS_MULTICAST: u32 = 0x0283;

export function decodePpp(p: usize, capEnd: usize): void {
  if (p + 2 <= capEnd && u8at(p) == 0xff && u8at(p + 1) == 0x03) p += 2;
  if (p >= capEnd) { countStat(STAT_LINK_INVALID); return; }
  // Protocol-field compression: an odd first byte is a 1-byte protocol number.
  if ((u8at(p) & 1) != 0) { decodePppProtocol(u8at(p), p + 1, capEnd, 0); return; }
  if (p + 2 > capEnd) { countStat(STAT_LINK_INVALID); return; }
  decodePppProtocol(be16(p), p + 2, capEnd, 0);
}

export function decodePppProtocol(proto: u32, p: usize, capEnd: usize, depth: i32): void {
  switch (proto) {
    case PPP_IPV4: decodeIPv4(p, capEnd); return;
    case PPP_IPV6: decodeIPv6(p, capEnd); return;
    case PPP_MPLS:
    case PPP_MPLS_MULTICAST: decodeMpls(p, capEnd, depth + 1); return;
    default: countStat(STAT_NON_IP);
  }
}
