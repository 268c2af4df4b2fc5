// Link-layer dispatch by pcap/pcapng link type (the LINKTYPE_* registry values).
// Unknown link types are counted, never silently dropped.

import { STAT_NON_IP, STAT_LINK_INVALID, STAT_UNSUPPORTED_LINK } from "../layout";
import { be16, be32, u8at } from "../memory";
import { countStat } from "../counters";
import { decodeEthernet, decodeEthertype } from "./ethernet";
import { decodeIPv4 } from "./ipv4";
import { decodeIPv6 } from "./ipv6";
import { decodePppLink } from "./ppp";
import { decodeAmsdu } from "./amsdu";

export const LINK_NULL: u32 = 0;
export const LINK_ETHERNET: u32 = 1;
export const LINK_PPP: u32 = 9;
export const LINK_FDDI: u32 = 10;
export const LINK_RAW_BSD: u32 = 12;
export const LINK_RAW_OPENBSD: u32 = 14;
export const LINK_PPP_HDLC: u32 = 50;
export const LINK_RAW: u32 = 101;
export const LINK_C_HDLC: u32 = 104;
export const LINK_IEEE802_11: u32 = 105;
export const LINK_LOOP: u32 = 108;
export const LINK_LINUX_SLL: u32 = 113;
export const LINK_IEEE802_11_RADIOTAP: u32 = 127;
export const LINK_ARCNET_LINUX: u32 = 129;
export const LINK_PPI: u32 = 192;
export const LINK_IPV4: u32 = 228;
export const LINK_IPV6: u32 = 229;
export const LINK_NFLOG: u32 = 239;
export const LINK_IPOIB: u32 = 242;
export const LINK_LINUX_SLL2: u32 = 276;

export function isSupportedLinkType(linkType: u32): bool {
  switch (linkType) {
    case LINK_NULL: case LINK_ETHERNET: case LINK_PPP: case LINK_FDDI: case LINK_RAW_BSD:
    case LINK_RAW_OPENBSD: case LINK_PPP_HDLC: case LINK_RAW: case LINK_C_HDLC:
    case LINK_IEEE802_11: case LINK_LOOP: case LINK_LINUX_SLL: case LINK_IEEE802_11_RADIOTAP:
    case LINK_ARCNET_LINUX: case LINK_PPI: case LINK_IPV4: case LINK_IPV6: case LINK_NFLOG:
    case LINK_IPOIB: case LINK_LINUX_SLL2:
      return true;
  }
  return false;
}

export function decodeLink(linkType: u32, p: usize, capEnd: usize): void {
  const avail = <u32>(capEnd - p);
  switch (linkType) {
    case LINK_ETHERNET: decodeEthernet(p, capEnd, 0); return;
    case LINK_RAW_BSD:
    case LINK_RAW_OPENBSD:
    case LINK_RAW: decodeRawIp(p, capEnd); return;
    case LINK_IPV4: decodeIPv4(p, capEnd); return;
    case LINK_IPV6: decodeIPv6(p, capEnd); return;
    case LINK_LINUX_SLL: // 16-byte cooked header, protocol last
      if (avail < 16) break;
      decodeEthertype(be16(p + 14), p + 16, capEnd, 0);
      return;
    case LINK_LINUX_SLL2: // 20-byte cooked header, protocol first
      if (avail < 20) break;
      decodeEthertype(be16(p), p + 20, capEnd, 0);
      return;
    case LINK_NULL: { // 4-byte address family in the capturing host's byte order
      if (avail < 4) break;
      let family = load<u32>(p);
      if ((family & 0xffff0000) != 0) family = bswap<u32>(family);
      decodeFamily(family, p + 4, capEnd);
      return;
    }
    case LINK_LOOP: // as NULL, always network byte order
      if (avail < 4) break;
      decodeFamily(be32(p), p + 4, capEnd);
      return;
    case LINK_PPP:
    case LINK_PPP_HDLC: decodePppLink(p, capEnd); return;
    case LINK_C_HDLC: // address, control, EtherType
      if (avail < 4) break;
      decodeEthertype(be16(p + 2), p + 4, capEnd, 0);
      return;
    case LINK_FDDI: // frame control, destination, source; then 802.2 LLC
      if (avail < 13) break;
      decodeEthertype(0, p + 13, capEnd, 0);
      return;
    case LINK_IPOIB: // 40-byte destination/source block, EtherType, 2 reserved bytes
      if (avail < 44) break;
      decodeEthertype(be16(p + 40), p + 44, capEnd, 0);
      return;
    case LINK_ARCNET_LINUX: decodeArcnet(p, capEnd); return;
    case LINK_NFLOG: decodeNflog(p, capEnd); return;
    case LINK_PPI: { // little-endian header length and the link type it wraps
      if (avail < 8) break;
      const len = <u32>load<u16>(p + 2);
      const inner = load<u32>(p + 4);
      if (len < 8 || len > avail || inner == LINK_PPI) break;
      decodeLink(inner, p + len, capEnd);
      return;
    }
    case LINK_IEEE802_11_RADIOTAP: {
      if (avail < 4) break;
      const len = <u32>load<u16>(p + 2);
      if (len < 8 || len > avail) break;
      decodeIeee80211(p + len, capEnd);
      return;
    }
    case LINK_IEEE802_11: decodeIeee80211(p, capEnd); return;
    default:
      countStat(STAT_UNSUPPORTED_LINK);
      return;
  }
  countStat(STAT_LINK_INVALID);
}

