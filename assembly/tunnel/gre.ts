// GRE (RFC 2784, 2890; RFC 1701's flags) and what rides on it.
//
// Version 0: checksum (skipped, not verified: Zeek does not either), key and sequence number
// read by their flags; payloads IPv4, IPv6, transparent Ethernet bridging (0x6558), MPLS,
// ERSPAN type I/II (0x88be, type II when the sequence flag is set) and type III (0x22eb), PPP,
// and Aruba's 802.11 frames (0x8200-0x8370 by 16, 0x9000), as Zeek reads them.
// Version 1 (enhanced GRE, RFC 2637): PPTP's PPP frames; the key field holds the payload length
// and the peer's call id, different in each direction (kept in the tunnel record only).
// GRE with routing (deprecated), other versions, reserved flags and other payload types are
// counted as tunnelled but not decoded (STAT_TUNNEL_UNSUPPORTED).

import {
  TUNNEL_GRE, TUNNEL_ERSPAN, TUNNEL_PPTP, TUNF_ID, TUNF_ETHERNET, TUNF_MPLS, TUNF_SEQUENCE,
  TUNF_CHECKSUM, STAT_TUNNELLED, STAT_TUNNEL_UNSUPPORTED,
} from "../layout";
import { be16, be32, u8at } from "../memory";
import { countStat } from "../counters";
import { decodeEthernet, decodeMpls } from "../wire/ethernet";
import { decodeIeee80211 } from "../wire/link";
import { decodeIPv4 } from "../wire/ipv4";
import { decodeIPv6 } from "../wire/ipv6";
import { decodePppFrame } from "../wire/ppp";
import { enterTunnel, NO_PORTS } from "./chain";

const F_CHECKSUM: u32 = 0x8000;
const F_ROUTING: u32 = 0x4000;
const F_KEY: u32 = 0x2000;
const F_SEQUENCE: u32 = 0x1000;
const F_ACK: u32 = 0x0080; // version 1 only
const F_RESERVED: u32 = 0x0078;

const P_IPV4: u32 = 0x0800;
const P_IPV6: u32 = 0x86dd;
const P_TEB: u32 = 0x6558;
const P_ERSPAN_2: u32 = 0x88be;
const P_ERSPAN_3: u32 = 0x22eb;
const P_MPLS: u32 = 0x8847;
const P_MPLS_MULTICAST: u32 = 0x8848;
const P_PPP: u32 = 0x880b;

function unsupported(): void {
  countStat(STAT_TUNNEL_UNSUPPORTED);
  countStat(STAT_TUNNELLED);
}

function isAruba(protocol: u32): bool {
  return ((protocol & 0x8200) == 0x8200 && (protocol & 0x0f) == 0)
    || ((protocol & 0x8300) == 0x8300 && (protocol & 0x0f) == 0 && protocol <= 0x8370)
    || protocol == 0x9000;
}

