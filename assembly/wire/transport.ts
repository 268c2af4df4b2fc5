// What sits on top of IP: TCP is decoded, everything else is counted by category.

import {
  STAT_UDP, STAT_ICMP, STAT_OTHER_IP, STAT_TUNNELLED, STAT_BAD_CHECKSUM,
  PKT_CHECKSUM_GOOD, PKT_CHECKSUM_BAD, PKT_CHECKSUM_UNVERIFIABLE, PKT_FIRST_FRAGMENT, PKT_IP_CHECKSUM_BAD,
  REC_PACKET_FLAGS, REC_STOP_LAYER,
} from "../layout";
import { be16 } from "../memory";
import { countStat } from "../counters";
import { rec, verifyChecksums, commitRecord, setPacketFlag } from "../packet";
import { decodeTcp } from "./tcp";
import { checksumOk } from "./checksum";

export const PROTO_ICMP: u32 = 1;
export const PROTO_IPIP: u32 = 4;
export const PROTO_TCP: u32 = 6;
export const PROTO_UDP: u32 = 17;
export const PROTO_IPV6: u32 = 41;
export const PROTO_GRE: u32 = 47;
export const PROTO_ICMPV6: u32 = 58;

// UDP ports of the tunnels a later release will open: VXLAN, Geneve, GTP-U, Teredo.
function isTunnelPort(port: u32): bool {
  return port == 4789 || port == 6081 || port == 2152 || port == 3544;
}

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
      if (<u32>(capEnd - p) >= 4 && (isTunnelPort(be16(p)) || isTunnelPort(be16(p + 2)))) {
        countStat(STAT_TUNNELLED);
      } else {
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
    case PROTO_GRE:
      countStat(STAT_TUNNELLED);
      return;
    default:
      countStat(STAT_OTHER_IP);
  }
}

function verify(p: usize, capEnd: usize, len: u32, pseudo: u64, headerOk: bool): void {
  const fragment = (load<u8>(rec, REC_PACKET_FLAGS) & <u8>PKT_FIRST_FRAGMENT) != 0;
  if (!headerOk) {
    setPacketFlag(PKT_CHECKSUM_BAD | PKT_IP_CHECKSUM_BAD);
    countStat(STAT_BAD_CHECKSUM);
  } else if (fragment || p + len > capEnd || load<u8>(rec, REC_STOP_LAYER) != 0) {
    setPacketFlag(PKT_CHECKSUM_UNVERIFIABLE);
  } else if (checksumOk(p, len, pseudo + <u64>PROTO_TCP + <u64>len)) {
    setPacketFlag(PKT_CHECKSUM_GOOD);
  } else {
    setPacketFlag(PKT_CHECKSUM_BAD);
    countStat(STAT_BAD_CHECKSUM);
  }
}