function decodeRawIp(p: usize, capEnd: usize): void {
  if (p >= capEnd) { countStat(STAT_LINK_INVALID); return; }
  const version = u8at(p) >> 4;
  if (version == 4) decodeIPv4(p, capEnd);
  else if (version == 6) decodeIPv6(p, capEnd);
  else countStat(STAT_NON_IP);
}

// BSD address families: AF_INET is 2 everywhere; AF_INET6 is 24, 28 or 30 by BSD, 10 on Linux.
function decodeFamily(family: u32, p: usize, capEnd: usize): void {
  if (family == 2) decodeIPv4(p, capEnd);
  else if (family == 24 || family == 28 || family == 30 || family == 10) decodeIPv6(p, capEnd);
  else countStat(STAT_NON_IP);
}

// Linux ARCNET: source, destination, 2-byte offset, protocol id; the RFC 1201 protocol ids add
// a split flag and a 2-byte sequence number.
function decodeArcnet(p: usize, capEnd: usize): void {
  if (<u32>(capEnd - p) < 5) { countStat(STAT_LINK_INVALID); return; }
  const proto = u8at(p + 4);
  if (proto == 240) { decodeIPv4(p + 5, capEnd); return; } // RFC 1051 IP
  if (proto == 212 || proto == 196) { // RFC 1201 IP, IPv6
    if (<u32>(capEnd - p) < 8) { countStat(STAT_LINK_INVALID); return; }
    if (proto == 212) decodeIPv4(p + 8, capEnd);
    else decodeIPv6(p + 8, capEnd);
    return;
  }
  countStat(STAT_NON_IP);
}

// Linux NFLOG: family byte, version, resource id, then TLVs (host-order length and type,
// padded to 4 bytes); type 9 holds the IP packet.
function decodeNflog(p: usize, capEnd: usize): void {
  if (<u32>(capEnd - p) < 4) { countStat(STAT_LINK_INVALID); return; }
  const family = u8at(p);
  let q = p + 4;
  while (q + 4 <= capEnd) {
    const len = <u32>load<u16>(q);
    const type = <u32>load<u16>(q + 2);
    if (len < 4) break;
    if (type == 9) {
      const end = q + len < capEnd ? q + len : capEnd;
      if (family == 2) decodeIPv4(q + 4, end);
      else if (family == 10) decodeIPv6(q + 4, end);
      else countStat(STAT_NON_IP);
      return;
    }
    q += (len + 3) & ~3;
  }
  countStat(STAT_NON_IP);
}

// IEEE 802.11 data frames: the header size follows from the frame control field; the body of
// an unprotected data frame starts with LLC/SNAP.
export function decodeIeee80211(p: usize, capEnd: usize): void {
  if (<u32>(capEnd - p) < 24) { countStat(STAT_LINK_INVALID); return; }
  const fc0 = u8at(p);
  const fc1 = u8at(p + 1);
  const type = (fc0 >> 2) & 3;
  const subtype = fc0 >> 4;
  const isData = type == 2;
  const protectedFrame = (fc1 & 0x40) != 0;
  const noBody = (subtype & 4) != 0; // null-function subtypes
  if (!isData || protectedFrame || noBody) { countStat(STAT_NON_IP); return; }
  let len: u32 = 24;
  if ((fc1 & 3) == 3) len += 6; // four-address frame
  let amsdu = false;
  if ((subtype & 8) != 0) {
    if (p + len + 2 <= capEnd) amsdu = (u8at(p + len) & 0x80) != 0; // A-MSDU present (QoS control bit 7)
    len += 2; // QoS control
    if ((fc1 & 0x80) != 0) len += 4; // HT control
  }
  if (p + len > capEnd) { countStat(STAT_LINK_INVALID); return; }
  if (amsdu) decodeAmsdu(p + len, capEnd);
  else decodeEthertype(0, p + len, capEnd, 0);
}
