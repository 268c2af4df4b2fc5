// What sits on top of IP: TCP is decoded; UDP, IP-in-IP and GRE may be tunnels (tunnel/);
// IPComp payloads are inflated (ipcomp.ts); everything else is counted by category.

import {
  STAT_UDP, STAT_ICMP, STAT_OTHER_IP, STAT_BAD_CHECKSUM, TUNNEL_IP,
  PKT_CHECKSUM_GOOD, PKT_CHECKSUM_BAD, PKT_CHECKSUM_UNVERIFIABLE, PKT_IP_CHECKSUM_BAD,
  REC_STOP_LAYER, REC_IP_VERSION,
} from "../layout";
import { be16 } from "../memory";
import { countStat } from "../counters";
import { rec, verifyChecksums, commitRecord, setPacketFlag } from "../packet";
import { decodeTcp } from "./tcp";
import { checksumOk } from "./checksum";
import { decodeIPv4 } from "./ipv4";
import { decodeIPv6 } from "./ipv6";
import { decodeIpcomp } from "./ipcomp";
import { enterTunnel, NO_PORTS } from "../tunnel/chain";
import { decodeUdpTunnel } from "../tunnel/udp";
import { decodeGre } from "../tunnel/gre";

export const PROTO_ICMP: u32 = 1;
export const PROTO_IPIP: u32 = 4;
export const PROTO_TCP: u32 = 6;
export const PROTO_UDP: u32 = 17;
export const PROTO_IPV6: u32 = 41;
export const PROTO_GRE: u32 = 47;
export const PROTO_ICMPV6: u32 = 58;
export const PROTO_IPCOMP: u32 = 108;

const UDP_HEADER: u32 = 8;

// `pseudo` is the unfolded pseudo-header sum without the length (added here).
// `headerOk` is false when the IPv4 header checksum already failed.
export function decodeTransport(
  proto: u32, p: usize, capEnd: usize, len: u32, pseudo: u64, headerOk: bool,
): void {
  switch (proto) {
    case PROTO_TCP: {
      if (!decodeTcp(p, capEnd, len)) return;
      if (verifyChecksums) verify(p, capEnd, len, pseudo, headerOk);
      commitRecord();
      return;
    }
    case PROTO_UDP: {
      if (len < UDP_HEADER || p + UDP_HEADER > capEnd
          || !decodeUdpTunnel(be16(p), be16(p + 2), p + UDP_HEADER, capEnd, len - UDP_HEADER,
            verifyChecksums && udpChecksumBad(p, capEnd, len, pseudo, headerOk))) {
        countStat(STAT_UDP);
      }
      return;
    }
    case PROTO_ICMP:
    case PROTO_ICMPV6:
      countStat(STAT_ICMP);
      return;
    case PROTO_IPIP:
    case PROTO_IPV6:
      // IP in IP (4in4, 6in4, 4in6, 6in6): the tunnel is the outer header itself.
      if (!enterTunnel(TUNNEL_IP, 0, 0, 0, 0, 0, false, NO_PORTS)) return;
      if (proto == PROTO_IPIP) decodeIPv4(p, capEnd);
      else decodeIPv6(p, capEnd);
      return;
    case PROTO_GRE:
      decodeGre(p, capEnd, len);
      return;
    case PROTO_IPCOMP:
      decodeIpcomp(p, capEnd, len, pseudo, headerOk);
      return;
    default:
      countStat(STAT_OTHER_IP);
  }
}

// The outer UDP checksum of a would-be tunnel packet, verified as Zeek's UDP analyzer does
// before it hands the payload on: 0 means none over IPv4; a datagram not captured whole cannot
// be verified (and is decapsulated); a bad IPv4 header fails it too.
function udpChecksumBad(p: usize, capEnd: usize, len: u32, pseudo: u64, headerOk: bool): bool {
  if (!headerOk) return true;
  if (p + len > capEnd) return false;
  if (be16(p + 6) == 0 && load<u8>(rec, REC_IP_VERSION) == 4) return false;
  return !checksumOk(p, len, pseudo + <u64>PROTO_UDP + <u64>len);
}

function verify(p: usize, capEnd: usize, len: u32, pseudo: u64, headerOk: bool): void {
  if (!headerOk) {
    setPacketFlag(PKT_CHECKSUM_BAD | PKT_IP_CHECKSUM_BAD);
    countStat(STAT_BAD_CHECKSUM);
  } else if (p + len > capEnd || load<u8>(rec, REC_STOP_LAYER) != 0) {
    setPacketFlag(PKT_CHECKSUM_UNVERIFIABLE);
  } else if (checksumOk(p, len, pseudo + <u64>PROTO_TCP + <u64>len)) {
    setPacketFlag(PKT_CHECKSUM_GOOD);
  } else {
    setPacketFlag(PKT_CHECKSUM_BAD);
    countStat(STAT_BAD_CHECKSUM);
  }
}
