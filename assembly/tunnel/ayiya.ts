// AYIYA ("Anything In Anything", SixXS): an 8-byte header — identity length (2^n bytes) and
// type, signature length (4-byte units) and hash method, authentication method and opcode, next
// header, epoch time — then the identity and the signature, then the packet. Only the
// "forward" opcode (1) carries one; next header 4 is IPv4, 41 IPv6. On ports not registered
// for a tunnel Zeek recognises AYIYA by its second and third bytes (0x52 0x11: a 20-byte SHA-1
// signature, shared-secret authentication, forward); there, a payload is only taken for
// AYIYA when its inner IP header also accounts for exactly the rest of the datagram.

import { TUNNEL_AYIYA } from "../layout";
import { be16, u8at } from "../memory";
import { decodeIPv4 } from "../wire/ipv4";
import { decodeIPv6 } from "../wire/ipv6";
import { enterTunnel, BOTH_PORTS } from "./chain";

const OP_FORWARD: u32 = 1;
const NEXT_IPV4: u32 = 4;
const NEXT_IPV6: u32 = 41;

export function looksLikeAyiya(q: usize, capEnd: usize, len: u32): bool {
  return len >= 3 && q + 3 <= capEnd && u8at(q + 1) == 0x52 && u8at(q + 2) == 0x11;
}

export function decodeAyiya(q: usize, capEnd: usize, len: u32, srcPort: u32, dstPort: u32, detected: bool): bool {
  if (len < 8 || q + 8 > capEnd) return false;
  const headerLen: u32 = 8 + (<u32>1 << (u8at(q) >> 4)) + ((u8at(q + 1) >> 4) << 2);
  if ((u8at(q + 2) & 0x0f) != OP_FORWARD || headerLen >= len) return false;
  const next = u8at(q + 3);
  const inner = q + headerLen;
  if (next != NEXT_IPV4 && next != NEXT_IPV6) return false;
  if (inner >= capEnd || (u8at(inner) >> 4) != (next == NEXT_IPV4 ? 4 : 6)) return false;
  if (detected) {
    const left = len - headerLen;
    if (next == NEXT_IPV4 && (left < 20 || inner + 4 > capEnd || be16(inner + 2) != left)) return false;
    if (next == NEXT_IPV6 && (left < 40 || inner + 6 > capEnd || 40 + be16(inner + 4) != left)) return false;
  }
  if (!enterTunnel(TUNNEL_AYIYA, 0, 0, 0, srcPort, dstPort, false, BOTH_PORTS)) return true;
  if (next == NEXT_IPV4) decodeIPv4(inner, capEnd);
  else decodeIPv6(inner, capEnd);
  return true;
}
