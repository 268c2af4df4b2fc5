// PPP (RFC 1661) framing: optional HDLC address/control bytes (ff 03) and a 1- or 2-byte
// protocol number (protocol-field compression: an odd first byte is the whole number).

import { STAT_NON_IP, STAT_LINK_INVALID } from "../layout";
import { be16, u8at } from "../memory";
import { countStat } from "../counters";
import { decodeIPv4 } from "./ipv4";
import { decodeIPv6 } from "./ipv6";
import { decodeEthertype, decodeMpls } from "./ethernet";

const PPP_IPV4: u32 = 0x0021;
const PPP_IPV6: u32 = 0x0057;
const PPP_MPLS: u32 = 0x0281;
const PPP_MPLS_MULTICAST: u32 = 0x0283;

// Link types PPP (9) and PPP in HDLC (50). Some captures of link type 9 hold Cisco HDLC frames
// (address 0x0f unicast or 0x8f broadcast, control 0, then an EtherType), as tcpdump and
// Wireshark recognise: 0x0f / 0x8f followed by 0 is no PPP protocol number.
export function decodePppLink(p: usize, capEnd: usize): void {
  if (p + 4 <= capEnd && (u8at(p) & 0x7f) == 0x0f && u8at(p + 1) == 0) {
    decodeEthertype(be16(p + 2), p + 4, capEnd, 0);
    return;
  }
  decodePppFrame(p, capEnd);
}

/** A PPP frame at `p`: address/control bytes when present, then the protocol and its packet. */
export function decodePppFrame(p: usize, capEnd: usize): void {
  if (p + 2 <= capEnd && u8at(p) == 0xff && u8at(p + 1) == 0x03) p += 2;
  decodePppProtocolField(p, capEnd, 0);
}

/** The protocol field at `p` (1 or 2 bytes) and the packet after it. */
export function decodePppProtocolField(p: usize, capEnd: usize, depth: i32): void {
  if (p >= capEnd) { countStat(STAT_LINK_INVALID); return; }
  if ((u8at(p) & 1) != 0) { decodePppProtocol(u8at(p), p + 1, capEnd, depth); return; }
  if (p + 2 > capEnd) { countStat(STAT_LINK_INVALID); return; }
  decodePppProtocol(be16(p), p + 2, capEnd, depth);
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
