// Ethernet II and what an EtherType can lead to: 802.1Q / 802.1ad tag stacks of any depth,
// MPLS label stacks (with or without a pseudowire control word), PPPoE sessions and
// 802.2 LLC/SNAP. Also the entry point for link types that carry an EtherType directly.

import { STAT_NON_IP, STAT_LINK_INVALID } from "../layout";
import { be16, u8at } from "../memory";
import { countStat } from "../counters";
import { noteVlan } from "../packet";
import { decodeIPv4 } from "./ipv4";
import { decodeIPv6 } from "./ipv6";
import { decodePppProtocolField } from "./ppp";

export const ETH_IPV4: u32 = 0x0800;
export const ETH_IPV6: u32 = 0x86dd;
const ETH_VLAN: u32 = 0x8100;
const ETH_QINQ: u32 = 0x88a8;
const ETH_QINQ_OLD1: u32 = 0x9100;
const ETH_QINQ_OLD2: u32 = 0x9200;
const ETH_MPLS: u32 = 0x8847;
const ETH_MPLS_MULTICAST: u32 = 0x8848;
const ETH_PPPOE_SESSION: u32 = 0x8864;
const ETH_PBB: u32 = 0x88e7; //         802.1ah I-tag, then a customer Ethernet header
const ETH_FABRICPATH: u32 = 0x8903; //  Cisco FabricPath: 2-byte FTAG/TTL, then Ethernet
const ETH_VNTAG: u32 = 0x8926; //       Cisco VN-Tag: 4-byte tag, then an EtherType
const ETHERNET_HEADER: u32 = 14;
// Pseudowires carrying Ethernet can nest; bound the recursion.
const MAX_NESTING: i32 = 8;

export function decodeEthernet(p: usize, capEnd: usize, depth: i32): void {
  if (<u32>(capEnd - p) < ETHERNET_HEADER || depth > MAX_NESTING) { countStat(STAT_LINK_INVALID); return; }
  decodeEthertype(be16(p + 12), p + ETHERNET_HEADER, capEnd, depth);
}

export function decodeEthertype(type: u32, p: usize, capEnd: usize, depth: i32): void {
  while (type == ETH_VLAN || type == ETH_QINQ || type == ETH_QINQ_OLD1 || type == ETH_QINQ_OLD2 || type == ETH_VNTAG) {
    if (type == ETH_VNTAG) {
      if (p + 6 > capEnd) { countStat(STAT_LINK_INVALID); return; }
      type = be16(p + 4);
      p += 6;
      continue;
    }
    if (p + 4 > capEnd) { countStat(STAT_LINK_INVALID); return; }
    noteVlan(be16(p) & 0xfff);
    type = be16(p + 2);
    p += 4;
  }
  if (type < 0x0600) {
    // An 802.3 length field: only LLC/SNAP (AA AA 03, OUI, EtherType) can carry IP.
    if (p + 8 <= capEnd && u8at(p) == 0xaa && u8at(p + 1) == 0xaa && u8at(p + 2) == 3) {
      decodeEthertype(be16(p + 6), p + 8, capEnd, depth + 1);
    } else {
      countStat(STAT_NON_IP);
    }
    return;
  }
  switch (type) {
    case ETH_IPV4: decodeIPv4(p, capEnd); return;
    case ETH_IPV6: decodeIPv6(p, capEnd); return;
    case ETH_MPLS:
    case ETH_MPLS_MULTICAST: decodeMpls(p, capEnd, depth); return;
    case ETH_PBB: decodeEthernet(p + 4, capEnd, depth + 1); return;
    case ETH_FABRICPATH: decodeEthernet(p + 2, capEnd, depth + 1); return;
    case ETH_PPPOE_SESSION:
      // 6-byte PPPoE header, then the PPP protocol number: 2 bytes, or 1 when compressed
      // (protocol-field compression: ... 00 3d 21 45 ...).
      if (p + 7 > capEnd) { countStat(STAT_LINK_INVALID); return; }
      decodePppProtocolField(p + 6, capEnd, depth);
      return;
    default:
      countStat(STAT_NON_IP);
  }
}

// An MPLS label stack. The payload type is not signalled, so it is guessed as Wireshark and
// tcpdump do: first nibble 4 or 6 is IP, 0 is a pseudowire control word before Ethernet.
export function decodeMpls(p: usize, capEnd: usize, depth: i32): void {
  while (true) {
    if (p + 4 > capEnd) { countStat(STAT_LINK_INVALID); return; }
    const bottom = (u8at(p + 2) & 1) != 0;
    p += 4;
    if (bottom) break;
  }
  if (p >= capEnd) { countStat(STAT_LINK_INVALID); return; }
  const nibble = u8at(p) >> 4;
  if (nibble == 4) decodeIPv4(p, capEnd);
  else if (nibble == 6) decodeIPv6(p, capEnd);
  else if (nibble == 0) decodeEthernet(p + 4, capEnd, depth + 1);
  else decodeEthernet(p, capEnd, depth + 1);
}
