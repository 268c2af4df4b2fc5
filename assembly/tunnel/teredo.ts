// Teredo (RFC 4380): IPv6 in UDP, optionally behind an authentication indication (tag 0x0001,
// client id and authentication value lengths, 8-byte nonce, confirmation byte) and an origin
// indication (tag 0x0000, 8 bytes), in that order, each at most once. As in Zeek, the inner
// IPv6 header must account for exactly the rest of the datagram (a bubble, with no next
// header, may be followed by padding); anything else is not Teredo and stays plain UDP.
// On ports not registered for a tunnel, Zeek's protocol detection decides (looksLikeTeredo).

import { TUNNEL_TEREDO, TUNF_AUTH, TUNF_ORIGIN } from "../layout";
import { be16, be32, u8at } from "../memory";
import { decodeIPv6 } from "../wire/ipv6";
import { enterTunnel, BOTH_PORTS } from "./chain";

const TEREDO_PREFIX: u32 = 0x20010000; // 2001:0000::/32
const NO_NEXT_HEADER: u32 = 59;

/**
 * Zeek's Teredo detection on any UDP port: an IPv6 header with a Teredo address (2001:0::/32)
 * as source or destination, or an origin indication (after an optional authentication
 * indication) followed by an IPv6 header.
 */
export function looksLikeTeredo(q: usize, capEnd: usize, len: u32): bool {
  if (len < 40 || q + 40 > capEnd) return false;
  const first = u8at(q);
  if ((first >> 4) == 6) return be32(q + 8) == TEREDO_PREFIX || be32(q + 24) == TEREDO_PREFIX;
  if (first != 0) return false;
  let p = q;
  let left = len;
  if (u8at(q + 1) == 1) {
    const authLen: u32 = 13 + u8at(q + 2) + u8at(q + 3);
    if (left < authLen + 40) return false;
    p += authLen;
    left -= authLen;
    if (p + 2 > capEnd) return false;
  } else if (u8at(q + 1) != 0) {
    return false;
  }
  if (be16(p) != 0 || left < 48 || p + 9 > capEnd) return false;
  return (u8at(p + 8) >> 4) == 6;
}

export function decodeTeredo(q: usize, capEnd: usize, len: u32, srcPort: u32, dstPort: u32): bool {
  let p = q;
  let left = len;
  let flags: u32 = 0;
  while (true) {
    if (left < 2 || p + 2 > capEnd) return false;
    const tag = be16(p);
    if (tag == 0) { // origin indication: at most one, last
      if ((flags & TUNF_ORIGIN) != 0 || left < 8) return false;
      flags |= TUNF_ORIGIN;
      p += 8;
      left -= 8;
    } else if (tag == 1) { // authentication indication: at most one, before the origin
      if (flags != 0 || left < 4 || p + 4 > capEnd) return false;
      const authLen: u32 = 13 + u8at(p + 2) + u8at(p + 3);
      if (left < authLen) return false;
      flags |= TUNF_AUTH;
      p += authLen;
      left -= authLen;
    } else {
      break;
    }
  }
  if (left < 40 || p + 8 > capEnd || (u8at(p) >> 4) != 6) return false;
  const ipLen: u32 = 40 + be16(p + 4);
  const bubble = u8at(p + 6) == NO_NEXT_HEADER && ipLen == 40;
  if (ipLen > left || (ipLen < left && !bubble)) return false;
  if (!enterTunnel(TUNNEL_TEREDO, flags, 0, 0, srcPort, dstPort, false, BOTH_PORTS)) return true;
  decodeIPv6(p, capEnd);
  return true;
}
