// Tunnels over UDP, chosen as Zeek chooses them: by port — the destination port, else the
// source port (Zeek asks the UDP connection's responder port, which is the tunnel port either
// way once tunnel ports count as likely server ports: ours has no connection state, so it
// looks at both) —, and on any other port by recognising the payload (Zeek's protocol
// detection: Teredo and AYIYA). A payload that does not parse as the tunnel its port names
// stays plain UDP. VXLAN, Geneve and MPLS in UDP are here; GTP-U, Teredo, AYIYA beside.

import {
  TUNNEL_VXLAN, TUNNEL_GENEVE, TUNNEL_GTPU, TUNNEL_TEREDO, TUNNEL_AYIYA, TUNNEL_MPLS_UDP,
  TUNF_ID, TUNF_ETHERNET, TUNF_MPLS, STAT_BAD_CHECKSUM,
} from "../layout";
import { countStat } from "../counters";
import { be16, be32, u8at } from "../memory";
import { decodeEthernet, decodeMpls } from "../wire/ethernet";
import { decodeIPv4 } from "../wire/ipv4";
import { decodeIPv6 } from "../wire/ipv6";
import { enterTunnel } from "./chain";
import { tunnelOfPort } from "./ports";
import { decodeGtpU } from "./gtp";
import { decodeTeredo, looksLikeTeredo } from "./teredo";
import { decodeAyiya, looksLikeAyiya } from "./ayiya";

const ETHERTYPE_TEB: u32 = 0x6558;
const ETHERTYPE_IPV4: u32 = 0x0800;
const ETHERTYPE_IPV6: u32 = 0x86dd;

/**
 * The UDP payload at `q` (`len` bytes declared, captured up to `capEnd`) between ports
 * `srcPort` and `dstPort`: true when it was a tunnel and its inner packet was decoded (and
 * counted), false when it is plain UDP. `checksumBad` (checksums verified, the outer UDP
 * checksum wrong): a packet taken as a tunnel is counted as a bad checksum and not
 * decapsulated, as Zeek drops it before its tunnel analyzer (plain UDP is not checked).
 */
export function decodeUdpTunnel(srcPort: u32, dstPort: u32, q: usize, capEnd: usize, len: u32, checksumBad: bool): bool {
  let type = tunnelOfPort(dstPort);
  let port = dstPort;
  if (type == 0) { type = tunnelOfPort(srcPort); port = srcPort; }
  if (type == 0) {
    const teredo = looksLikeTeredo(q, capEnd, len);
    if (!teredo && !looksLikeAyiya(q, capEnd, len)) return false;
    if (checksumBad) return badChecksum();
    if (teredo) return decodeTeredo(q, capEnd, len, srcPort, dstPort);
    return decodeAyiya(q, capEnd, len, srcPort, dstPort, true);
  }
  if (checksumBad) return badChecksum();
  switch (type) {
    case TUNNEL_VXLAN: return decodeVxlan(q, capEnd, len, srcPort, dstPort, port);
    case TUNNEL_GENEVE: return decodeGeneve(q, capEnd, len, srcPort, dstPort, port);
    case TUNNEL_GTPU: return decodeGtpU(q, capEnd, len, srcPort, dstPort);
    case TUNNEL_TEREDO: return decodeTeredo(q, capEnd, len, srcPort, dstPort);
    case TUNNEL_AYIYA: return decodeAyiya(q, capEnd, len, srcPort, dstPort, false);
    case TUNNEL_MPLS_UDP: return decodeMplsInUdp(q, capEnd, len, srcPort, dstPort, port);
  }
  return false;
}

function badChecksum(): bool {
  countStat(STAT_BAD_CHECKSUM);
  return false;
}

// VXLAN (RFC 7348): flags with the I bit, 24-bit VNI, Ethernet. With the P bit it is VXLAN-GPE
// (a port added by the user, 4790 by convention), whose next-protocol byte names the payload.
function decodeVxlan(q: usize, capEnd: usize, len: u32, srcPort: u32, dstPort: u32, port: u32): bool {
  if (len < 8 || q + 8 > capEnd) return false;
  const flags = u8at(q);
  if ((flags & 0x08) == 0) return false;
  const vni = be32(q + 4) >> 8;
  let next: u32 = 3; // Ethernet
  if ((flags & 0x04) != 0) {
    next = u8at(q + 3);
    if (next < 1 || next > 3) return false; // NSH, MPLS and others are not decoded
  }
  const ethernet = next == 3;
  if (!enterTunnel(TUNNEL_VXLAN, TUNF_ID | (ethernet ? TUNF_ETHERNET : 0), 0, vni, srcPort, dstPort, true, <i32>port)) return true;
  if (ethernet) decodeEthernet(q + 8, capEnd, 0);
  else if (next == 1) decodeIPv4(q + 8, capEnd);
  else decodeIPv6(q + 8, capEnd);
  return true;
}

// Geneve (RFC 8926): version 0, options skipped by their length, a protocol type, 24-bit VNI.
function decodeGeneve(q: usize, capEnd: usize, len: u32, srcPort: u32, dstPort: u32, port: u32): bool {
  if (len < 8 || q + 8 > capEnd) return false;
  const first = u8at(q);
  if ((first >> 6) != 0) return false;
  const headerLen: u32 = 8 + ((first & 0x3f) << 2);
  const protocol = be16(q + 2);
  if (headerLen > len || q + headerLen > capEnd) return false;
  if (protocol != ETHERTYPE_TEB && protocol != ETHERTYPE_IPV4 && protocol != ETHERTYPE_IPV6) return false;
  const vni = be32(q + 4) >> 8;
  const ethernet = protocol == ETHERTYPE_TEB;
  if (!enterTunnel(TUNNEL_GENEVE, TUNF_ID | (ethernet ? TUNF_ETHERNET : 0), 0, vni, srcPort, dstPort, true, <i32>port)) return true;
  const inner = q + headerLen;
  if (ethernet) decodeEthernet(inner, capEnd, 0);
  else if (protocol == ETHERTYPE_IPV4) decodeIPv4(inner, capEnd);
  else decodeIPv6(inner, capEnd);
  return true;
}

// MPLS in UDP (RFC 7510): a label stack straight after the UDP header.
function decodeMplsInUdp(q: usize, capEnd: usize, len: u32, srcPort: u32, dstPort: u32, port: u32): bool {
  if (len < 4 || q + 4 > capEnd) return false;
  if (!enterTunnel(TUNNEL_MPLS_UDP, TUNF_MPLS, 0, 0, srcPort, dstPort, false, <i32>port)) return true;
  decodeMpls(q, capEnd, 0);
  return true;
}