/** The GRE packet at `p`, `len` bytes declared by the IP header, captured up to `capEnd`. */
export function decodeGre(p: usize, capEnd: usize, len: u32): void {
  if (len < 4 || p + 4 > capEnd) { countStat(STAT_TUNNELLED); return; } // cut before its header ends
  const flags = be16(p);
  const protocol = be16(p + 2);
  const version = flags & 7;
  if (version > 1 || (flags & (F_ROUTING | F_RESERVED)) != 0) { unsupported(); return; }
  let headerLen: u32 = 4;
  let tunnelFlags: u32 = 0;
  if ((flags & F_CHECKSUM) != 0) { headerLen += 4; tunnelFlags |= TUNF_CHECKSUM; }
  const keyAt = headerLen;
  if ((flags & F_KEY) != 0) { headerLen += 4; tunnelFlags |= TUNF_ID; }
  if ((flags & F_SEQUENCE) != 0) { headerLen += 4; tunnelFlags |= TUNF_SEQUENCE; }
  if ((flags & F_ACK) != 0) headerLen += 4;
  if (headerLen > len || p + headerLen > capEnd) { countStat(STAT_TUNNELLED); return; }
  const q = p + headerLen;
  const key = (tunnelFlags & TUNF_ID) != 0 ? be32(p + keyAt) : 0;
  if (version == 1) { decodePptp(p, q, capEnd, headerLen, len, flags, tunnelFlags); return; }

  switch (protocol) {
    case P_IPV4:
    case P_IPV6:
      if (!enterTunnel(TUNNEL_GRE, tunnelFlags, 0, key, 0, 0, true, NO_PORTS)) return;
      if (protocol == P_IPV4) decodeIPv4(q, capEnd);
      else decodeIPv6(q, capEnd);
      return;
    case P_TEB:
      if (!enterTunnel(TUNNEL_GRE, tunnelFlags | TUNF_ETHERNET, 0, key, 0, 0, true, NO_PORTS)) return;
      decodeEthernet(q, capEnd, 0);
      return;
    case P_MPLS:
    case P_MPLS_MULTICAST:
      if (!enterTunnel(TUNNEL_GRE, tunnelFlags | TUNF_MPLS, 0, key, 0, 0, true, NO_PORTS)) return;
      decodeMpls(q, capEnd, 0);
      return;
    case P_PPP:
      if (!enterTunnel(TUNNEL_GRE, tunnelFlags, 0, key, 0, 0, true, NO_PORTS)) return;
      decodePppFrame(q, capEnd);
      return;
    case P_ERSPAN_2:
    case P_ERSPAN_3:
      decodeErspan(protocol, q, capEnd, len - headerLen, flags, tunnelFlags);
      return;
  }
  if (isAruba(protocol)) {
    if (!enterTunnel(TUNNEL_GRE, tunnelFlags, 0, key, 0, 0, true, NO_PORTS)) return;
    decodeIeee80211(q, capEnd);
    return;
  }
  unsupported();
}

// ERSPAN type I: no header (GRE without sequence number); type II: 8 bytes (version 1); type
// III: 12 bytes (version 2) and an 8-byte platform-specific subheader when its O flag is set.
// The 10-bit session id is the level's id. Type III frames of type 2 are IP, not Ethernet.
function decodeErspan(protocol: u32, q: usize, capEnd: usize, len: u32, greFlags: u32, tunnelFlags: u32): void {
  let erspanType: u32 = 1;
  let headerLen: u32 = 0;
  let session: u32 = 0;
  let ethernet = true;
  if (protocol == P_ERSPAN_3) {
    erspanType = 3;
    headerLen = 12;
    if (len < headerLen || q + headerLen > capEnd) { countStat(STAT_TUNNELLED); return; }
    const word = be16(q + 10);
    if ((word & 1) != 0) headerLen += 8;
    ethernet = ((word >> 10) & 0x1f) == 0;
  } else if ((greFlags & F_SEQUENCE) != 0) {
    erspanType = 2;
    headerLen = 8;
  }
  if (len < headerLen || q + headerLen > capEnd) { countStat(STAT_TUNNELLED); return; }
  if (erspanType != 1) session = be16(q + 2) & 0x3ff;
  const flags = (tunnelFlags & ~TUNF_ID) | (erspanType != 1 ? TUNF_ID : 0) | (ethernet ? TUNF_ETHERNET : 0);
  if (!enterTunnel(TUNNEL_ERSPAN, flags, erspanType, session, 0, 0, true, NO_PORTS)) return;
  const inner = q + headerLen;
  if (ethernet) { decodeEthernet(inner, capEnd, 0); return; }
  if (inner < capEnd && (u8at(inner) >> 4) == 6) decodeIPv6(inner, capEnd);
  else decodeIPv4(inner, capEnd);
}

// PPTP: enhanced GRE with the key flag (payload length, call id); acknowledgement-only packets
// carry no payload.
function decodePptp(p: usize, q: usize, capEnd: usize, headerLen: u32, len: u32, flags: u32, tunnelFlags: u32): void {
  if (be16(p + 2) != P_PPP || (flags & F_KEY) == 0) { unsupported(); return; }
  const payloadLen = be16(p + 4);
  const callId = be16(p + 6);
  if (payloadLen == 0 || headerLen >= len) { countStat(STAT_TUNNELLED); return; }
  if (!enterTunnel(TUNNEL_PPTP, tunnelFlags, 1, callId, 0, 0, false, NO_PORTS)) return;
  const end = q + payloadLen < capEnd ? q + payloadLen : capEnd;
  decodePppFrame(q, end);
}
